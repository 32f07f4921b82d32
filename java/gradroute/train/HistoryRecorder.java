package gradroute.train;

import java.util.Map;

/** Records a step's metrics in the run's {@link History} every {@code every} steps and at the last step. */
public final class HistoryRecorder implements TrainingListener {
  private final long every;

  public HistoryRecorder(long every) {
    if (every < 1) throw new IllegalArgumentException("logEvery must be >= 1, got " + every);
    this.every = every;
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) {
    if (step % every == 0 || step == run.steps() - 1) run.history().add(step, metrics);
  }
}
