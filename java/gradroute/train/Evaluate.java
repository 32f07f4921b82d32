package gradroute.train;

import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Evaluates a loss after every {@code every} steps and after the last, outside the step's scope,
 * and adds it to that step's metrics under {@code metric} for the listeners after it (keep-best,
 * early stopping, history). A NaN or infinite value stops training like a diverged step.
 */
public final class Evaluate implements TrainingListener {
  private final String metric;
  private final long every;
  private final DoubleSupplier evaluation;

  public Evaluate(String metric, long every, DoubleSupplier evaluation) {
    if (every < 1) throw new IllegalArgumentException("evaluate every must be >= 1, got " + every);
    this.metric = metric;
    this.every = every;
    this.evaluation = evaluation;
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) {
    if ((step + 1) % every != 0 && step != run.steps() - 1) return;
    metrics.put(metric, evaluation.getAsDouble());
    DivergenceCheck.check(run, step, metrics, name -> run.trainable().isLossTerm(name) || name.equals(metric));
  }
}
