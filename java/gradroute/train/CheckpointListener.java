package gradroute.train;

import java.io.IOException;
import java.util.Map;

/**
 * Saves a {@link Checkpoint} every {@code every} steps and after the last, and on a resumed run
 * restores the trainable and history from it before the first step. {@link #restoreOnly} only
 * restores: the data-parallel ranks above 0 resume from the checkpoint rank 0 alone writes.
 */
public final class CheckpointListener implements TrainingListener {
  private final Checkpoint checkpoint;
  private final long every; // 0: never save

  public CheckpointListener(Checkpoint checkpoint, long every) {
    this(checkpoint, Math.max(1, every), true);
  }

  private CheckpointListener(Checkpoint checkpoint, long every, boolean saves) {
    this.checkpoint = checkpoint;
    this.every = saves ? every : 0;
  }

  /** Restores from {@code checkpoint} on a resumed run and never writes it. */
  public static CheckpointListener restoreOnly(Checkpoint checkpoint) {
    return new CheckpointListener(checkpoint, 0, false);
  }

  @Override
  public void onStart(TrainingRun run) throws IOException {
    if (!run.resume()) return;
    if (checkpoint.exists()) {
      run.resumeAt(checkpoint.load(run.trainable(), run.history()));
    } else if (!checkpoint.archives().isEmpty()) {
      throw new IOException("cannot resume: " + checkpoint.marker() + " and its previous marker are missing but archives "
          + String.join(", ", checkpoint.archives()) + " remain, so which one is current is unknown; start the run afresh");
    }
  }

  @Override
  public void onStep(TrainingRun run, long step, Map<String, Double> metrics) throws IOException {
    if (every > 0 && ((step + 1) % every == 0 || step == run.steps() - 1)) {
      try {
        checkpoint.save(run.trainable(), step + 1, run.history());
      } catch (IOException e) {
        throw new IOException("checkpoint at step " + (step + 1) + " failed: " + e.getMessage(), e);
      }
    }
  }
}
