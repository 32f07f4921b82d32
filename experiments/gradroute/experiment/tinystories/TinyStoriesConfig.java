package gradroute.experiment.tinystories;

import com.fasterxml.jackson.annotation.JsonIgnore;
import gradroute.config.ConfigException;
import gradroute.config.Configs;
import gradroute.config.InputPaths;
import gradroute.config.Range;
import gradroute.config.Validated;
import gradroute.model.GptConfig;
import gradroute.model.OptimizerConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Every knob of a TinyStories ERA run. The presets are experiments/configs/tinystories/*.json (demo:
 * the 2-core CPU demo; quick: the CI smoke run); {@code --set key=value} and the command's
 * flags override single keys; written into the run's config.json.
 *
 * <p>The demo preset follows issue 12's calibration (synthetic corpus, seed 0; README, TinyStories):
 * <ul>
 *   <li>corpus: 20 forest animals × 3 relations, one shared pool of forest-only values, every forest
 *       story states 3 facts (about 200 statements of each fact in 700 steps at p = 1, 130 after
 *       filtering at p = 0.5);
 *   <li>peak LR 3e-3 (min 3e-4, attack and coherence 3e-4: peak/10 as in the paper): at 1e-3 the
 *       base model left the fact values near chance (2.28 nats against log 16 = 2.77), at 3e-3 it
 *       learns them (0.04);
 *   <li>d_mlp 512 with 16 added units per routed layer (about 3%, the paper's share), L1 1e-4 on
 *       every unit of the routed layers (the paper's L1); routed layers 1–3;
 *   <li>700 steps (paper: 800–1,200), to keep the default run near 20 minutes on 2 idle cores;
 *   <li>RMU lr 5e-3, alpha 20, 250 steps (the WMDP recipe: 5e-4, 200, 500 steps at paper scale): the
 *       recipe at 100–200 steps left the forget loss unchanged (+0.001) in this model.
 * </ul>
 *
 * @param corpus A real TinyStories file (plain text / JSON / JSON lines), or null for the synthetic corpus.
 * @param corpusSeed Seed of the synthetic corpus and of the real corpus' shuffle (shared by all run seeds).
 * @param maxCorpusStories Real corpus: stories read at most (0 = as many as the run needs).
 * @param forestEntities Synthetic corpus: forest stories use the first this many forest animals (3 facts
 *     each).
 * @param forestFacts Synthetic corpus: facts every forest story states (1–3; more when the story has room).
 * @param vocab BPE vocabulary size, trained on the first {@link #tokenizerStories} training stories.
 * @param nCtx Model context; sequences are BOS + story, truncated to nCtx + 1 tokens.
 * @param attnScale Divide attention scores by sqrt(d_head); the TinyStories-28M config does not.
 * @param expandLayers Blocks whose MLP is expanded by {@link #expandNeurons} units and routed.
 * @param alphaOriginal Gate on the original units at fully routed positions (paper: −0.75).
 * @param l1 L1 coefficient on the routed layers' MLP activations.
 * @param l1AddedOnly L1 on the added units only (false, the demo preset: on every unit of the routed layers,
 *     as the paper does).
 * @param offTargetExpanded Gate on the added units at positions that are not routed (paper: 1; EraRouting's
 *     default: 0).
 * @param frequencyStories Labelled forget / labelled retain training stories counted for the token weights
 *     (each).
 * @param tokenWeightsFrom Which stories the token weights count as forget: "labels" (the labelled forget
 *     stories against all others, which under partial oversight include the unlabelled forest stories) or
 *     "keywords" (every story the keyword rule marks forget against every other one: the reference code's
 *     rule, which lets the token weights, though no story's routing, see the unlabelled stories' labels).
 * @param validationForget Forget validation stories: the first (this − attackStories) are the forget test
 *     set.
 * @param rmuCoeff RMU steering norm; 0 = {@link #rmuCoeffScale} × the base model's mean residual norm.
 * @param posthocForgetLoss Post-hoc methods masks and localft (from the base model, on ERA's expandLayers):
 *     forget term ce or log1mp.
 * @param maskSteps Learned neuron masks: steps, Adam learning rate, weight of the removal penalty Σ (1 − m)
 *     (L1).
 * @param localFtSteps Localised fine-tuning of the expandNeurons neurons per expand layer with the largest
 *     attribution on forget data.
 * @param rmuOversight The oversight levels RMU, masks and localft run at (each must be one of {@link
 *     #oversight}); empty: all of them.
 */
public record TinyStoriesConfig(
    String corpus,
    @Range(min = 0, max = 9.007199254740992e15) long corpusSeed,
    @Range(min = 0, max = 1e9) int maxCorpusStories,
    @Range(min = 2, max = 20) int forestEntities,
    @Range(min = 1, max = 3) int forestFacts,
    @Range(min = 260, max = 1 << 20) int vocab,
    @Range(min = 1, max = 1e8) int tokenizerStories,
    @Range(min = 2, max = 1 << 16) int nCtx,
    @Range(min = 1, max = 1024) int nLayers,
    @Range(min = 1, max = 1 << 16) int dModel,
    @Range(min = 1, max = 1024) int nHeads,
    @Range(min = 1, max = 1 << 16) int dHead,
    @Range(min = 1, max = 1 << 20) int dMlp,
    boolean attnScale,
    @Range(min = 0, max = 1023) int[] expandLayers,
    @Range(min = 1, max = 1 << 16) int expandNeurons,
    @Range(min = -1e3, max = 1e3) double alphaOriginal,
    @Range(min = 0, max = 1e3) double l1,
    boolean l1AddedOnly,
    @Range(min = -1e3, max = 1e3) double offTargetExpanded,
    @Range(min = 1, max = 1 << 16) int batch,
    @Range(min = 1, max = 1e7) int steps,
    @Range(min = 1e-12, max = 1e12) double peakLr,
    @Range(min = 0, max = 1e12) double minLr,
    @Range(min = 0, max = 1e7) int warmup,
    @Range(min = 0, max = 0.999999) double beta1,
    @Range(min = 0, max = 0.999999) double beta2,
    @Range(min = 0, max = 1e3) double weightDecay,
    @Range(min = 1, max = 1e9) int frequencyStories,
    String tokenWeightsFrom,
    @Range(min = 1, max = 1e7) int coherenceStories,
    @Range(min = 1, max = 1e7) int coherenceSelectionStories,
    @Range(min = 0, max = 1e7) int coherenceSteps,
    @Range(min = 1e-12, max = 1e12) double coherenceLr,
    @Range(min = 1, max = 1e7) int validationRetain,
    @Range(min = 2, max = 1e7) int validationForget,
    @Range(min = 1, max = 1e7) int attackStories,
    @Range(min = 1, max = 1e7) int attackSteps,
    @Range(min = 1, max = 1e7) int attackEvalEvery,
    @Range(min = 1, max = 1e4) int attackRepetitions,
    @Range(min = 1e-12, max = 1e12) double attackLr,
    @Range(min = 1, max = 1e7) int rmuSteps,
    @Range(min = 1, max = 1 << 16) int rmuBatch,
    @Range(min = 0, max = 1e6) double rmuAlpha,
    @Range(min = 0, max = 1e6) double rmuCoeff,
    @Range(min = 1e-12, max = 1e6) double rmuCoeffScale,
    @Range(min = 1e-12, max = 1e12) double rmuLr,
    String posthocForgetLoss,
    @Range(min = 0, max = 1e6) double posthocForgetWeight,
    @Range(min = 1, max = 1 << 16) int posthocBatch,
    @Range(min = 1, max = 1e7) int maskSteps,
    @Range(min = 1e-12, max = 1e6) double maskLr,
    @Range(min = 0, max = 1e6) double maskSparsity,
    @Range(min = 1, max = 1e7) int localFtSteps,
    @Range(min = 1e-12, max = 1e6) double localFtLr,
    @Range(min = 1, max = 1 << 16) int evalBatch,
    String prompt,
    @Range(min = 0, max = 1e5) int generateTokens,
    @Range(min = 0, max = 9.007199254740992e15) List<Long> seeds,
    @Range(min = 0, max = 1) List<Double> oversight,
    List<String> methods,
    @Range(min = 0, max = 1) List<Double> rmuOversight,
    @Range(min = 1, max = 1e7) int logEvery,
    @Range(min = 1, max = 1e7) int checkpointEvery) implements Validated {
  /** A preset of experiments/configs/tinystories/: demo (the 2-core CPU demo) or quick (CI smoke run). */
  public static TinyStoriesConfig preset(String name) throws java.io.IOException {
    return Configs.preset(TinyStoriesConfig.class, "/gradroute/experiment/configs/tinystories", name);
  }

  @JsonIgnore
  public SyntheticStories.Forest forest() {
    return new SyntheticStories.Forest(forestEntities, forestFacts);
  }

  /** The model before expansion over {@code vocab} tokens (the tokenizer's). */
  @JsonIgnore
  public GptConfig model(int vocab) {
    return GptConfig.of(nLayers, dModel, nHeads, dHead, dMlp, vocab, nCtx, attnScale);
  }

  /** Route-training's optimiser: AdamW, warmup and cosine from {@code peakLr}, no clipping. */
  @JsonIgnore
  public OptimizerConfig optimizer() {
    return new OptimizerConfig(peakLr, minLr, warmup, beta1, beta2, weightDecay, 0);
  }

  @JsonIgnore
  public boolean synthetic() {
    return corpus == null;
  }

  /** Stories the training stream needs. */
  @JsonIgnore
  public int trainStories() {
    return steps * batch;
  }

  /**
   * Stories of the shuffled training stream: the {@link #trainStories()} every method trains on,
   * plus a third more, so that data filtering, which drops the labelled forget stories (about
   * 20%), still trains {@link #steps} full batches on the full LR schedule.
   */
  @JsonIgnore
  public int streamStories() {
    return trainStories() + trainStories() / 3;
  }

  @JsonIgnore
  public int forgetTestStories() {
    return validationForget - attackStories;
  }

  /** Checks the combination (each knob's range is checked by {@link Configs}); throws with the offending keys named. */
  @Override
  public void validate() {
    require((long) steps * batch <= 100_000_000L, "steps × batch = " + (long) steps * batch + " training stories is more than 100,000,000");
    require(validationForget > attackStories && attackStories >= 1,
        "validationForget (" + validationForget + ") must exceed attackStories (" + attackStories + ")");
    require(validationRetain >= 1, "validationRetain must be >= 1");
    require(coherenceStories >= 1 && coherenceSelectionStories >= 1, "coherence needs stories");
    require(expandNeurons >= 1 && expandLayers.length >= 1, "ERA needs expandLayers and expandNeurons >= 1");
    for (int l : expandLayers) require(l >= 0 && l < nLayers, "expand layer " + l + " is outside 0.." + (nLayers - 1));
    require(nCtx >= 2, "nCtx must be >= 2");
    for (double p : oversight) require(p >= 0 && p <= 1, "oversight " + p + " is outside [0, 1]");
    for (double p : rmuOversight) require(oversight.contains(p), "rmuOversight " + p + " is not one of the oversight levels " + oversight);
    require(!seeds.isEmpty(), "at least one seed");
    require(vocab >= 260, "vocab must be >= 260 (256 bytes + merges + specials)");
    optimizer().check("peakLr");
    TinyStoriesRun.methodSet(methods);
    try {
      gradroute.masks.UnlearningObjective.ForgetLoss.fromId(posthocForgetLoss);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("posthocForgetLoss: " + e.getMessage());
    }
    requireTokenWeightRule(tokenWeightsFrom);
    if (corpus != null) InputPaths.requireReadableFile("--corpus", Path.of(corpus));
  }

  /** The one check of a {@link #tokenWeightsFrom} value. */
  static void requireTokenWeightRule(String rule) {
    require("labels".equals(rule) || "keywords".equals(rule),
        "tokenWeightsFrom must be \"labels\" or \"keywords\", got \"" + rule + "\"");
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new ConfigException(message);
  }
}
