package gradroute.train;

import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Stops training on a NaN or infinite value in any loss term of a step ({@link
 * Trainable#isLossTerm}) with a {@link TrainingDivergedException} naming the run, the step and
 * every loss term with its value. {@link TrainingLoop} runs it before every other listener, so
 * nothing (no checkpoint, no history row) records the diverged step.
 */
public final class DivergenceCheck implements TrainingListener {
  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) {
    check(run, step, metrics, run.trainable()::isLossTerm);
  }

  static void check(TrainingRun run, long step, Map<String, Double> metrics, Predicate<String> lossTerm) {
    boolean diverged = metrics.entrySet().stream()
        .anyMatch(e -> lossTerm.test(e.getKey()) && (e.getValue() == null || !Double.isFinite(e.getValue())));
    if (!diverged) return;
    String terms = metrics.entrySet().stream().filter(e -> lossTerm.test(e.getKey()))
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    throw new TrainingDivergedException(run.name(), step, "run " + run.name() + " diverged at step " + step
        + ": non-finite loss (" + terms + "); no results written");
  }
}
