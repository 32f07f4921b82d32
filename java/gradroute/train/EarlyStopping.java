package gradroute.train;

import java.util.Map;

/**
 * Stops training after {@code patience} consecutive rises of a metric (compared, at the steps
 * that report it, with its previous value, the first time with {@code baseline}).
 */
public final class EarlyStopping implements TrainingListener {
  private final String metric;
  private final int patience;
  private double last;
  private int rises;

  public EarlyStopping(String metric, int patience, double baseline) {
    if (patience < 1) throw new IllegalArgumentException("patience must be >= 1, got " + patience);
    this.metric = metric;
    this.patience = patience;
    this.last = baseline;
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) {
    Double v = metrics.get(metric);
    if (v == null) return;
    rises = v > last ? rises + 1 : 0;
    last = v;
    if (rises >= patience) run.stop(metric + " rose " + rises + " times in a row");
  }
}
