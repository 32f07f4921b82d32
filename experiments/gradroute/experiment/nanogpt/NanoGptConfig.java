package gradroute.experiment.nanogpt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import gradroute.config.ConfigException;
import gradroute.config.InputPaths;
import gradroute.config.Range;
import gradroute.config.Validated;
import java.nio.file.Path;
import java.util.List;

/**
 * Every knob of {@code gradroute nanogpt steer}. The presets are experiments/configs/nanogpt/*.json
 * (default: the 3-seed acceptance run on the KJV; quick: the CI smoke run); {@code --set key=value}
 * and the command's flags override single keys; written into the run's config.json.
 *
 * @param corpus UTF-8 text, one document per line; null: the KJV from Debian's bible-kjv
 * @param routedWord the routed word with its leading space, forced to one BPE token
 * @param batch sequences per optimiser step, all ranks together
 * @param microBatch sequences per forward/backward on one rank (at most {@code batch})
 * @param similarWindow the ±window of the context vectors that define the routed token's
 *     distributional neighbours (see {@link NanoGptData#similar})
 * @param exclusiveDim0 also route every other position's gradient away from dim 0 in the routed blocks, so
 *     that dim 0 there learns from the routed token alone (an extension; the paper routes only the token)
 * @param similarCount distributional neighbours kept; "related" in the readout criterion is these
 *     together with the topic neighbours (co-occurrence lift, {@link NanoGptData#related})
 */
public record NanoGptConfig(
    String corpus,
    String routedWord,
    @Range(min = 260, max = 65535) int vocab,
    @Range(min = 1, max = 1024) int nLayers,
    @Range(min = 1, max = 1 << 16) int dModel,
    @Range(min = 1, max = 1024) int nHeads,
    @Range(min = 1, max = 1024) int nKvHeads,
    @Range(min = 2, max = 1 << 16) int nCtx,
    @Range(min = 1, max = 1e7) int steps,
    @Range(min = 1, max = 1 << 16) int batch,
    @Range(min = 1, max = 1 << 16) int microBatch,
    @Range(min = 1e-12, max = 1e3) double lr,
    @Range(min = 0, max = 1e3) double minLr,
    @Range(min = 0, max = 1e7) int warmup,
    @Range(min = 0, max = 1e3) double weightDecay,
    @Range(min = 1e-12, max = 1e6) double clip,
    @Range(min = 0, max = 9.007199254740992e15) List<Long> seeds,
    List<String> models,
    @Range(min = 1, max = 1e7) int valWindows,
    @Range(min = 1, max = 1e6) int prompts,
    @Range(min = 1, max = 1 << 16) int promptLength,
    @Range(min = 0, max = 1e4) List<Double> alphas,
    @Range(min = 0, max = 1e4) int samples,
    @Range(min = 1, max = 1e5) int sampleTokens,
    @Range(min = 0, max = 1e4) double sampleAlpha,
    @Range(min = 1, max = 1e7) int logEvery,
    @Range(min = 1, max = 1e7) int checkpointEvery,
    @Range(min = 1, max = 64) int similarWindow,
    @Range(min = 1, max = 1000) int similarCount,
    boolean exclusiveDim0) implements Validated, NanoGptTraining {

  /** The routed blocks ⌊L/3⌋ … L−1. */
  int firstRoutedBlock() {
    return nLayers / 3;
  }

  /** Routed positions a model sees in training: the token's frequency times the tokens trained on. */
  long routedPositions(double routedFrequency) {
    return Math.round(routedFrequency * steps * (double) batch * nCtx);
  }

  /** The middle routed block, where steering adds to and AUROC reads dim 0. */
  int steeringBlock() {
    return (firstRoutedBlock() + nLayers - 1) / 2;
  }

  @JsonIgnore
  Path corpusFile() {
    return corpus == null ? null : Path.of(corpus);
  }

  @Override
  public void validate() {
    if (routedWord == null || routedWord.isEmpty()) throw new ConfigException("routedWord (--token) must be a non-empty word");
    if (models == null || models.isEmpty()) throw new ConfigException("models (--models) needs routed and/or control");
    for (String m : models) {
      if (!m.equals("routed") && !m.equals("control")) throw new ConfigException("models: unknown model '" + m + "' (routed or control)");
    }
    if (seeds.isEmpty()) throw new ConfigException("seeds: at least one seed");
    if (alphas.size() < 2 || alphas.get(0) != 0.0) throw new ConfigException("alphas must start at 0 and hold at least two values");
    shape().check();
    optimizer().check("lr");
    if (promptLength > nCtx) throw new ConfigException("promptLength (" + promptLength + ") must not exceed nCtx (" + nCtx + ")");
    if (corpus != null) InputPaths.requireReadableFile("--corpus", Path.of(corpus));
  }
}
