package gradroute.train;

import java.io.IOException;
import java.util.Map;

/**
 * Saves a {@link Checkpoint} every {@code every} steps and after the last, and on a resumed run
 * restores the trainable and history from it before the first step.
 */
public final class CheckpointListener implements TrainingListener {
  private final Checkpoint checkpoint;
  private final long every;

  public CheckpointListener(Checkpoint checkpoint, long every) {
    this.checkpoint = checkpoint;
    this.every = Math.max(1, every);
  }

  @Override
  public void onStart(TrainingRun run) throws IOException {
    if (run.resume() && checkpoint.exists()) run.resumeAt(checkpoint.load(run.trainable(), run.history()));
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) throws IOException {
    if ((step + 1) % every == 0 || step == run.steps() - 1) {
      try {
        checkpoint.save(run.trainable(), step + 1, run.history());
      } catch (IOException e) {
        throw new IOException("checkpoint at step " + (step + 1) + " failed: " + e.getMessage(), e);
      }
    }
  }
}
