package gradroute.experiment.tinystories;

import static gradroute.report.Numbers.f4;

import gradroute.masks.ClampedMask;
import gradroute.masks.MaskTraining;
import gradroute.masks.PostHocUnlearning;
import gradroute.masks.UnlearningObjective;
import gradroute.model.AdamWConfig;
import gradroute.model.Generation;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmEval;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TokenBatch;
import gradroute.model.era.EraPipeline;
import gradroute.model.era.EraRouting;
import gradroute.model.era.ExpansionSpec;
import gradroute.model.unlearn.RetrainingAttack;
import gradroute.model.unlearn.Rmu;
import gradroute.report.CsvTable;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.routing.SoftTokenRule;
import gradroute.runtime.SideBySide;
import gradroute.text.TokenFrequencyWeights;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the TinyStories unlearning comparison for each seed: base, ERA and data filtering at each
 * oversight level p, RMU from the base model, and the ERA control; evaluates forget/retain loss
 * after training, ablation and coherence tuning, runs retraining attacks and generates text.
 * Every finished method is stored under {@code stages/} so that {@code --resume} skips it.
 */
public final class TinyStoriesRun {
  private static final Logger log = LoggerFactory.getLogger(TinyStoriesRun.class);
  static final List<String> METHODS = List.of("base", "era", "filter", "rmu", "masks", "localft", "control");
  /** The methods that start from the seed's base model. */
  static final Set<String> FROM_BASE = Set.of("filter", "rmu", "masks", "localft");
  static final String[] PROBE_WORDS = {"tree", "trees", "forest", "owl", "squirrel", "acorns", "moss", "leaves", "shadows",
      "bird", "hill", "quiet", "picnic", "sunny", "water", "park", "mom", "dog", "the"};

  /**
   * Forget and retain validation loss of one model, the forget stories' loss on their
   * forest-specific target tokens only (w(v) < 0.5 by true-label token frequencies), and on the
   * value tokens of the forest facts they state (synthetic corpus; NaN on real text).
   */
  public record Losses(double forget, double retain, double forgetTopicTokens, double forgetFactTokens) {}

  /**
   * Everything measured for one method at one p and seed; {@code changedNeurons} and {@code
   * changedParameters}: what a post-hoc method (masks: ablated; localft: trained) touched, null for the others.
   */
  public record MethodResult(
      long seed,
      String method,
      Double p,
      int trainSteps,
      double trainSeconds,
      Losses trained,
      Losses ablated,
      Losses coherent,
      Losses fin,
      double forgetBefore,
      Integer coherenceBestStep,
      double[] coherenceSelection,
      int[] attackSteps,
      double[] attackForget,
      double attackMin,
      double attackSeconds,
      Map<String, String> generations,
      double seconds,
      Long changedNeurons,
      Long changedParameters) {}

  private final TinyStoriesConfig s;
  private final RunDirectory run;
  private final Device device;
  private final boolean resume;
  private final boolean reportOnly;
  private final Set<String> methods;
  private TinyStoriesData data;
  // filled by each seed's base stage, read by its filtering and RMU stages (other threads)
  private final Map<Long, Gpt> baseModels = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Long, Losses> baseLosses = new java.util.concurrent.ConcurrentHashMap<>();

  public TinyStoriesRun(TinyStoriesConfig settings, RunDirectory run, Device device, boolean resume) {
    this(settings, run, device, resume, false);
  }

  /**
   * @param reportOnly train nothing: collect the stages finished in the run folder (a run resumed,
   *     or stages of parallel runs copied together) and leave out the ones not there
   */
  public TinyStoriesRun(TinyStoriesConfig settings, RunDirectory run, Device device, boolean resume, boolean reportOnly) {
    if (reportOnly && !resume) throw new IllegalArgumentException("a report-only run reads a finished run: it needs --resume");
    this.s = settings;
    this.run = run;
    this.device = device;
    this.resume = resume;
    this.reportOnly = reportOnly;
    this.methods = methodSet(settings.methods);
  }

  static Set<String> methodSet(List<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (String n : names) {
      String m = n.trim().toLowerCase(java.util.Locale.ROOT);
      if (m.equals("all")) out.addAll(METHODS);
      else if (METHODS.contains(m)) out.add(m);
      else throw new IllegalArgumentException("unknown method '" + n + "' (expected era, filter, rmu, masks, localft, control, base or all)");
    }
    if (out.stream().anyMatch(FROM_BASE::contains)) out.add("base"); // their reference, and the post-hoc methods' start
    return out;
  }

  /**
   * Every stage of every seed, {@code workers} of them side by side ({@link SideBySide}: each
   * single-threaded on the CPU, so the numbers do not depend on the worker count). Filtering and
   * RMU start once their seed's base model is trained; the others at once.
   */
  public List<MethodResult> run(int workers) throws IOException {
    long t0 = System.nanoTime();
    data = TinyStoriesData.load(s, run.path("tokenizer"));
    log.info("{}; {} training stories, validation {} retain / {} forget, vocabulary {}", data.description, data.streamSize,
        data.valRetain.size(), data.valForget.size(), data.tokenizer.vocabSize());
    log.info("data ready in {} s", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    List<CompletableFuture<MethodResult>> stages = new ArrayList<>();
    try (SideBySide jobs = new SideBySide(workers, device.is_cpu())) {
      for (long seed : s.seeds) submitSeed(jobs, seed, stages);
      jobs.awaitAll();
    } finally {
      for (Gpt m : baseModels.values()) m.close();
      baseModels.clear();
    }
    List<MethodResult> results = new ArrayList<>();
    for (CompletableFuture<MethodResult> f : stages) add(results, SideBySide.result(f));
    return results;
  }

  public TinyStoriesData data() {
    return data;
  }

  // --------------------------------------------------------------------------------------- seeds

  /** Submits the seed's stages, in the order their results are reported. */
  private void submitSeed(SideBySide jobs, long seed, List<CompletableFuture<MethodResult>> out) throws IOException {
    int n = data.train.size();
    Map<Double, int[]> labels = new LinkedHashMap<>();
    for (double p : s.oversight) labels.put(p, PartialOversight.labels(data.trainForget, p, seed));
    int[] order = new int[data.streamSize];
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < data.streamSize; i++) idx.add(i);
    Collections.shuffle(idx, new Random(seed));
    for (int i = 0; i < order.length; i++) order[i] = idx.get(i);
    int[] allRetain = new int[n];
    Arrays.fill(allRetain, ForgetLabels.RETAIN);

    if (seed == s.seeds.get(0) && s.synthetic()) writeFactExposure(seed, order, labels);
    List<CompletableFuture<MethodResult>> afterBase = new ArrayList<>();
    if (methods.contains("base")) {
      CompletableFuture<MethodResult> base = jobs.submit(() -> stage(seed, "base", null, () -> trainPlain(seed, "base", null, order, allRetain)),
          List.of(), priority("base"));
      afterBase.add(base);
      out.add(base);
    }
    for (double p : s.oversight) {
      int[] lab = labels.get(p);
      if (methods.contains("era")) out.add(jobs.submit(() -> stage(seed, "era", p, () -> trainEra(seed, p, order, lab, true)), List.of(), priority("era")));
      if (methods.contains("filter")) {
        out.add(jobs.submit(() -> stage(seed, "filter", p, () -> trainPlain(seed, "filter", p, order, lab)), afterBase, priority("filter")));
      }
      if (s.rmuOversight.isEmpty() || s.rmuOversight.contains(p)) {
        if (methods.contains("rmu")) out.add(jobs.submit(() -> stage(seed, "rmu", p, () -> rmu(seed, p, order, lab)), afterBase, priority("rmu")));
        if (methods.contains("masks")) {
          out.add(jobs.submit(() -> stage(seed, "masks", p, () -> postHoc(seed, "masks", p, order, lab)), afterBase, priority("masks")));
        }
        if (methods.contains("localft")) {
          out.add(jobs.submit(() -> stage(seed, "localft", p, () -> postHoc(seed, "localft", p, order, lab)), afterBase, priority("localft")));
        }
      }
    }
    if (methods.contains("control")) {
      int[] lab = labels.values().iterator().next();
      out.add(jobs.submit(() -> stage(seed, "control", null, () -> trainEra(seed, Double.NaN, order, lab, false)), List.of(), priority("control")));
    }
  }

  /**
   * Which stage a free worker takes first: base, which filtering and RMU wait for, then the longer
   * stages before the shorter (default run ts-default-s9: ERA 111 s, filtering 91 s, control 84 s, RMU 62 s), so
   * the run does not end with one long stage alone.
   */
  private static int priority(String method) {
    return switch (method) {
      case "base" -> 4;
      case "era" -> 3;
      case "filter" -> 2;
      case "control" -> 1;
      default -> 0;
    };
  }

  /**
   * How often each forest fact is stated in what each method trains on (base and ERA: the first
   * steps × batch stories of the stream; filtering at p: the first steps × batch kept ones) and in
   * the first attack set: facts.csv and facts.md.
   */
  private void writeFactExposure(long seed, int[] order, Map<Double, int[]> labels) throws IOException {
    ForestFactExposure facts = new ForestFactExposure(data.tokenizer);
    int need = s.steps * s.batch;
    Map<String, Map<String, Integer>> streams = new LinkedHashMap<>();
    List<long[]> all = new ArrayList<>(need);
    for (int k = 0; k < need; k++) all.add(data.train.get(order[k]));
    streams.put("base_era", facts.counts(all, s.forestEntities));
    for (Map.Entry<Double, int[]> e : labels.entrySet()) {
      List<long[]> kept = new ArrayList<>(need);
      for (int i : order) {
        if (kept.size() == need) break;
        if (e.getValue()[i] != ForgetLabels.FORGET) kept.add(data.train.get(i));
      }
      streams.put("filter_p" + e.getKey(), facts.counts(kept, s.forestEntities));
    }
    streams.put("attack", facts.counts(attackSplit(seed, 0).attack(), s.forestEntities));
    ForestFactExposure.table(streams).write(run.path("facts.csv"));
    StringBuilder md = new StringBuilder("Times each forest fact is stated (seed " + seed + "):\n\n");
    streams.forEach((name, counts) -> md.append("- ").append(name).append(": ").append(ForestFactExposure.summary(counts)).append('\n'));
    gradroute.report.AtomicFiles.writeString(run.path("facts.md"), md.toString());
    log.info("forest facts stated: {}", md.toString().replace("\n\n", " ").replace("\n", "; "));
  }

  /** One repetition's split of F_val: the attack stories and the forget test set of the retraining attack. */
  record AttackSplit(List<long[]> attack, List<long[]> test) {}

  AttackSplit attackSplit(long seed, int rep) {
    List<long[]> pool = new ArrayList<>(data.valForget);
    Collections.shuffle(pool, new Random(seed * 7919 + rep));
    return new AttackSplit(pool.subList(0, s.attackStories), pool.subList(s.attackStories, pool.size()));
  }

  private static void add(List<MethodResult> out, MethodResult r) {
    if (r != null) out.add(r);
  }

  private interface StageBody {
    MethodResult run() throws IOException;
  }

  static String key(long seed, String method, Double p) {
    return "s" + seed + "-" + method + (p == null ? "" : "-p" + p);
  }

  private MethodResult stage(long seed, String method, Double p, StageBody body) throws IOException {
    String key = key(seed, method, p);
    Path file = run.path("stages/" + key + ".json");
    if (resume && Files.exists(file)) {
      MethodResult r = Json.read(file, MethodResult.class);
      log.info("{}: done in an earlier run, skipped", key);
      if (method.equals("base")) {
        baseLosses.put(seed, r.fin());
        if (methods.stream().anyMatch(m -> m.equals("rmu") || m.equals("masks") || m.equals("localft")) && !reportOnly) baseModels.put(seed, Gpt.load(run.path("models/" + key + ".pt"), device));
      }
      return r;
    }
    if (reportOnly) {
      log.info("{}: not in {}, left out of the report", key, run.root());
      return null;
    }
    long t0 = System.nanoTime();
    MethodResult r = body.run();
    MethodResult timed = new MethodResult(r.seed(), r.method(), r.p(), r.trainSteps(), r.trainSeconds(), r.trained(), r.ablated(),
        r.coherent(), r.fin(), r.forgetBefore(), r.coherenceBestStep(), r.coherenceSelection(), r.attackSteps(),
        r.attackForget(), r.attackMin(), r.attackSeconds(), r.generations(), (System.nanoTime() - t0) / 1e9, r.changedNeurons(),
        r.changedParameters());
    Json.write(file, timed);
    log.info("{}: forget {} retain {} (trained {} / {}), min forget after attack {}, {} s", key, f4(r.fin().forget()),
        f4(r.fin().retain()), f4(r.trained().forget()), f4(r.trained().retain()), f4(r.attackMin()), String.format("%.0f", timed.seconds()));
    return timed;
  }

  // ---------------------------------------------------------------------------------- methods

  GptConfig originalConfig() {
    int[] widths = new int[s.nLayers];
    Arrays.fill(widths, s.dMlp);
    return new GptConfig(s.nLayers, s.dModel, s.nHeads, s.dHead, widths, data.tokenizer.vocabSize(), s.nCtx, s.attnScale,
        1e-5, 0.8 / Math.sqrt(s.dModel));
  }

  private AdamWConfig trainOptimizer() {
    return AdamWConfig.of(s.peakLr, s.beta1, s.beta2, s.weightDecay);
  }

  private LrSchedule schedule() {
    return new LrSchedule(s.peakLr, s.minLr, s.warmup, s.steps);
  }

  private TokenBatch batchOf(List<Integer> storyIds) {
    List<long[]> seqs = new ArrayList<>(storyIds.size());
    for (int i : storyIds) seqs.add(data.train.get(i));
    return new TokenBatch(seqs, s.nCtx + 1, data.bos);
  }

  /** Base (all stories) or data filtering (labelled forget stories dropped); both train ERA's steps on the full LR schedule. */
  private MethodResult trainPlain(long seed, String method, Double p, int[] order, int[] labels) throws IOException {
    List<Integer> kept = new ArrayList<>();
    for (int i : order) if (labels[i] != ForgetLabels.FORGET) kept.add(i);
    int steps = s.steps; // filtering trains as many steps as ERA, on the full schedule (the stream has a reserve for it)
    if (kept.size() < steps * s.batch) {
      throw new IllegalStateException(key(seed, method, p) + ": " + kept.size() + " stories are left after filtering; "
          + steps + " steps × " + s.batch + " need " + steps * s.batch);
    }
    String key = key(seed, method, p);
    Gpt model = Gpt.create(originalConfig(), device, seed);
    LmTrainer trainer = new LmTrainer(model, EraPipeline.trainerSettings(trainOptimizer()), schedule(),
        step -> new LmTrainer.Batch(batchOf(kept.subList((int) step * s.batch, (int) (step + 1) * s.batch)), null), null, null);
    long t0 = System.nanoTime();
    History h = new TrainingLoop(key, steps, s.logEvery, new Checkpoint(run.path("checkpoints"), key), s.checkpointEvery)
        .run(trainer, resume);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    writeHistory(key, h);
    model.save(run.path("models/" + key + ".pt"));
    Losses trained = losses(model);
    Map<String, String> gens = new LinkedHashMap<>();
    generate(model, "trained", gens);
    Attack a = attack(key, model, seed);
    if (method.equals("base")) {
      baseLosses.put(seed, trained);
      baseModels.put(seed, model);
    } else {
      model.close();
    }
    double before = method.equals("base") ? trained.forget() : baseForget(seed);
    return new MethodResult(seed, method, p, steps, trainSeconds, trained, null, null, trained, before, null, null, a.steps,
        a.forget, a.min, a.seconds, gens, 0, null, null);
  }

  /** ERA (routing on) or its control (same expansion and L1, nothing routed), through the library's {@link EraPipeline}. */
  private MethodResult trainEra(long seed, double p, int[] order, int[] labels, boolean routing) throws IOException {
    String method = routing ? "era" : "control";
    Double pKey = routing ? p : null;
    String key = key(seed, method, pKey);
    GptConfig original = originalConfig();
    // the expanded model is freshly initialised throughout (as in the paper, init runs again after expansion)
    EraPipeline.Spec spec = new EraPipeline.Spec(ExpansionSpec.mlp(s.expandLayers, s.expandNeurons, 1.0, seed + 1_000_003L),
        new EraRouting.Spec(s.expandLayers, s.alphaOriginal, 1.0, s.offTargetExpanded, s.l1, s.l1AddedOnly), routing,
        trainOptimizer(), schedule());
    SoftTokenRule weights = routing ? tokenWeights(seed, p, labels) : null;
    LmTrainer.BatchSource batches = step -> {
      List<Integer> ids = new ArrayList<>(s.batch);
      boolean[] routed = new boolean[s.batch];
      for (int i = 0; i < s.batch; i++) {
        int story = order[(int) step * s.batch + i];
        ids.add(story);
        routed[i] = labels[story] == ForgetLabels.FORGET;
      }
      return new LmTrainer.Batch(batchOf(ids), routed);
    };
    Map<EraPipeline.Stage, Losses> stageLosses = new LinkedHashMap<>();
    Map<String, String> gens = new LinkedHashMap<>();
    EraPipeline.Stages stages = new EraPipeline.Stages() {
      private History history;

      @Override
      public History train(LmTrainer trainer) throws IOException {
        history = new TrainingLoop(key, s.steps, s.logEvery, new Checkpoint(run.path("checkpoints"), key), s.checkpointEvery)
            .run(trainer, resume);
        return history;
      }

      @Override
      public void after(EraPipeline.Stage stage, Gpt model) throws IOException {
        switch (stage) {
          case TRAINED -> {
            writeHistory(key, history);
            model.save(run.path("models/" + key + ".pt"));
            stageLosses.put(stage, losses(model));
            generate(model, "before ablation", gens);
          }
          case ABLATED -> {
            stageLosses.put(stage, losses(model));
            generate(model, "after ablation", gens);
          }
          case COHERENT -> {
            stageLosses.put(stage, losses(model));
            generate(model, "after coherence", gens);
            model.save(run.path("models/" + key + "-final.pt"));
          }
        }
      }
    };
    EraPipeline.Result era = EraPipeline.run(key, Gpt.create(original, device, seed), spec, batches, weights, coherence(), stages);
    try (Gpt ablated = era.model()) {
      Attack a = routing ? attack(key, ablated, seed) : Attack.NONE;
      Losses trained = stageLosses.get(EraPipeline.Stage.TRAINED);
      Losses coherent = stageLosses.get(EraPipeline.Stage.COHERENT);
      return new MethodResult(seed, method, pKey, s.steps, era.trainSeconds(), trained,
          stageLosses.get(EraPipeline.Stage.ABLATED), coherent, coherent, trained.forget(), era.coherence().bestStep(),
          era.coherence().selectionLosses(), a.steps, a.forget, a.min, a.seconds, gens, 0, null, null);
    }
  }

  /** RMU from the base model of the seed; labelled forget stories as the forget set, the rest as retain. */
  private MethodResult rmu(long seed, double p, int[] order, int[] labels) throws IOException {
    Gpt base = baseModels.get(seed);
    if (base == null) throw new IllegalStateException("RMU needs the base model of seed " + seed);
    String key = key(seed, "rmu", p);
    List<Integer> forget = new ArrayList<>(), retain = new ArrayList<>();
    for (int i : order) (labels[i] == ForgetLabels.FORGET ? forget : retain).add(i);
    if (forget.isEmpty()) throw new IllegalArgumentException("RMU at p = " + p + ": no labelled forget stories");
    int layer = Arrays.stream(s.expandLayers).max().getAsInt() + 1;
    layer = Math.min(layer, s.nLayers);
    int[] trainLayers = new int[layer];
    for (int l = 0; l < layer; l++) trainLayers[l] = l;
    Gpt model = base.copy();
    int b = s.rmuBatch;
    TokenBatch probe = batchOf(retain.subList(0, Math.min(b, retain.size())));
    double norm = Rmu.residualNorm(base, probe, layer);
    double coeff = s.rmuCoeff > 0 ? s.rmuCoeff : s.rmuCoeffScale * norm;
    Rmu.Spec spec = new Rmu.Spec(layer, trainLayers, coeff, s.rmuAlpha, s.rmuSteps, AdamWConfig.of(s.rmuLr, 0.9, 0.999, 0.01));
    log.info("{}: {} (mean residual norm entering block {}: {})", key, spec, layer, f4(norm));
    long t0 = System.nanoTime();
    History h = Rmu.run(key, model, step -> batchOf(cycle(forget, (int) step, b)), step -> batchOf(cycle(retain, (int) step, b)),
        spec, seed);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    h.writeCsv(run.path("training/" + key + ".csv"), "step", "loss", "forget_loss", "retain_loss");
    model.save(run.path("models/" + key + ".pt"));
    Losses fin = losses(model);
    Map<String, String> gens = new LinkedHashMap<>();
    generate(model, "after RMU", gens);
    Attack a = attack(key, model, seed);
    model.close();
    return new MethodResult(seed, "rmu", p, s.rmuSteps, trainSeconds, baseLosses.get(seed), null, null, fin, baseForget(seed), null,
        null, a.steps, a.forget, a.min, a.seconds, gens, 0, null, null);
  }

  /**
   * A post-hoc method from the base model of the seed, on ERA's expand layers, with the labelled
   * forget stories as forget set and the rest as retain: learned neuron masks (then ablated) or
   * localised fine-tuning of the expandNeurons neurons per layer with the largest attribution.
   */
  private MethodResult postHoc(long seed, String method, double p, int[] order, int[] labels) throws IOException {
    Gpt base = baseModels.get(seed);
    if (base == null) throw new IllegalStateException(method + " needs the base model of seed " + seed);
    String key = key(seed, method, p);
    List<Integer> forget = new ArrayList<>(), retain = new ArrayList<>();
    for (int i : order) (labels[i] == ForgetLabels.FORGET ? forget : retain).add(i);
    if (forget.isEmpty()) throw new IllegalArgumentException(method + " at p = " + p + ": no labelled forget stories");
    int b = s.posthocBatch;
    LongFunction<TokenBatch> forgetBatches = step -> batchOf(cycle(forget, (int) step, b));
    LongFunction<TokenBatch> retainBatches = step -> batchOf(cycle(retain, (int) step, b));
    UnlearningObjective.ForgetLoss kind = UnlearningObjective.ForgetLoss.fromId(s.posthocForgetLoss);
    Gpt model = base.copy();
    long t0 = System.nanoTime();
    PostHocUnlearning.Outcome o;
    int steps;
    if (method.equals("masks")) {
      steps = s.maskSteps;
      UnlearningObjective objective = new UnlearningObjective(kind, s.posthocForgetWeight, 1, s.maskSparsity, 0);
      o = PostHocUnlearning.maskNeurons(key, model, s.expandLayers, ClampedMask.Penalty.L1, new MaskTraining.Spec(objective, s.maskLr, 0, 0.5),
          steps, forgetBatches, retainBatches);
    } else {
      steps = s.localFtSteps;
      UnlearningObjective objective = new UnlearningObjective(kind, s.posthocForgetWeight, 1, 0, 0);
      o = PostHocUnlearning.localisedFineTune(key, model, s.expandLayers, s.expandNeurons, forgetBatches.apply(0), objective, s.localFtLr,
          steps, forgetBatches, retainBatches);
    }
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    log.info("{}: {} neurons ({} parameters) {}: {}", key, o.neuronCount(), o.parameterCount(), method.equals("masks") ? "ablated" : "trained",
        o.neurons());
    o.history().writeCsv(run.path("training/" + key + ".csv"), "step", "loss", "forget_loss", "retain_loss");
    model.save(run.path("models/" + key + ".pt"));
    Losses fin = losses(model);
    Map<String, String> gens = new LinkedHashMap<>();
    generate(model, "after " + method, gens);
    Attack a = attack(key, model, seed);
    model.close();
    return new MethodResult(seed, method, p, steps, trainSeconds, baseLosses.get(seed), null, null, fin, baseForget(seed), null,
        null, a.steps, a.forget, a.min, a.seconds, gens, 0, o.neuronCount(), o.parameterCount());
  }

  private static List<Integer> cycle(List<Integer> pool, int step, int b) {
    List<Integer> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) out.add(pool.get((int) (((long) step * b + i) % pool.size())));
    return out;
  }

  private double baseForget(long seed) {
    Losses b = baseLosses.get(seed);
    return b == null ? Double.NaN : b.forget();
  }

  // ------------------------------------------------------------------------------- pieces

  /**
   * Token weights from forget vs retain training stories, as {@link TinyStoriesConfig#tokenWeightsFrom}
   * says: by the partial labels (strict), or by the keyword rule (the reference code's rule).
   */
  SoftTokenRule tokenWeights(long seed, double p, int[] labels) throws IOException {
    boolean[] counted = tokenWeightForget(s.tokenWeightsFrom, labels, data.trainForget);
    List<int[]> forget = new ArrayList<>(), retain = new ArrayList<>();
    for (int i = 0; i < data.streamSize; i++) {
      long[] seq = data.train.get(i);
      int[] body = new int[seq.length - 1];
      for (int k = 1; k < seq.length; k++) body[k - 1] = (int) seq[k];
      if (counted[i]) {
        if (forget.size() < s.frequencyStories) forget.add(body);
      } else if (retain.size() < s.frequencyStories) {
        retain.add(body);
      }
    }
    TokenFrequencyWeights w = TokenFrequencyWeights.fromTokens(data.tokenizer.vocabSize(), forget, retain);
    if (seed == s.seeds.get(0)) {
      CsvTable t = CsvTable.withColumns("word", "token", "ratio", "weight", "original_dims_gate");
      for (String word : PROBE_WORDS) {
        try {
          int id = TinyStoriesData.singleToken(data.tokenizer, word);
          t.addRow(word, id, w.ratio(id), (double) w.weight(id), (double) w.originalDimsGate(id, (float) s.alphaOriginal));
        } catch (IllegalArgumentException e) {
          log.debug("token weight table: {}", e.getMessage());
        }
      }
      t.write(run.path("token_weights_p" + p + ".csv"));
    }
    return new SoftTokenRule(w.weights());
  }

  /** The stories the token weights count as forget: by the partial labels, or by the keyword rule (every true forget story). */
  static boolean[] tokenWeightForget(String from, int[] labels, boolean[] keywordForget) {
    if (labels.length != keywordForget.length) {
      throw new IllegalArgumentException(labels.length + " labels for " + keywordForget.length + " stories");
    }
    TinyStoriesConfig.requireTokenWeightRule(from);
    if (from.equals("keywords")) return keywordForget.clone();
    boolean[] out = new boolean[labels.length];
    for (int i = 0; i < out.length; i++) out[i] = labels[i] == ForgetLabels.FORGET;
    return out;
  }

  /**
   * The coherence fine-tune's data: a fixed batch of true retain stories (by the keyword rule, not
   * the partial labels) and held-out true retain stories to select the step by.
   */
  private EraPipeline.CoherenceSpec coherence() {
    List<long[]> tune = new ArrayList<>(), select = new ArrayList<>();
    for (int i = data.streamSize; i < data.train.size(); i++) {
      if (data.trainForget[i]) continue; // true retain stories, as the paper's coherence step uses, whatever the oversight
      if (tune.size() < s.coherenceStories) tune.add(data.train.get(i));
      else if (select.size() < s.coherenceSelectionStories) select.add(data.train.get(i));
    }
    if (tune.isEmpty() || select.isEmpty()) throw new IllegalStateException("no retain stories left for the coherence fine-tune");
    LmEval selection = new LmEval(select, s.evalBatch, s.nCtx + 1, data.bos);
    TokenBatch batch = new TokenBatch(tune, s.nCtx + 1, data.bos);
    return new EraPipeline.CoherenceSpec(batch, selection::loss, s.coherenceSteps,
        AdamWConfig.of(s.coherenceLr, s.beta1, s.beta2, s.weightDecay));
  }

  private TinyStoriesEvaluation evaluation;

  Losses losses(Gpt model) {
    return evaluation().losses(model);
  }

  private synchronized TinyStoriesEvaluation evaluation() {
    if (evaluation == null) evaluation = new TinyStoriesEvaluation(s, data);
    return evaluation;
  }

  private record Attack(int[] steps, double[] forget, double min, double seconds) {
    static final Attack NONE = new Attack(null, null, Double.NaN, 0);
  }

  /** Retraining attacks averaged over repetitions, each with its own split of F_val. */
  private Attack attack(String key, Gpt model, long seed) {
    long t0 = System.nanoTime();
    RetrainingAttack.Spec spec = new RetrainingAttack.Spec(s.attackSteps, s.attackEvalEvery,
        AdamWConfig.of(s.attackLr, s.beta1, s.beta2, 0.01), 0);
    double[] sum = null;
    int[] steps = null;
    for (int rep = 0; rep < s.attackRepetitions; rep++) {
      AttackSplit split = attackSplit(seed, rep);
      TokenBatch attack = new TokenBatch(split.attack(), s.nCtx + 1, data.bos);
      LmEval test = new LmEval(split.test(), s.evalBatch, s.nCtx + 1, data.bos);
      RetrainingAttack.Curve c = RetrainingAttack.run(key + " attack " + rep, model, attack, test::loss, spec);
      if (sum == null) {
        sum = new double[c.forgetLoss().length];
        steps = c.steps();
      }
      for (int i = 0; i < sum.length; i++) sum[i] += c.forgetLoss()[i];
    }
    double min = Double.POSITIVE_INFINITY;
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= s.attackRepetitions;
      min = Math.min(min, sum[i]);
    }
    return new Attack(steps, sum, min, (System.nanoTime() - t0) / 1e9);
  }

  private void generate(Gpt model, String label, Map<String, String> out) {
    long[] prompt = data.prompt(s.prompt, s.nCtx);
    long[] greedy = Generation.generate(model, prompt, s.generateTokens, Generation.Sampling.GREEDY, 0, data.bos);
    long[] sampled = Generation.generate(model, prompt, s.generateTokens, Generation.Sampling.of(0.8, 20), 1, data.bos);
    out.put(label + " (greedy)", s.prompt + decode(greedy));
    out.put(label + " (T=0.8, top-20)", s.prompt + decode(sampled));
  }

  private String decode(long[] tokens) {
    int n = tokens.length;
    if (n > 0 && tokens[n - 1] == data.bos) n--;
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = (int) tokens[i];
    return data.tokenizer.decode(ids);
  }

  private void writeHistory(String key, History h) throws IOException {
    h.writeCsv(run.path("training/" + key + ".csv"), "step", "loss", "ce", "l1", "lr");
  }
}
