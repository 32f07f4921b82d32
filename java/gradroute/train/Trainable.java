package gradroute.train;

import java.util.Map;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;

/** What {@link TrainingLoop} drives: one optimisation step at a time, and its state for checkpoints. */
public interface Trainable {
  /**
   * Runs step {@code step} (0-based) and returns its metrics. Native temporaries made here are freed
   * when the step returns; anything kept across steps must be created outside the step. A NaN or
   * infinite value of any loss term ({@link #isLossTerm}) stops training with {@link
   * TrainingDivergedException}.
   */
  Map<String, Double> step(long step);

  /** Writes model and optimiser state (for checkpoints; trainables without them may leave it empty). */
  default void save(OutputArchive archive) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no checkpoint state");
  }

  /** Restores what {@link #save} wrote. */
  default void load(InputArchive archive) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no checkpoint state");
  }

  /** Whether metric {@code name} is a loss term checked for divergence: "loss" and "*_loss" unless overridden. */
  default boolean isLossTerm(String name) {
    return name.equals("loss") || name.endsWith("_loss");
  }
}
