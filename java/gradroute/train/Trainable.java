package gradroute.train;

import java.util.Map;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;

/** What {@link TrainingLoop} drives: one optimisation step at a time, and its state for checkpoints. */
public interface Trainable {
  /**
   * Runs step {@code step} (0-based) and returns its metrics. Native temporaries made here are freed
   * when the step returns; anything kept across steps must be created outside the step.
   * A metric named "loss" that is NaN or infinite stops training with {@link TrainingDivergedException}.
   */
  Map<String, Double> step(long step);

  /** Writes model and optimiser state. */
  void save(OutputArchive archive);

  /** Restores what {@link #save} wrote. */
  void load(InputArchive archive);
}
