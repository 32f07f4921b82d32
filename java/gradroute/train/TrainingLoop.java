package gradroute.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop every experiment trains with: runs a {@link Trainable} for a number of steps, frees each
 * step's native temporaries, records metrics, stops on a non-finite loss, checkpoints every N steps
 * and resumes from the last checkpoint.
 */
public final class TrainingLoop {
  private static final Logger log = LoggerFactory.getLogger(TrainingLoop.class);

  private final String name;
  private final long steps;
  private final long logEvery;
  private final long checkpointEvery;
  private final Checkpoint checkpoint;

  /**
   * @param checkpoint where to save, or null for no checkpoints
   * @param checkpointEvery steps between checkpoints (ignored without a checkpoint)
   * @param logEvery steps between recorded history rows (the last step is always recorded)
   */
  public TrainingLoop(String name, long steps, long logEvery, Checkpoint checkpoint, long checkpointEvery) {
    if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    if (logEvery < 1) throw new IllegalArgumentException("logEvery must be >= 1, got " + logEvery);
    this.name = name;
    this.steps = steps;
    this.logEvery = logEvery;
    this.checkpoint = checkpoint;
    this.checkpointEvery = Math.max(1, checkpointEvery);
  }

  /** Trains; with {@code resume} and an existing checkpoint, continues where it stopped. */
  public History run(Trainable trainable, boolean resume) {
    History history = new History();
    long start = 0;
    try {
      if (resume && checkpoint != null && checkpoint.exists()) {
        start = checkpoint.load(trainable, history);
        log.info("{}: resumed at step {} of {}", name, start, steps);
      }
      try (Progress progress = new Progress(name, start, steps)) {
        for (long step = start; step < steps; step++) {
          Map<String, Double> metrics;
          try (PointerScope scope = new PointerScope()) {
            metrics = trainable.step(step);
          }
          Double loss = metrics.get("loss");
          if (loss != null && !Double.isFinite(loss)) {
            throw new TrainingDivergedException(name + ": loss is " + loss + " at step " + step
                + (checkpoint != null && checkpoint.exists() ? "; the last checkpoint is intact" : ""));
          }
          if (step % logEvery == 0 || step == steps - 1) history.add(step, metrics);
          progress.update(step, metrics);
          if (checkpoint != null && ((step + 1) % checkpointEvery == 0 || step == steps - 1)) {
            checkpoint.save(trainable, step + 1, history);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": checkpoint failed: " + e.getMessage(), e);
    }
    return history;
  }
}
