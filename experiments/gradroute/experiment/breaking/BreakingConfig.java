package gradroute.experiment.breaking;

import gradroute.config.ConfigException;
import gradroute.config.InputPaths;
import gradroute.config.Range;
import gradroute.config.Validated;
import gradroute.data.MnistSource;
import gradroute.masks.ClampedMask;
import gradroute.masks.UnlearningObjective;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Every knob of an MNIST circuit-breaking run. Presets live in
 * {@code experiments/configs/mnist-breaking/<name>.json}; {@code --set key=value} overrides single keys.
 *
 * @param hidden width of the classifier's one hidden layer (784-hidden-5)
 * @param badDigit the digit whose held-out test images form the bad set
 * @param badCount how many test images of {@code badDigit} form the bad set (the first ones)
 * @param forgetLoss ce (ascent, as circuit breaking does) or log1mp (bounded −log(1 − p))
 * @param sparsityWeight λ of the removal penalty, ramped in over {@code sparsityRampSteps}
 * @param penalty sqrt (Σ √(1.01 − m), circuit breaking) or l1 (Σ (1 − m))
 * @param meanReplacement ablated edges carry the training images' mean pixel (false: 0)
 * @param fineTuneSteps steps of the fine-tuning baselines (all weights; only the mask's edges)
 */
public record BreakingConfig(
    String name,
    String description,
    @Range(min = 1, max = 65536) int hidden,
    @Range(min = 1, max = 10_000) int classifierEpochs,
    @Range(min = 1, max = 1 << 16) int batchSize,
    @Range(min = 1e-9, max = 10) double classifierLearningRate,
    @Range(min = 0, max = 9) int badDigit,
    @Range(min = 1, max = 10_000) int badCount,
    @Range(min = 1, max = 10_000_000) int maskSteps,
    @Range(min = 1e-9, max = 100) double maskLearningRate,
    String forgetLoss,
    @Range(min = 0, max = 1e6) double forgetWeight,
    @Range(min = 0, max = 1e6) double sparsityWeight,
    @Range(min = 0, max = 10_000_000) int sparsityRampSteps,
    String penalty,
    @Range(min = 0, max = 1) double threshold,
    boolean meanReplacement,
    @Range(min = 0, max = 10_000_000) int fineTuneSteps,
    @Range(min = 1e-9, max = 10) double fineTuneLearningRate,
    @Range(min = 0, max = 9.007199254740992e15) List<Long> seeds,
    String dataset,
    String data) implements Validated {

  /** Classes are digit pairs: 0-1, 2-3, 4-5, 6-7, 8-9. */
  public static final int CLASSES = 5;

  public BreakingConfig {
    seeds = seeds == null ? null : List.copyOf(seeds);
  }

  @Override
  public void validate() {
    if (seeds == null || seeds.isEmpty()) throw new ConfigException("seeds needs at least one seed");
    forgetLossKind();
    penaltyKind();
    MnistSource.fromId(source());
    if (data != null) InputPaths.requireReadableDirectory("--data", Path.of(data));
  }

  public UnlearningObjective.ForgetLoss forgetLossKind() {
    try {
      return UnlearningObjective.ForgetLoss.fromId(forgetLoss);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("forgetLoss: " + e.getMessage());
    }
  }

  public ClampedMask.Penalty penaltyKind() {
    for (ClampedMask.Penalty p : ClampedMask.Penalty.values()) if (p.name().toLowerCase(Locale.ROOT).equals(penalty)) return p;
    throw new ConfigException("penalty must be sqrt or l1, got '" + penalty + "'");
  }

  /** The data set: {@code dataset}, or mnist-idx when {@link #data} names IDX files. */
  public String source() {
    return data != null && "mnist".equals(dataset) ? "mnist-idx" : dataset;
  }

  /** The objective the mask is trained against (the fine-tuning baselines use it without the sparsity term). */
  public UnlearningObjective objective() {
    return new UnlearningObjective(forgetLossKind(), forgetWeight, 1.0, sparsityWeight, sparsityRampSteps);
  }
}
