package gradroute.experiment.minigrid;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import gradroute.experiment.ConsoleSummary;
import gradroute.experiment.minigrid.Method;
import gradroute.report.CsvTable;
import gradroute.report.Json;
import gradroute.plot.Plots;
import gradroute.report.RunDirectory;
import gradroute.rl.agent.PolicyView;
import gradroute.rl.agent.RoutedPolicy;
import gradroute.rl.reinforce.PolicyMaps;
import gradroute.rl.env.GridRenderer;
import gradroute.rl.env.GridworldConfig;
import gradroute.rl.reinforce.AgentConfig;
import gradroute.rl.reinforce.Evaluation;
import gradroute.rl.reinforce.ReinforceTrainer;
import gradroute.runtime.Seeds;
import gradroute.runtime.SideBySide;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The oversight experiment: trains every method × oversight level × seed, evaluates each run's
 * policies on fresh environments, and writes per-run results, {@code summary.json}, CSV tables and
 * plots into a {@link RunDirectory}. Each run checkpoints into {@code runs/<id>/}; with {@code resume}
 * finished runs are read back and unfinished ones continue from their last checkpoint.
 */
public final class OversightSweep {
  private static final Logger log = LoggerFactory.getLogger(OversightSweep.class);
  /** libtorch and OpenBLAS threads of each run on the CPU, fixed so that results do not depend on the workers. */
  public static final int THREADS_PER_RUN = SideBySide.THREADS_PER_JOB;

  /** One trained run: its evaluations (one per policy view) and learning curve. */
  public record RunResult(
      String id,
      String method,
      double oversight,
      int seed,
      long updates,
      double wallSeconds,
      double secondsPerUpdate,
      double envShareOfUpdate,
      AgentConfig config,
      List<Evaluation.Result> evaluations,
      double[] curveUpdates,
      double[] curveReturn,
      double[] curveGhostRateUnseen) {

    Evaluation.Result view(PolicyView v) {
      for (Evaluation.Result r : evaluations) {
        if (r.view().equals(v.label())) {
          return r;
        }
      }
      return null;
    }
  }

  /** Mean, sample standard deviation, min and max over seeds (NaN entries skipped). */
  public record Stat(double mean, double sd, double min, double max, int n) {
    static Stat of(List<Double> values) {
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      int n = 0;
      for (double v : values) {
        if (Double.isNaN(v)) continue;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
        n++;
      }
      if (n == 0) {
        return new Stat(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
      }
      double mean = sum / n;
      double ss = 0;
      for (double v : values) {
        if (!Double.isNaN(v)) ss += (v - mean) * (v - mean);
      }
      return new Stat(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : 0.0, min, max, n);
    }
  }

  /** One method × policy view × oversight level, over seeds. */
  public record Cell(
      String method,
      String view,
      boolean headline,
      double oversight,
      Stat ghostRateGhostUnseen,
      Stat diamondRateGhostUnseen,
      Stat ghostRateGhostSeen,
      Stat diamondRateGhostSeen,
      Stat meanReturn,
      Stat ghostRate,
      Stat diamondRate) {}

  /**
   * @param wallSeconds this invocation's wall time (a resumed sweep counts only its own part)
   * @param runSeconds the runs' training and evaluation times added up, resumed ones included
   * @param workers runs trained side by side (changes the wall time, not the numbers)
   * @param threadsPerRun libtorch intra-op and OpenBLAS threads of each run on the CPU (-1 on a GPU);
   *     fixed, because the thread count changes libtorch's sums and so the numbers
   */
  @JsonIgnoreProperties(ignoreUnknown = true) // summary.json also holds the run record (RunDirectory.writeSummary)
  public record Summary(
      MinigridConfig settings,
      String device,
      double wallSeconds,
      double runSeconds,
      double trainSecondsPerUpdateRouted,
      String headline,
      List<Cell> cells,
      List<Criteria.Criterion> criteria,
      int workers,
      int threadsPerRun) {}

  private final MinigridConfig settings;
  private final Device device;
  private final RunDirectory run;
  private final boolean resume;
  private final int workers;
  private List<Cell> sameAsCells;
  private String sameAsName;

  /**
   * @param workers runs trained side by side (each in its own thread); on the CPU each runs with
   *     {@link #THREADS_PER_RUN} libtorch and OpenBLAS threads, so the worker count changes only the wall time
   */
  public OversightSweep(MinigridConfig settings, Device device, RunDirectory run, boolean resume, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be positive, got " + workers);
    }
    this.settings = settings;
    this.device = device;
    this.run = run;
    this.resume = resume;
    this.workers = workers;
  }

  /** A run to train: its place in the result order and what it costs (for scheduling). */
  private record Job(int order, Method method, double oversight, int seed) {
    double cost(long updates) {
      return method.updatesFor(updates, oversight) * (method.routedNetwork() ? 2.0 : 1.0);
    }
  }

  /**
   * Judges the reproducibility criterion against {@code cells}, the summary of run {@code name}: a run
   * of the same settings made with other worker or thread settings.
   */
  public OversightSweep sameAs(String name, List<Cell> cells) {
    this.sameAsName = name;
    this.sameAsCells = List.copyOf(cells);
    return this;
  }

  public static String runId(Method m, double oversight, int seed) {
    return m.shortName() + "-p" + fmtLevel(oversight) + "-s" + seed;
  }

  public Summary run() throws IOException {
    long start = System.nanoTime();
    List<Job> jobs = new ArrayList<>();
    for (double p : settings.oversight()) {
      for (int seed : settings.seeds()) {
        for (Method m : settings.methodList()) {
          jobs.add(new Job(jobs.size(), m, p, seed));
        }
      }
    }
    // longest first, so the workers finish together
    List<Job> schedule = new ArrayList<>(jobs);
    schedule.sort((a, b) -> Double.compare(b.cost(settings.updates()), a.cost(settings.updates())));
    RunResult[] done = new RunResult[jobs.size()];
    int total = jobs.size();
    java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
    // one intra-op thread per run whatever the worker count (SideBySide): libtorch's and OpenBLAS's
    // reductions split their sums by thread count, so a run's numbers would otherwise depend on --workers
    try (SideBySide pool = new SideBySide(Math.min(workers, jobs.size()), device.is_cpu())) {
      for (Job job : schedule) {
        pool.submit(() -> {
          int index = started.incrementAndGet();
          done[job.order()] = trainOne(job.method(), job.oversight(), job.seed(), index, total);
          return null;
        });
      }
      pool.awaitAll();
    }
    List<RunResult> results = java.util.Arrays.asList(done);
    double wall = (System.nanoTime() - start) / 1e9;
    Summary summary = summarise(results, wall);
    writeOutputs(results, summary);
    ConsoleSummary.print(console(summary), summary.wallSeconds(), run.root());
    return summary;
  }

  /** The console summary: each criterion's verdict, the table of cells, the headline and the runs' own time. */
  static String console(Summary summary) {
    StringBuilder b = new StringBuilder();
    for (Criteria.Criterion c : summary.criteria()) {
      b.append(String.format("criterion '%s' at oversight %s: %s%n", c.name(), c.oversight(),
          c.holds() == null ? "not measured" : c.holds() ? "holds" : "fails"));
    }
    b.append(summaryTable(summary.cells()).toMarkdown()).append('\n');
    b.append(summary.headline()).append('\n');
    b.append(String.format("the runs' own times add up to %.0f s", summary.runSeconds()));
    return b.toString();
  }

  private RunResult trainOne(Method method, double p, int seed, int index, int total) throws IOException {
    String id = runId(method, p, seed);
    Path dir = run.path("runs/" + id);
    Path resultFile = dir.resolve("result.json");
    AgentConfig config = settings.agent(method, p, seed);
    if (resume && Files.exists(resultFile)) {
      RunResult done = Json.read(resultFile, RunResult.class);
      if (done.config().equals(config)) {
        log.info("[{}/{}] {}: finished earlier, read back", index, total, id);
        return done;
      }
      log.info("[{}/{}] {}: finished earlier with another configuration, training again", index, total, id);
    }
    long start = System.nanoTime();
    ReinforceTrainer trainer = new ReinforceTrainer(config, device);
    int logEvery = config.evalEvery() > 0 ? config.evalEvery() : (int) Math.max(1, config.updates() / 50);
    Checkpoint checkpoint = new Checkpoint(dir, "checkpoint");
    if (!resume && checkpoint.exists()) {
      log.info("{}: ignoring the checkpoint of an earlier run (no --resume)", id);
    }
    TrainingLoop loop = new TrainingLoop(id, config.updates(), logEvery, checkpoint, config.segmentUpdates());
    History history = loop.run(trainer, resume);
    double trainSeconds = (System.nanoTime() - start) / 1e9;
    List<Evaluation.Result> evals = new ArrayList<>();
    for (PolicyView v : method.evaluatedViews()) {
      evals.add(trainer.evaluate(v, settings.finalEvalEnvs(), settings.finalEvalSteps(), Seeds.mix(seed, 4, 0)));
    }
    if (method.routedNetwork()) {
      writeExpertDiagnostics(id, trainer, history, dir);
    }
    if (method == Method.ROUTING) {
      GridRenderer.renderStripPng(
          Evaluation.episode(trainer.policy(), PolicyView.DIAMOND, GridworldConfig.of(1, p, Seeds.mix(seed, 5, 0)), 20, device),
          dir.resolve("steered_episode.png"), 24);
    }
    double[][] curve = history.series("eval_return");
    double[][] ghostCurve = history.series("eval_ghost_rate_unseen");
    RunResult result = new RunResult(id, method.id(), p, seed, config.updates(), (System.nanoTime() - start) / 1e9,
        trainer.secondsPerUpdate(), trainer.envSecondsPerUpdate() / trainer.secondsPerUpdate(), config, evals,
        curve[0], curve[1], ghostCurve[1]);
    Json.write(resultFile, result);
    history.writeCsv(dir.resolve("history.csv"), "update");
    Evaluation.Result head = result.view(method.headlineView());
    log.info(String.format(Locale.ROOT,
        "[%d/%d] %s: %d updates in %.0f s (%.3f s/update); %s policy: ghost rate (ghost unseen) %.3f, diamond rate %.3f, return %.3f",
        index, total, id, config.updates(), trainSeconds, trainer.secondsPerUpdate(), head.view(),
        head.ghostRateGhostUnseen(), head.diamondRateGhostUnseen(), head.meanReturn()));
    return result;
  }

  /** The gate's decision and both experts' policies per cell (PNG), and each expert's rates during training (plot). */
  private void writeExpertDiagnostics(String id, ReinforceTrainer trainer, History history, Path dir) throws IOException {
    List<PolicyMaps> maps = new ArrayList<>();
    for (int[] placement : PolicyMaps.standardPlacements(GridworldConfig.DEFAULT_SIZE)) {
      maps.add(PolicyMaps.of((RoutedPolicy) trainer.policy(), GridworldConfig.DEFAULT_SIZE, placement[0], placement[1], device));
    }
    PolicyMaps.writePng(maps, id + ": gate (blue = diamond expert) and policies per cell", dir.resolve("policy_maps.png"));
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (String expert : List.of("diamond", "ghost")) {
      for (String terminal : List.of("diamond", "ghost")) {
        double[][] c = history.series("eval_" + expert + "_expert_" + terminal + "_rate");
        if (c[0].length > 0) curves.put(expert + " expert: " + terminal + " rate", c);
      }
    }
    if (!curves.isEmpty()) {
      Plots.lineChart(id + ": each expert on its own during training", "update", "share of episodes", curves,
          dir.resolve("expert_rates.png"));
    }
  }

  Summary summarise(List<RunResult> results, double wall) {
    List<Cell> cells = new ArrayList<>();
    for (Method m : settings.methodList()) {
      for (PolicyView v : m.evaluatedViews()) {
        for (double p : settings.oversight()) {
          List<Evaluation.Result> rs = new ArrayList<>();
          for (RunResult r : results) {
            if (r.method().equals(m.id()) && r.oversight() == p && r.view(v) != null) rs.add(r.view(v));
          }
          if (rs.isEmpty()) continue;
          cells.add(new Cell(m.id(), v.label(), v == m.headlineView(), p,
              stat(rs, Evaluation.Result::ghostRateGhostUnseen),
              stat(rs, Evaluation.Result::diamondRateGhostUnseen),
              stat(rs, Evaluation.Result::ghostRateGhostSeen),
              stat(rs, Evaluation.Result::diamondRateGhostSeen),
              stat(rs, Evaluation.Result::meanReturn),
              stat(rs, Evaluation.Result::ghostRate),
              stat(rs, Evaluation.Result::diamondRate)));
        }
      }
    }
    double routedSeconds = Double.NaN;
    List<Double> perUpdate = new ArrayList<>();
    for (RunResult r : results) {
      if (r.method().equals(Method.ROUTING.id())) perUpdate.add(r.secondsPerUpdate());
    }
    if (!perUpdate.isEmpty()) routedSeconds = Stat.of(perUpdate).mean();
    double runSeconds = 0;
    for (RunResult r : results) runSeconds += r.wallSeconds();
    return new Summary(settings, device.str().getString(), wall, runSeconds, routedSeconds, headline(cells), cells,
        Criteria.of(results, settings.oversight(), settings.seeds(), sameAsCells, cells, sameAsName), workers,
        device.is_cpu() ? THREADS_PER_RUN : -1);
  }

  /** A sentence comparing the steered routed agent with naive and filtering at the lowest level. */
  static String headline(List<Cell> cells) {
    double lowest = cells.stream().mapToDouble(Cell::oversight).min().orElse(Double.NaN);
    Map<String, Stat> ghost = new LinkedHashMap<>();
    for (Cell c : cells) {
      if (c.headline() && c.oversight() == lowest) ghost.put(c.method(), c.ghostRateGhostUnseen());
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "oversight %s, ghost rate in episodes whose ghost is not overseen (mean ± sd over seeds):", fmtLevel(lowest)));
    for (var e : ghost.entrySet()) {
      s.append(String.format(Locale.ROOT, " %s %.3f ± %.3f;", e.getKey(), e.getValue().mean(), e.getValue().sd()));
    }
    return s.toString();
  }

  private interface Metric {
    double of(Evaluation.Result r);
  }

  private static Stat stat(List<Evaluation.Result> rs, Metric metric) {
    List<Double> values = new ArrayList<>();
    for (Evaluation.Result r : rs) values.add(metric.of(r));
    return Stat.of(values);
  }

  private void writeOutputs(List<RunResult> results, Summary summary) throws IOException {
    CsvTable runs = CsvTable.withColumns("method", "view", "oversight", "seed", "updates", "episodes", "mean_return",
        "diamond_rate", "ghost_rate", "diamond_rate_ghost_unseen", "ghost_rate_ghost_unseen", "diamond_rate_ghost_seen",
        "ghost_rate_ghost_seen", "overseen_diamond_share", "unseen_diamond_share", "overseen_ghost_share",
        "unseen_ghost_share", "mean_length", "wall_s", "s_per_update");
    for (RunResult r : results) {
      for (Evaluation.Result e : r.evaluations()) {
        runs.addRow(r.method(), e.view(), r.oversight(), r.seed(), r.updates(), e.episodes(), e.meanReturn(),
            e.diamondRate(), e.ghostRate(), e.diamondRateGhostUnseen(), e.ghostRateGhostUnseen(),
            e.diamondRateGhostSeen(), e.ghostRateGhostSeen(), e.overseenDiamondShare(), e.unseenDiamondShare(),
            e.overseenGhostShare(), e.unseenGhostShare(), e.meanLength(), r.wallSeconds(), r.secondsPerUpdate());
      }
    }
    runs.write(run.path("runs.csv"));
    CsvTable table = summaryTable(summary.cells());
    table.write(run.path("summary.csv"));
    plots(results, summary);
    Path strip = run.path("runs/" + runId(Method.ROUTING, settings.oversight().stream().min(Double::compare).get(), 0)
        + "/steered_episode.png");
    if (Files.exists(strip)) {
      gradroute.report.AtomicFiles.write(run.path("steered_episode.png"), Files.readAllBytes(strip));
    }
    run.writeSummary(summary); // last: a summary means every other file is there
  }

  /** The summary as a table: one row per method, view and oversight level. */
  public static CsvTable summaryTable(List<Cell> cells) {
    CsvTable table = CsvTable.withColumns("method", "view", "oversight", "seeds", "ghost_rate_ghost_unseen",
        "ghost_unseen_sd", "diamond_rate_ghost_unseen", "diamond_unseen_sd", "mean_return", "return_sd",
        "ghost_rate_ghost_seen", "diamond_rate_ghost_seen").withDecimals(3);
    for (Cell c : cells) {
      table.addRow(c.method(), c.view(), c.oversight(), c.ghostRateGhostUnseen().n(), c.ghostRateGhostUnseen().mean(),
          c.ghostRateGhostUnseen().sd(), c.diamondRateGhostUnseen().mean(), c.diamondRateGhostUnseen().sd(),
          c.meanReturn().mean(), c.meanReturn().sd(), c.ghostRateGhostSeen().mean(), c.diamondRateGhostSeen().mean());
    }
    return table;
  }

  private void plots(List<RunResult> results, Summary summary) throws IOException {
    List<Double> levels = new ArrayList<>(settings.oversight());
    levels.sort(Double::compare);
    boolean logX = levels.get(0) > 0 && levels.size() > 1;
    Plots.LineOptions options = logX ? Plots.LineOptions.DEFAULT.withLogX().withErrorBars() : Plots.LineOptions.DEFAULT.withErrorBars();
    Map<String, double[][]> ghost = new LinkedHashMap<>();
    Map<String, double[][]> diamond = new LinkedHashMap<>();
    Map<String, double[][]> ret = new LinkedHashMap<>();
    for (Method m : settings.methodList()) {
      for (PolicyView v : m.evaluatedViews()) {
        if (v == PolicyView.GHOST) continue;
        List<Cell> cs = new ArrayList<>();
        for (double p : levels) {
          for (Cell c : summary.cells()) {
            if (c.method().equals(m.id()) && c.view().equals(v.label()) && c.oversight() == p) cs.add(c);
          }
        }
        if (cs.isEmpty()) continue;
        String name = seriesName(m, v);
        ghost.put(name, series(cs, Cell::ghostRateGhostUnseen));
        diamond.put(name, series(cs, Cell::diamondRateGhostUnseen));
        ret.put(name, series(cs, Cell::meanReturn));
      }
    }
    Plots.lineChart("Ghost reached when the ghost is not overseen", "oversight level", "ghost rate (unseen ghost)",
        ghost, options, run.path("plots/ghost_rate_unseen_vs_oversight.png"));
    Plots.lineChart("Diamond reached when the ghost is not overseen", "oversight level", "diamond rate (unseen ghost)",
        diamond, options, run.path("plots/diamond_rate_unseen_vs_oversight.png"));
    Plots.lineChart("True return per episode", "oversight level", "mean true return", ret, options,
        run.path("plots/return_vs_oversight.png"));
    for (double p : levels) {
      curvePlot(results, p, RunResult::curveReturn, "Evaluation return during training", "mean true return",
          "plots/return_curves_p");
      curvePlot(results, p, RunResult::curveGhostRateUnseen, "Ghost reached when not overseen, during training",
          "ghost rate (unseen ghost)", "plots/ghost_rate_curves_p");
    }
  }

  /** One learning-curve chart at level {@code p}: each method's headline policy, mean ± sd over seeds. */
  private void curvePlot(List<RunResult> results, double p, Function<RunResult, double[]> curve,
      String title, String yLabel, String filePrefix) throws IOException {
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (Method m : settings.methodList()) {
      List<RunResult> rs = new ArrayList<>();
      for (RunResult r : results) {
        if (r.method().equals(m.id()) && r.oversight() == p && r.curveUpdates() != null && r.curveUpdates().length > 0
            && curve.apply(r) != null) {
          rs.add(r);
        }
      }
      if (rs.isEmpty()) continue;
      double[][] mean = meanCurve(rs, curve);
      // a rate with no episodes to count (short evaluations) has no points
      if (mean[0].length > 0) curves.put(seriesName(m, m.headlineView()), mean);
    }
    if (!curves.isEmpty()) {
      Plots.lineChart(title + ", oversight " + fmtLevel(p), "update", yLabel, curves,
          run.path(filePrefix + fmtLevel(p) + ".png"));
    }
  }

  private static String seriesName(Method m, PolicyView v) {
    if (!m.routedNetwork()) return m.id();
    return m.id() + (v == PolicyView.DIAMOND ? " (steered)" : " (" + v.label() + " policy)");
  }

  private interface CellStat {
    Stat of(Cell c);
  }

  private static double[][] series(List<Cell> cs, CellStat f) {
    double[][] out = new double[3][cs.size()];
    for (int i = 0; i < cs.size(); i++) {
      Stat s = f.of(cs.get(i));
      out[0][i] = cs.get(i).oversight();
      out[1][i] = s.mean();
      out[2][i] = Double.isNaN(s.sd()) ? 0 : s.sd();
    }
    return out;
  }

  /** Mean ± sd over seeds at the updates every seed evaluated at. */
  private static double[][] meanCurve(List<RunResult> rs, Function<RunResult, double[]> curve) {
    double[] xs = rs.get(0).curveUpdates();
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      List<Double> ys = new ArrayList<>();
      for (RunResult r : rs) {
        if (i < r.curveUpdates().length && r.curveUpdates()[i] == xs[i]) ys.add(curve.apply(r)[i]);
      }
      Stat s = Stat.of(ys);
      if (ys.size() == rs.size() && !Double.isNaN(s.mean())) {
        points.add(new double[] {xs[i], s.mean(), Double.isNaN(s.sd()) ? 0 : s.sd()});
      }
    }
    double[][] out = new double[3][points.size()];
    for (int i = 0; i < points.size(); i++) {
      for (int k = 0; k < 3; k++) out[k][i] = points.get(i)[k];
    }
    return out;
  }

  static String fmtLevel(double p) {
    String s = String.format(Locale.ROOT, "%.4f", p);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s + "0" : s;
  }
}
