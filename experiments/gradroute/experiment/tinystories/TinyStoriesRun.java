package gradroute.experiment.tinystories;

import static gradroute.report.Numbers.f4;

import gradroute.model.Gpt;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.runtime.SideBySide;
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
  private TinyStoriesEvaluation evaluation;
  private TinyStoriesMethods methodStages;
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
    this.methods = methodSet(settings.methods());
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
    evaluation = new TinyStoriesEvaluation(s, data);
    methodStages = new TinyStoriesMethods(s, data, run, device, resume, evaluation, baseModels, baseLosses);
    List<CompletableFuture<MethodResult>> stages = new ArrayList<>();
    try (SideBySide jobs = new SideBySide(workers, device.is_cpu())) {
      for (long seed : s.seeds()) submitSeed(jobs, seed, stages);
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
    for (double p : s.oversight()) labels.put(p, PartialOversight.labels(data.trainForget, p, seed));
    int[] order = new int[data.streamSize];
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < data.streamSize; i++) idx.add(i);
    Collections.shuffle(idx, new Random(seed));
    for (int i = 0; i < order.length; i++) order[i] = idx.get(i);
    int[] allRetain = new int[n];
    Arrays.fill(allRetain, ForgetLabels.RETAIN);

    if (seed == s.seeds().get(0) && s.synthetic()) writeFactExposure(seed, order, labels);
    List<CompletableFuture<MethodResult>> afterBase = new ArrayList<>();
    if (methods.contains("base")) {
      CompletableFuture<MethodResult> base = jobs.submit(() -> stage(seed, "base", null, () -> methodStages.trainPlain(seed, "base", null, order, allRetain)),
          List.of(), priority("base"));
      afterBase.add(base);
      out.add(base);
    }
    for (double p : s.oversight()) {
      int[] lab = labels.get(p);
      if (methods.contains("era")) out.add(jobs.submit(() -> stage(seed, "era", p, () -> methodStages.trainEra(seed, p, order, lab, true)), List.of(), priority("era")));
      if (methods.contains("filter")) {
        out.add(jobs.submit(() -> stage(seed, "filter", p, () -> methodStages.trainPlain(seed, "filter", p, order, lab)), afterBase, priority("filter")));
      }
      if (s.rmuOversight().isEmpty() || s.rmuOversight().contains(p)) {
        if (methods.contains("rmu")) out.add(jobs.submit(() -> stage(seed, "rmu", p, () -> methodStages.rmu(seed, p, order, lab)), afterBase, priority("rmu")));
        if (methods.contains("masks")) {
          out.add(jobs.submit(() -> stage(seed, "masks", p, () -> methodStages.postHoc(seed, "masks", p, order, lab)), afterBase, priority("masks")));
        }
        if (methods.contains("localft")) {
          out.add(jobs.submit(() -> stage(seed, "localft", p, () -> methodStages.postHoc(seed, "localft", p, order, lab)), afterBase, priority("localft")));
        }
      }
    }
    if (methods.contains("control")) {
      int[] lab = labels.values().iterator().next();
      out.add(jobs.submit(() -> stage(seed, "control", null, () -> methodStages.trainEra(seed, Double.NaN, order, lab, false)), List.of(), priority("control")));
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
    int need = s.steps() * s.batch();
    Map<String, Map<String, Integer>> streams = new LinkedHashMap<>();
    List<long[]> all = new ArrayList<>(need);
    for (int k = 0; k < need; k++) all.add(data.train.get(order[k]));
    streams.put("base_era", facts.counts(all, s.forestEntities()));
    for (Map.Entry<Double, int[]> e : labels.entrySet()) {
      List<long[]> kept = new ArrayList<>(need);
      for (int i : order) {
        if (kept.size() == need) break;
        if (e.getValue()[i] != ForgetLabels.FORGET) kept.add(data.train.get(i));
      }
      streams.put("filter_p" + e.getKey(), facts.counts(kept, s.forestEntities()));
    }
    streams.put("attack", facts.counts(evaluation.attackSplit(seed, 0).attack(), s.forestEntities()));
    ForestFactExposure.table(streams).write(run.path("facts.csv"));
    StringBuilder md = new StringBuilder("Times each forest fact is stated (seed " + seed + "):\n\n");
    streams.forEach((name, counts) -> md.append("- ").append(name).append(": ").append(ForestFactExposure.summary(counts)).append('\n'));
    gradroute.report.AtomicFiles.writeString(run.path("facts.md"), md.toString());
    log.info("forest facts stated: {}", md.toString().replace("\n\n", " ").replace("\n", "; "));
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
}
