package gradroute.train;

import java.util.Map;

/**
 * Wall time and steps/s over the steps this process actually ran: a resumed run counts only the
 * steps after the checkpoint, not those it restored.
 */
public final class Timing implements TrainingListener {
  private long startNanos;
  private long endNanos;
  private long steps;

  @Override
  public void onStart(TrainingRun run) {
    startNanos = System.nanoTime();
    endNanos = startNanos;
    steps = 0;
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) {
    steps++;
    endNanos = System.nanoTime();
  }

  /** Steps run by this process. */
  public long steps() {
    return steps;
  }

  /** Seconds from the first step's start to the last step's end (listeners included). */
  public double seconds() {
    return (endNanos - startNanos) / 1e9;
  }

  /** Steps per second of this process; NaN when it ran no step. */
  public double stepsPerSecond() {
    return steps == 0 ? Double.NaN : steps / Math.max(seconds(), 1e-9);
  }
}
