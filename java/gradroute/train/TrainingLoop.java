package gradroute.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one loop gradroute trains with: runs a {@link Trainable} step by step, each step inside its
 * own {@link org.bytedeco.javacpp.PointerScope} ({@link Steps#scoped}), checks every loss term for
 * NaN or infinity ({@link DivergenceCheck}, always first), and hands each step's metrics to its
 * {@link TrainingListener}s: by default history, progress and (when given) checkpoints with
 * resume; add timing, early stopping or keep-best with {@link #with}.
 */
public final class TrainingLoop {
  private final String name;
  private final long steps;
  private final List<TrainingListener> listeners = new ArrayList<>();

  /**
   * @param checkpoint where to save, or null for no checkpoints
   * @param checkpointEvery steps between checkpoints (ignored without a checkpoint)
   * @param logEvery steps between recorded history rows (the last step is always recorded)
   */
  public TrainingLoop(String name, long steps, long logEvery, Checkpoint checkpoint, long checkpointEvery) {
    this(name, steps);
    listeners.add(new HistoryRecorder(logEvery));
    listeners.add(new ProgressListener());
    if (checkpoint != null) listeners.add(new CheckpointListener(checkpoint, checkpointEvery));
  }

  /**
   * The loop of one rank of a data-parallel run: the main rank logs and checkpoints; the weights and
   * optimiser state are the same on every rank, so the others only restore from its checkpoint on
   * resume.
   */
  public static TrainingLoop onRank(boolean mainRank, String name, long steps, long logEvery, Checkpoint checkpoint,
      long checkpointEvery) {
    return mainRank ? new TrainingLoop(name, steps, logEvery, checkpoint, checkpointEvery)
        : bare(name, steps).with(new HistoryRecorder(logEvery)).with(new ProgressListener())
            .with(CheckpointListener.restoreOnly(checkpoint));
  }

  /** A loop with only the divergence check. */
  private TrainingLoop(String name, long steps) {
    if (steps < 0) throw new IllegalArgumentException(name + ": steps must be >= 0, got " + steps);
    this.name = name;
    this.steps = steps;
  }

  /**
   * A loop with only the divergence check (no history, progress output or checkpoints); add the
   * listeners it needs with {@link #with}, e.g. a {@link HistoryRecorder} after an {@link Evaluate}.
   */
  public static TrainingLoop bare(String name, long steps) {
    return new TrainingLoop(name, steps);
  }

  /** Adds a listener after those already present. */
  public TrainingLoop with(TrainingListener listener) {
    listeners.add(listener);
    return this;
  }

  /** Trains; with {@code resume} and an existing checkpoint, continues where it stopped. */
  public History run(Trainable trainable, boolean resume) {
    History history = new History();
    TrainingRun run = new TrainingRun(name, steps, trainable, history, resume);
    DivergenceCheck divergence = new DivergenceCheck();
    try {
      for (TrainingListener l : listeners) l.onStart(run);
      for (long step = run.startStep(); step < steps && !run.stopRequested(); step++) {
        long s = step;
        Map<String, Double> metrics = new LinkedHashMap<>(Steps.scoped(() -> trainable.step(s)));
        run.stepDone();
        divergence.onStep(run, step, metrics);
        for (TrainingListener l : listeners) l.onStep(run, step, metrics);
      }
      for (TrainingListener l : listeners) l.onEnd(run);
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": " + e.getMessage(), e);
    } finally {
      for (TrainingListener l : listeners) l.onClose();
    }
    return history;
  }

  public String name() {
    return name;
  }
}
