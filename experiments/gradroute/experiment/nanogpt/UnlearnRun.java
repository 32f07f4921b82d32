package gradroute.experiment.nanogpt;

import static gradroute.report.Numbers.f4;

import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmEval;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TokenBatch;
import gradroute.model.unlearn.NeuronAblation;
import gradroute.model.unlearn.NeuronRouting;
import gradroute.model.unlearn.RetrainingAttack;
import gradroute.model.unlearn.Rmu;
import gradroute.report.Json;
import gradroute.runtime.SideBySide;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unlearning runs of every seed: pretrain the routed, control and data-filtered models (data
 * parallel over the process group, checkpointed), then on rank 0 take each method through its
 * stages and evaluate after each: before, ablated (or unlearned), coherence-tuned, and the
 * retraining attack's curve.
 *
 * <ul>
 *   <li>{@code routed}: forget tokens routed into neurons 0..k−1 of blocks 0..L/2−1; those neurons
 *       are ablated, the coherence fine-tune blocks gradient into them;
 *   <li>{@code control}: the unrouted model with k random neurons of the same blocks ablated;
 *   <li>{@code rmu}: RMU applied to the control model;
 *   <li>{@code filter}: pretrained without the forget documents (its reference losses are the
 *       control's: what an ordinary model would know).
 * </ul>
 */
final class UnlearnRun {
  private static final Logger log = LoggerFactory.getLogger(UnlearnRun.class);

  /**
   * Forget loss; forget loss at positions whose target is routed; at positions whose target is not
   * routed, and that split into topical targets (token score s(v) at least {@code topicalScore})
   * and generic ones; retain loss.
   */
  record Losses(double forget, double forgetRouted, double forgetExcluded, double forgetTopical, double forgetGeneric, double retain) {}

  /**
   * One method on one seed.
   *
   * @param reference the losses the deltas are taken against (the model before unlearning; for
   *     filter, the control model)
   * @param attackSteps attack steps at which {@code attack} was measured (0 = before the attack)
   * @param attackMin the minimum of each loss over the attack curve
   */
  record MethodResult(String method, long seed, Losses reference, Losses before, Losses ablated, Losses coherent, int[] attackSteps,
      List<Losses> attack, Losses attackMin, String removed, double seconds) {
    double delta(Losses stage, Quantity q) {
      return q.of(stage) - q.of(reference);
    }
  }

  /** The losses of {@link Losses}, each with its results.csv column and its plot label. */
  enum Quantity {
    FORGET("forget", "forget", Losses::forget),
    ROUTED("forget_routed", "forget, routed tokens", Losses::forgetRouted),
    EXCLUDED("forget_excl", "forget, routed tokens excluded", Losses::forgetExcluded),
    TOPICAL("forget_topical", "forget, topical unrouted", Losses::forgetTopical),
    GENERIC("forget_generic", "forget, generic unrouted", Losses::forgetGeneric),
    RETAIN("retain", "retain", Losses::retain);

    final String column, label;
    private final ToDoubleFunction<Losses> loss;

    Quantity(String column, String label, ToDoubleFunction<Losses> loss) {
      this.column = column;
      this.label = label;
      this.loss = loss;
    }

    double of(Losses l) {
      return loss.applyAsDouble(l);
    }
  }

  private final UnlearnConfig s;
  private final UnlearnData data;
  private final Path root;
  private final Device device;
  private final boolean resume;
  private final ProcessGroup group;
  private final WorldConfig world;
  private final boolean[] routedTargets;
  private final double[] scores;
  private EvalSets evalSets;

  UnlearnRun(UnlearnConfig s, UnlearnData data, Path root, Device device, boolean resume, ProcessGroup group, WorldConfig world)
      throws IOException {
    this.s = s;
    this.data = data;
    this.root = root;
    this.device = device;
    this.resume = resume;
    this.group = group;
    this.world = world;
    this.routedTargets = data.routedMask();
    this.scores = data.scoreById();
  }

  GptConfig config() {
    return GptConfig.modern(s.nLayers(), s.dModel(), s.nHeads(), s.nKvHeads(), data.tokenizer.vocabSize(), s.nCtx());
  }

  /**
   * Every (seed, method) result; only rank 0's list is filled. Data parallel (a process group), the
   * models train one after another on every rank and rank 0 evaluates; in one process {@code
   * workers} jobs run side by side ({@link SideBySide}): each model's pretraining, and each method's
   * evaluation as soon as the models it reads are trained.
   */
  List<MethodResult> runAll(int workers) throws IOException {
    if (group != null) return runInTurn();
    try (SideBySide jobs = new SideBySide(workers, device.is_cpu())) {
      Map<String, CompletableFuture<Void>> trained = new HashMap<>();
      for (long seed : s.seeds()) {
        for (String m : PRETRAINED) {
          if (s.models().contains(m)) trained.put(m + "-s" + seed, jobs.submit(() -> pretrain(m, seed)));
        }
      }
      List<CompletableFuture<MethodResult>> results = new ArrayList<>();
      for (long seed : s.seeds()) {
        for (String m : UnlearnConfig.MODELS) {
          if (!s.models().contains(m)) continue;
          List<CompletableFuture<Void>> after = new ArrayList<>();
          for (String source : modelsRead(m)) {
            CompletableFuture<Void> f = trained.get(source + "-s" + seed);
            if (f != null) after.add(f);
          }
          results.add(jobs.submit(() -> evaluateOrReadBack(m, seed), after));
        }
      }
      jobs.awaitAll();
      return results.stream().map(SideBySide::result).toList();
    }
  }

  private static final List<String> PRETRAINED = List.of("routed", "control", "filter");

  /** The pretrained models a method's evaluation loads. */
  private static List<String> modelsRead(String method) {
    return switch (method) {
      case "routed" -> List.of("routed");
      case "filter" -> List.of("filter", "control");
      default -> List.of("control");
    };
  }

  private List<MethodResult> runInTurn() throws IOException {
    List<MethodResult> out = new ArrayList<>();
    for (long seed : s.seeds()) {
      for (String m : PRETRAINED) if (s.models().contains(m)) pretrain(m, seed);
      if (!world.isMain()) continue;
      for (String m : UnlearnConfig.MODELS) if (s.models().contains(m)) out.add(evaluateOrReadBack(m, seed));
    }
    return out;
  }

  private MethodResult evaluateOrReadBack(String method, long seed) throws IOException {
    Path result = root.resolve("results").resolve(method + "-s" + seed + ".json");
    if (resume && Files.isRegularFile(result)) {
      log.info("{}-s{}: already evaluated, skipped", method, seed);
      return Json.read(result, MethodResult.class);
    }
    MethodResult r = evaluate(method, seed);
    Json.write(result, r);
    return r;
  }

  private Path modelFile(String kind, long seed) {
    return root.resolve("models").resolve(kind + "-s" + seed + ".pt");
  }

  /** Pretrains one model (all ranks), unless a finished one is on disk and this run resumes. */
  private Void pretrain(String kind, long seed) throws IOException {
    String name = kind + "-s" + seed;
    if (resume && Files.isRegularFile(modelFile(kind, seed))) {
      log.info("{}: already trained, skipped", name);
      return null;
    }
    GptConfig config = config();
    try (Gpt model = Gpt.create(config, device, 1000 + seed)) {
      if (group != null) group.broadcastParameters(new ArrayList<>(model.parameters().values()));
      NeuronRouting routing = kind.equals("routed") ? new NeuronRouting(model,
          new NeuronRouting.Spec(s.routedLayers(), routedNeurons(), 1.0, s.wOff(), s.l1()), routedTargetIds()) : null;
      var file = kind.equals("filter") ? data.filtered : data.train;
      int rank = world.rank(), size = world.worldSize();
      LmTrainer trainer = new LmTrainer(model, LmTrainer.Settings.nanoGpt(s.optimizer(), s.microBatchSize(), s.clip()),
          new LrSchedule(s.lr(), s.minLr(), s.warmup(), s.steps()),
          step -> LmTrainer.Batch.windows(NanoGptData.randomWindows(file, seed, step, s.batch(), rank, size, s.nCtx() + 1)), routing, group);
      Checkpoint checkpoint = new Checkpoint(root.resolve("checkpoints"), name);
      TrainingLoop loop = TrainingLoop.onRank(world.isMain(), name, s.steps(), s.logEvery(), checkpoint, s.checkpointEvery());
      long t0 = System.nanoTime();
      History history = loop.run(trainer, resume);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (routing != null) routing.close();
      if (world.isMain()) {
        writeHistory(name, history);
        model.save(modelFile(kind, seed));
        log.info("{}: trained {} steps in {} s", name, s.steps(), String.format("%.0f", seconds));
      }
      if (group != null) group.barrier();
    }
    return null;
  }

  private int[] routedNeurons() {
    return gradroute.routing.MaskTable.range(0, s.routedNeurons());
  }

  /** The routed tokens: positions predicting one of them are routed. */
  private int[] routedTargetIds() {
    return data.meta.routedIds().stream().mapToInt(Integer::intValue).toArray();
  }

  // ------------------------------------------------------------------------------- evaluation

  Losses losses(Gpt model) {
    EvalSets e = evalSets();
    double[] forget = e.forget().lossesOnTargets(model, e.all(), routedTargets, e.unrouted(), e.topical(), e.generic());
    return new Losses(forget[0], forget[1], forget[2], forget[3], forget[4], e.retain().lossOnTargets(model, e.all()));
  }

  /**
   * The held-out forget and retain windows, and the target selections: every token, the unrouted
   * ones (the routed ones are {@link #routedTargets}), and those split by the token score into topical and generic.
   */
  private record EvalSets(LmEval forget, LmEval retain, boolean[] all, boolean[] unrouted, boolean[] topical, boolean[] generic) {}

  private synchronized EvalSets evalSets() {
    if (evalSets == null) {
      int len = s.nCtx() + 1;
      boolean[] all = new boolean[data.tokenizer.vocabSize()];
      Arrays.fill(all, true);
      boolean[] unrouted = new boolean[all.length], topical = new boolean[all.length], generic = new boolean[all.length];
      for (int v = 0; v < all.length; v++) {
        unrouted[v] = !routedTargets[v];
        topical[v] = unrouted[v] && scores[v] >= s.topicalScore();
        generic[v] = unrouted[v] && !topical[v];
      }
      evalSets = new EvalSets(new LmEval(UnlearnData.windows(data.forgetEval, len, s.evalWindows()), 16, len, 0),
          new LmEval(UnlearnData.windows(data.retainEval, len, s.evalWindows()), 16, len, 0), all, unrouted, topical, generic);
    }
    return evalSets;
  }

  /** The topical/generic split of the unrouted targets: the threshold, the topical token count, both shares of the held-out forget tokens. */
  UnlearnReport.Absorption absorption() {
    EvalSets e = evalSets();
    int topicalTokens = 0;
    for (boolean t : e.topical()) if (t) topicalTokens++;
    return new UnlearnReport.Absorption(s.topicalScore(), topicalTokens, data.forgetEvalShare(e.topical()), data.forgetEvalShare(e.generic()));
  }

  private MethodResult evaluate(String method, long seed) throws IOException {
    long t0 = System.nanoTime();
    String name = method + "-s" + seed;
    String source = switch (method) {
      case "routed" -> "routed";
      case "filter" -> "filter";
      default -> "control";
    };
    try (Gpt model = Gpt.load(modelFile(source, seed), device)) {
      Losses before = losses(model);
      Losses reference = before;
      if (method.equals("filter")) {
        try (Gpt control = s.models().contains("control") ? Gpt.load(modelFile("control", seed), device) : null) {
          reference = control == null ? before : losses(control);
        }
      }
      int[] blocked = null;
      String removed = "nothing";
      switch (method) {
        case "routed", "control" -> {
          blocked = method.equals("routed") ? routedNeurons() : randomNeurons(seed);
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
      Losses ablated = losses(model);
      AdamW tuned = coherence(model, name, seed, blocked);
      Losses coherent = losses(model);
      List<Losses> curve = new ArrayList<>();
      ToDoubleFunction<Gpt> follow = m -> {
        Losses l = losses(m);
        curve.add(l);
        return l.forget();
      };
      RetrainingAttack.Spec attack = new RetrainingAttack.Spec(s.attackSteps(), s.attackEvalEvery(),
          AdamWConfig.of(s.attackLr(), 0.9, 0.95, s.weightDecay()), 0);
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
    int width = config().dMlp(0);
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
      LmTrainer trainer = new LmTrainer(model, LmTrainer.Settings.nanoGpt(s.coherenceOptimizer(), Math.min(batch, 16), 0),
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

  private void writeHistory(String name, History h) throws IOException {
    h.writeCsv(root.resolve("training").resolve(name + ".csv"), "step", "loss", "penalty", "lr", "grad_norm");
  }
}
