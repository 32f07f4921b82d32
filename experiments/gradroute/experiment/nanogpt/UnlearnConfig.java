package gradroute.experiment.nanogpt;

import com.fasterxml.jackson.annotation.JsonIgnore;
import gradroute.config.ConfigException;
import gradroute.config.InputPaths;
import gradroute.config.Range;
import gradroute.config.Validated;
import java.nio.file.Path;
import java.util.List;

/**
 * Every knob of {@code gradroute nanogpt unlearn}. Presets:
 * experiments/configs/nanogpt/unlearn.json (the 3-seed acceptance run on the KJV) and
 * unlearn-quick.json (the CI smoke run); {@code --set key=value} and the command's flags override
 * single keys; written into the run's config.json.
 *
 * @param forget forget documents, one per line (null: the KJV chapters dense in {@code topicWords})
 * @param retain retain documents, one per line (with {@code forget}; null: the other KJV chapters)
 * @param topic the topic corpus W of the token score, one document per line (null: with the KJV,
 *     the verses outside the forget chapters that hold a topic word; with files, the forget file)
 * @param topicWords lower-case words that define the KJV forget topic (chapter density)
 * @param forgetDensity a KJV chapter is a forget document when this share of its words are topic words
 * @param forgetRepeat how often the forget training documents enter the pretraining text (the
 *     paper mixes its forget corpus in 5 times)
 * @param routedWords the routed (curated) tokens, each with its leading space (added when missing),
 *     forced to one BPE token
 * @param scoreTop tokens printed from the score s(v) (all scored tokens go to token_scores.csv)
 * @param routedNeurons k: the routed neurons 0..k−1 of blocks 0..L/2−1
 * @param wOff gradient weight of the other neurons at routed positions (paper −5e-8)
 * @param l1 L1 coefficient on the masked activations of the routed blocks
 * @param topicalScore the absorption breakdown counts an unrouted target token as topical when its
 *     score s(v) is at least this (the rest are generic)
 * @param models which models to train: routed, control (unrouted; random-neuron ablation and RMU
 *     start from it), filter (forget documents removed from pretraining); rmu needs control
 */
public record UnlearnConfig(
    String forget,
    String retain,
    String topic,
    List<String> topicWords,
    @Range(min = 0, max = 1) double forgetDensity,
    @Range(min = 1, max = 1000) int forgetRepeat,
    List<String> routedWords,
    @Range(min = 1, max = 65535) int scoreTop,
    @Range(min = 260, max = 65535) int vocab,
    @Range(min = 2, max = 1024) int nLayers,
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
    @Range(min = 1, max = 1 << 16) int routedNeurons,
    @Range(min = -1, max = 1) double wOff,
    @Range(min = 0, max = 1e3) double l1,
    @Range(min = 1, max = 1e7) int evalWindows,
    @Range(min = 0, max = 1e9) double topicalScore,
    @Range(min = 0, max = 1e6) int coherenceSteps,
    @Range(min = 1, max = 1 << 16) int coherenceBatch,
    @Range(min = 1e-12, max = 1e3) double coherenceLr,
    @Range(min = 0, max = 1e6) int attackSteps,
    @Range(min = 1, max = 1e6) int attackEvalEvery,
    @Range(min = 1e-12, max = 1e3) double attackLr,
    String attackOptimizer,
    @Range(min = 0, max = 1e6) int rmuSteps,
    @Range(min = 1, max = 1 << 16) int rmuBatch,
    @Range(min = 0, max = 1e9) double rmuAlpha,
    @Range(min = 0, max = 1e6) double rmuCoeffScale,
    @Range(min = 1e-12, max = 1e3) double rmuLr,
    @Range(min = 1, max = 1e7) int logEvery,
    @Range(min = 1, max = 1e7) int checkpointEvery) implements Validated, NanoGptTraining {

  static final List<String> MODELS = List.of("routed", "control", "filter", "rmu");

  /** The attack continues the coherence fine-tune's AdamW (its moments carry over, as in the paper), or starts a fresh one. */
  static final List<String> ATTACK_OPTIMIZERS = List.of("coherence", "fresh");

  /**
   * Every routed word is the form it takes inside running text, with one leading space; a word
   * given without it gets it (a comma list on the command line loses its items' spaces).
   */
  public UnlearnConfig {
    if (routedWords != null) {
      routedWords = routedWords.stream().map(w -> w == null || w.isEmpty() || w.startsWith(" ") ? w : " " + w).toList();
    }
  }

  /** The routed blocks 0..L/2−1. */
  @JsonIgnore
  public int[] routedLayers() {
    return gradroute.routing.MaskTable.range(0, nLayers / 2);
  }

  /** RMU steers the residual stream entering block L/2 and trains the MLP outputs below it. */
  @JsonIgnore
  int rmuLayer() {
    return nLayers / 2;
  }

  @JsonIgnore
  boolean kjv() {
    return forget == null;
  }

  @Override
  public void validate() {
    if ((forget == null) != (retain == null)) throw new ConfigException("forget and retain (--forget, --retain) go together: give both files or neither");
    if (forget != null) {
      InputPaths.requireReadableFile("--forget", Path.of(forget));
      InputPaths.requireReadableFile("--retain", Path.of(retain));
    }
    if (topic != null) InputPaths.requireReadableFile("--topic", Path.of(topic));
    if (forget == null && (topicWords == null || topicWords.isEmpty())) throw new ConfigException("topicWords: the KJV topic needs at least one word");
    if (routedWords == null || routedWords.isEmpty()) throw new ConfigException("routedWords (--routed) needs at least one word");
    for (String w : routedWords) if (w == null || w.isEmpty()) throw new ConfigException("routedWords: empty word");
    if (models == null || models.isEmpty()) throw new ConfigException("models (--models) needs at least one of " + MODELS);
    for (String m : models) if (!MODELS.contains(m)) throw new ConfigException("models: unknown model '" + m + "' (" + String.join(", ", MODELS) + ")");
    if (models.contains("rmu") && !models.contains("control")) throw new ConfigException("models: rmu starts from the control model; add control");
    if (seeds.isEmpty()) throw new ConfigException("seeds: at least one seed");
    if (!ATTACK_OPTIMIZERS.contains(attackOptimizer)) {
      throw new ConfigException("attackOptimizer: '" + attackOptimizer + "' is not one of " + String.join(", ", ATTACK_OPTIMIZERS));
    }
    shape().check();
    optimizer().check("lr");
    if (routedNeurons > 4 * dModel) throw new ConfigException("routedNeurons (" + routedNeurons + ") exceeds the MLP width " + 4 * dModel);
  }
}
