package gradroute.experiment.nanogpt;

import static gradroute.report.Numbers.f4;

import gradroute.experiment.nanogpt.UnlearnRun.Losses;
import gradroute.experiment.nanogpt.UnlearnRun.MethodResult;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TokenBatch;
import gradroute.model.AdamWConfig;
import gradroute.model.unlearn.NeuronAblation;
import gradroute.model.unlearn.NeuronRouting;
import gradroute.model.unlearn.RetrainingAttack;
import gradroute.model.unlearn.Rmu;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each method's stages on one seed, from its pretrained model: the ablation (routed or random
 * neurons) or RMU, the coherence fine-tune, and the retraining attack, with the losses after each.
 */
final class UnlearnMethods {
  private static final Logger log = LoggerFactory.getLogger(UnlearnMethods.class);

  /** Where the pretrained model of a kind and seed is. */
  @FunctionalInterface
  interface ModelFiles {
    Path apply(String kind, long seed);
  }

  private final UnlearnConfig s;
  private final UnlearnData data;
  private final UnlearnEvaluation evaluation;
  private final GptConfig config;
  private final Device device;
  private final ModelFiles modelFile;

  UnlearnMethods(UnlearnConfig s, UnlearnData data, UnlearnEvaluation evaluation, GptConfig config, Device device, ModelFiles modelFile) {
    this.s = s;
    this.data = data;
    this.evaluation = evaluation;
    this.config = config;
    this.device = device;
    this.modelFile = modelFile;
  }

  /** The routed neurons 0..k−1 (the same in every routed block). */
  static int[] routedNeurons(UnlearnConfig s) {
    return gradroute.routing.MaskTable.range(0, s.routedNeurons());
  }

  /** Takes {@code method} on {@code seed} through its stages from its pretrained model, measuring after each. */
  MethodResult evaluate(String method, long seed) throws IOException {
    long t0 = System.nanoTime();
    String name = method + "-s" + seed;
    String source = switch (method) {
      case "routed" -> "routed";
      case "filter" -> "filter";
      default -> "control";
    };
    try (Gpt model = Gpt.load(modelFile.apply(source, seed), device)) {
      Losses before = evaluation.losses(model);
      Losses reference = before;
      if (method.equals("filter")) {
        try (Gpt control = s.models().contains("control") ? Gpt.load(modelFile.apply("control", seed), device) : null) {
          reference = control == null ? before : evaluation.losses(control);
        }
      }
      int[] blocked = null;
      String removed = "nothing";
      switch (method) {
        case "routed", "control" -> {
          blocked = method.equals("routed") ? routedNeurons(s) : randomNeurons(seed);
          NeuronAblation.Selection sel = NeuronAblation.Selection.of(s.routedLayers(), blocked);
          NeuronAblation.zeroWeights(model, sel);
          removed = sel.toString();
        }
        case "rmu" -> {
          rmu(model, seed);
          removed = "RMU on the residual entering block " + s.rmuLayer();
        }
        default -> { }
      }
      Losses ablated = evaluation.losses(model);
      AdamW tuned = coherence(model, name, seed, blocked);
      Losses coherent = evaluation.losses(model);
      List<Losses> curve = new ArrayList<>();
      ToDoubleFunction<Gpt> follow = m -> {
        Losses l = evaluation.losses(m);
        curve.add(l);
        return l.forget();
      };
      RetrainingAttack.Spec attack = new RetrainingAttack.Spec(s.attackSteps(), s.attackEvalEvery(),
          s.optimizer().adamW().withLr(s.attackLr()), 0);
      // the attack is the last stage, so it may change the model itself
      RetrainingAttack.Curve c = tuned != null && s.attackOptimizer().equals("coherence")
          ? RetrainingAttack.continuing(name + " attack", model, tuned, attackBatch(), follow, attack)
          : RetrainingAttack.run(name + " attack", model, attackBatch(), follow, attack);
      Losses min = new Losses(min(curve, Losses::forget), min(curve, Losses::forgetRouted), min(curve, Losses::forgetExcluded),
          min(curve, Losses::forgetTopical), min(curve, Losses::forgetGeneric), min(curve, Losses::retain));
      double seconds = (System.nanoTime() - t0) / 1e9;
      MethodResult r = new MethodResult(method, seed, reference, before, ablated, coherent, c.steps(), curve, min, removed, seconds);
      log.info("{}: forget {} -> ablated {} -> coherent {} -> attack min {}; retain {} -> {} -> {}  ({} s)", name, f4(reference.forget()),
          f4(ablated.forget()), f4(coherent.forget()), f4(min.forget()), f4(reference.retain()), f4(ablated.retain()), f4(coherent.retain()),
          String.format("%.0f", seconds));
      return r;
    }
  }

  private static double min(List<Losses> curve, ToDoubleFunction<Losses> loss) {
    return curve.stream().mapToDouble(loss).min().orElseThrow();
  }

  /** k distinct neurons of the MLP width, drawn from the seed (the same in every routed block). */
  private int[] randomNeurons(long seed) {
    int width = config.dMlp(0);
    SplittableRandom rng = new SplittableRandom(seed * 31 + 17);
    int[] perm = java.util.stream.IntStream.range(0, width).toArray();
    for (int i = width - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    int[] out = Arrays.copyOf(perm, s.routedNeurons());
    Arrays.sort(out);
    return out;
  }

  /**
   * The coherence fine-tune: AdamW at a constant rate on fresh retain training windows; with
   * {@code blocked} neurons, their gradient is stopped at {@code mlp.hook_post} in the routed
   * blocks at every position, so their input weights stay zero. Returns its optimiser, for the
   * attack to continue (null when there are no coherence steps).
   */
  private AdamW coherence(Gpt model, String name, long seed, int[] blocked) {
    if (s.coherenceSteps() == 0) return null;
    NeuronRouting block = blocked == null ? null : new NeuronRouting(model, NeuronRouting.Spec.blocking(s.routedLayers(), blocked));
    try {
      int batch = s.coherenceBatch();
      LmTrainer trainer = new LmTrainer(model, LmTrainer.Settings.nanoGpt(s.optimizer().adamW().withLr(s.coherenceLr()), Math.min(batch, 16), 0),
          LrSchedule.constant(s.coherenceLr()),
          step -> LmTrainer.Batch.windows(NanoGptData.randomWindows(data.filtered, seed + 7919, step, batch, 0, 1, s.nCtx() + 1)), block, null);
      TrainingLoop.bare(name + " coherence", s.coherenceSteps()).run(trainer, false);
      model.zeroGrad();
      return trainer.optimizer();
    } finally {
      if (block != null) block.close();
    }
  }

  /** RMU on {@code model} in place: forget windows from the forget training text, retain windows from the retain text. */
  private void rmu(Gpt model, long seed) {
    int layer = s.rmuLayer();
    int[] train = gradroute.routing.MaskTable.range(0, layer);
    int len = s.nCtx() + 1, b = s.rmuBatch();
    List<long[]> forgetWindows = forgetTrainWindows(len);
    TokenBatch probe = new TokenBatch(forgetWindows.subList(0, Math.min(b, forgetWindows.size())), len, 0);
    double coeff = s.rmuCoeffScale() * Rmu.residualNorm(model, probe, layer);
    Rmu.Spec spec = new Rmu.Spec(layer, train, coeff, s.rmuAlpha(), s.rmuSteps(), AdamWConfig.of(s.rmuLr(), 0.9, 0.999, 0.01));
    Rmu.run("rmu-s" + seed, model, step -> {
      List<long[]> w = new ArrayList<>(b);
      for (int i = 0; i < b; i++) w.add(forgetWindows.get((int) ((step * b + i) % forgetWindows.size())));
      return new TokenBatch(w, len, 0);
    }, step -> new TokenBatch(NanoGptData.randomWindows(data.filtered, seed + 104729, step, b, 0, 1, len), len, 0), spec, seed);
    model.zeroGrad();
  }

  /** The forget training text: the part of train.bin after the retain documents, once. */
  private List<long[]> forgetTrainWindows(int len) {
    int start = data.filtered.length();
    int once = (data.train.length() - start) / s.forgetRepeat();
    List<long[]> out = new ArrayList<>();
    for (int o = start; o + len <= start + once; o += len) out.add(data.train.window(o, len));
    if (out.isEmpty()) throw new IllegalArgumentException("the forget training text is shorter than one window of " + len);
    return out;
  }

  private TokenBatch attackBatch() {
    int len = s.nCtx() + 1;
    return new TokenBatch(UnlearnData.windows(data.attack, len, Integer.MAX_VALUE), len, 0);
  }
}
