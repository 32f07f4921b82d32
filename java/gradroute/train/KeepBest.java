package gradroute.train;

import java.util.Map;

/**
 * Keeps the weights of the step with the lowest value of a metric: {@code keep} copies the current
 * weights aside whenever the metric improves on the best so far (starting from {@code baseline},
 * the value before training), and at the end {@code restore} puts the best back.
 */
public final class KeepBest implements TrainingListener {
  private final String metric;
  private final Runnable keep;
  private final Runnable restore;
  private double best;
  private long bestStep = -1;

  public KeepBest(String metric, double baseline, Runnable keep, Runnable restore) {
    this.metric = metric;
    this.best = baseline;
    this.keep = keep;
    this.restore = restore;
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) {
    Double v = metrics.get(metric);
    if (v != null && v < best) {
      best = v;
      bestStep = step;
      keep.run();
    }
  }

  @Override
  public void onEnd(TrainingRun run) {
    restore.run();
  }

  /** The step whose weights are kept; -1 for the weights before training. */
  public long bestStep() {
    return bestStep;
  }

  public double best() {
    return best;
  }
}
