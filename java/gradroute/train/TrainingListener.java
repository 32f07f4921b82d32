package gradroute.train;

import java.util.Map;

/**
 * Something that follows a {@link TrainingLoop} (in the spirit of DJL's {@code TrainingListener}):
 * checkpoints, history, progress, timing, divergence, early stopping and keep-best are all
 * listeners. Listeners run outside the step's {@link org.bytedeco.javacpp.PointerScope}, in the
 * order they were added, after the loop's own divergence check.
 */
public interface TrainingListener {
  /** Before the first step; a listener may resume here ({@link TrainingRun#resumeAt}). */
  default void onStart(TrainingRun run) throws java.io.IOException {}

  /** After step {@code step} (0-based) returned {@code metrics} (finite in every loss term). */
  default void onStep(TrainingRun run, long step, Map<String, Double> metrics) throws java.io.IOException {}

  /** After the last step, or after a listener asked to stop; not called when training fails. */
  default void onEnd(TrainingRun run) throws java.io.IOException {}

  /** Always, last, even when training fails: release what the listener holds (a progress bar). */
  default void onClose() {}
}
