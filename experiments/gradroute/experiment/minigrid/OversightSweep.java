package gradroute.experiment.minigrid;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import gradroute.experiment.ConsoleSummary;
import gradroute.report.Criterion;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.rl.agent.PolicyView;
import gradroute.rl.reinforce.AgentConfig;
import gradroute.rl.reinforce.Evaluation;
import gradroute.runtime.SideBySide;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
      Map<String, Criterion> criteria,
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
  /**
   * The cells of another run's summary.json; only the cells are read, so summaries written before a
   * change to the other keys still compare.
   */
  public static List<Cell> cellsOf(Path summary) throws IOException {
    JsonNode cells = Json.readTree(summary).get("cells");
    if (cells == null) throw new IllegalArgumentException(summary + ": no 'cells' in this summary");
    return Json.mapper().convertValue(cells, new TypeReference<List<Cell>>() {});
  }

  public OversightSweep sameAs(String name, List<Cell> cells) {
    this.sameAsName = name;
    this.sameAsCells = List.copyOf(cells);
    return this;
  }

  public static String runId(Method m, double oversight, int seed) {
    return m.shortName() + "-p" + fmtLevel(oversight) + "-s" + seed;
  }

  /** Trains every run (side by side), then evaluates the sweep, writes its report and prints its console summary. */
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
    SweepStage stage = new SweepStage(settings, device, run, resume);
    RunResult[] done = new RunResult[jobs.size()];
    int total = jobs.size();
    java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
    // one intra-op thread per run whatever the worker count (SideBySide): libtorch's and OpenBLAS's
    // reductions split their sums by thread count, so a run's numbers would otherwise depend on --workers
    try (SideBySide pool = new SideBySide(Math.min(workers, jobs.size()), device.is_cpu())) {
      for (Job job : schedule) {
        pool.submit(() -> {
          int index = started.incrementAndGet();
          done[job.order()] = stage.train(job.method(), job.oversight(), job.seed(), index, total);
          return null;
        });
      }
      pool.awaitAll();
    }
    List<RunResult> results = java.util.Arrays.asList(done);
    double wall = (System.nanoTime() - start) / 1e9;
    Summary summary = SweepEvaluation.summarise(settings, device, results, wall, sameAsCells, sameAsName, workers);
    new SweepReport(settings, run).write(results, summary);
    ConsoleSummary.print(SweepReport.console(summary), summary.wallSeconds(), run.root());
    return summary;
  }

  static String fmtLevel(double p) {
    String s = String.format(Locale.ROOT, "%.4f", p);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s + "0" : s;
  }
}
