package gradroute.experiment.mnist;

import gradroute.data.ImageDataset;
import gradroute.data.TrainTest;
import gradroute.report.CsvTable;
import gradroute.report.ImageGrid;
import gradroute.report.Json;
import gradroute.plot.Plots;
import gradroute.report.RunDirectory;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.Timing;
import gradroute.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Trains, evaluates and reports the MNIST splitting experiment for one or more seeds. */
public final class MnistRun {
  private static final Logger log = LoggerFactory.getLogger(MnistRun.class);

  public record Trained(long seed, boolean routing, SplitEvaluation.Result evaluation, double wallSeconds,
                        double stepsPerSecond, long steps) {}

  public record Result(String run, Path directory, MnistConfig config, String dataset, int trainImages, int testImages,
                        List<Trained> routed, List<Trained> control, Map<String, Double> mean) {
    public String headline() {
      StringBuilder s = new StringBuilder();
      s.append(String.format("MNIST latent splitting (%s, %d train / %d test, %d seed%s)%n", config.name(), trainImages, testImages,
          routed.size(), routed.size() == 1 ? "" : "s"));
      for (Trained t : routed) {
        s.append(String.format("  seed %d: R_A %.3f  R_B %.3f  S %.3f  decoder MAE %.4f  (%.0f s, %.1f steps/s)%n", t.seed(),
            t.evaluation().rA(), t.evaluation().rB(), t.evaluation().s(), t.evaluation().decoderMae(), t.wallSeconds(), t.stepsPerSecond()));
      }
      for (Trained t : control) {
        s.append(String.format("  control seed %d: R_A %.3f  R_B %.3f  S %.3f  decoder MAE %.4f%n", t.seed(),
            t.evaluation().rA(), t.evaluation().rB(), t.evaluation().s(), t.evaluation().decoderMae()));
      }
      mean.forEach((k, v) -> s.append(String.format("  %s = %.3f%n", k, v)));
      return s.toString();
    }
  }

  private final MnistConfig config;
  private final RunDirectory dir;
  private final boolean resume;
  private final Device device;
  private final TrainTest digits;

  /** @param resume continue the seeds' trainings from the checkpoints in {@code dir} */
  public MnistRun(MnistConfig config, RunDirectory dir, boolean resume, Device device, TrainTest digits) {
    this.config = config;
    this.dir = dir;
    this.resume = resume;
    this.device = device;
    this.digits = digits;
  }

  /** Trains and evaluates every seed, writes the results into the run folder and prints the console summary. */
  public Result run() throws IOException {
    long start = System.nanoTime();
    ImageDataset train = digits.train();
    ImageDataset test = digits.test();
    int width = train.pixelsPerImage();
    float[] trainPixels = train.pixelsMinusOneToOne();
    Tensor trainImages = onDevice(Tensor.create(trainPixels, train.count(), width)).retainReference();
    Tensor testImages = onDevice(Tensor.create(test.pixelsMinusOneToOne(), test.count(), width)).retainReference();
    Tensor median = onDevice(Tensor.create(SplitEvaluation.medianImage(trainPixels, train.count(), width), width)).retainReference();

    List<Trained> routed = new ArrayList<>();
    List<Trained> control = new ArrayList<>();
    Map<String, History> histories = new LinkedHashMap<>();
    SplitAutoencoder first = null;
    for (long seed : config.seeds()) {
      SeedRun r = trainOne(config, seed, trainImages, train.labels(), testImages, test.labels(), median, dir);
      routed.add(r.trained);
      histories.put("seed " + seed, r.history);
      if (first == null) first = r.model;
      if (config.withControl()) {
        control.add(trainOne(config.control(), seed, trainImages, train.labels(), testImages, test.labels(), median, dir).trained);
      }
    }
    Result summary = new Result(dir.runName(), dir.root(), config, config.source(), train.count(), test.count(),
        routed, control, means(routed, control));
    write(summary, dir, histories, first, testImages, test.labels());
    gradroute.experiment.ConsoleSummary.print(summary.headline(), (System.nanoTime() - start) / 1e9, dir.root());
    return summary;
  }

  private record SeedRun(Trained trained, History history, SplitAutoencoder model) {}

  private SeedRun trainOne(MnistConfig config, long seed, Tensor trainImages, int[] trainLabels, Tensor testImages,
                          int[] testLabels, Tensor median, RunDirectory dir) {
    torch.manual_seed(seed);
    SplitAutoencoder model = new SplitAutoencoder(trainImages.size(1) > 0 ? (int) trainImages.size(1) : 784,
        config.hidden(), config.latent(), config.splitDecoders());
    model.moveTo(device);
    SplitTraining training = new SplitTraining(config, model, trainImages, trainLabels, seed, device);
    String name = (config.routing() ? "routed" : "control") + "-seed" + seed;
    TrainingLoop loop = new TrainingLoop("mnist " + name, training.totalSteps(), training.stepsPerEpoch(),
        new Checkpoint(dir.root().resolve("checkpoints"), name), (long) config.checkpointEvery() * training.stepsPerEpoch());
    Timing timing = new Timing();
    loop.with(timing);
    long start = System.nanoTime();
    History history = loop.run(training, resume);
    double seconds = (System.nanoTime() - start) / 1e9;
    SplitEvaluation.Result eval = SplitEvaluation.evaluate(model, testImages, testLabels, median);
    log.info("{}: R_A {} R_B {} S {}", name, fmt(eval.rA()), fmt(eval.rB()), fmt(eval.s()));
    return new SeedRun(new Trained(seed, config.routing(), eval, seconds, timing.stepsPerSecond(),
        training.totalSteps()), history, model);
  }

  private static Map<String, Double> means(List<Trained> routed, List<Trained> control) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("R_A", routed.stream().mapToDouble(t -> t.evaluation().rA()).average().orElse(Double.NaN));
    m.put("R_B", routed.stream().mapToDouble(t -> t.evaluation().rB()).average().orElse(Double.NaN));
    m.put("S", routed.stream().mapToDouble(t -> t.evaluation().s()).average().orElse(Double.NaN));
    if (!control.isEmpty()) {
      double sc = control.stream().mapToDouble(t -> t.evaluation().s()).average().orElse(Double.NaN);
      m.put("S_control", sc);
      m.put("S_minus_S_control", m.get("S") - sc);
      double dc = control.stream().mapToDouble(t -> t.evaluation().decoderMae()).average().orElse(Double.NaN);
      double dr = routed.stream().mapToDouble(t -> t.evaluation().decoderMae()).average().orElse(Double.NaN);
      m.put("decoder_MAE_ratio_to_control", dr / dc);
    }
    m.put("per_digit_wrong_over_right_mean", routed.stream().mapToDouble(MnistRun::wrongOverRight).average().orElse(Double.NaN));
    double away = routed.stream().mapToDouble(t -> Math.min(t.evaluation().certificateAAwayMae(), t.evaluation().certificateBAwayMae())).average().orElse(Double.NaN);
    double medianMae = routed.stream().mapToDouble(t -> t.evaluation().medianImageMae()).average().orElse(Double.NaN);
    m.put("routed_away_MAE_over_median_image_MAE", away / medianMae);
    return m;
  }

  /** Per digit, the certificate of the half it was routed away from over the one it was routed to; mean over digits. */
  static double wrongOverRight(Trained t) {
    double sum = 0;
    for (SplitEvaluation.Digit d : t.evaluation().perDigit()) {
      boolean inA = d.digit() < SplitTraining.FIRST_B_DIGIT;
      sum += inA ? d.certificateBMae() / d.certificateAMae() : d.certificateAMae() / d.certificateBMae();
    }
    return sum / t.evaluation().perDigit().size();
  }

  private void write(Result summary, RunDirectory dir, Map<String, History> histories, SplitAutoencoder model,
                     Tensor testImages, int[] testLabels) throws IOException {
    CsvTable perDigit = CsvTable.withColumns("model", "seed", "digit", "count", "decoder_mae", "certificate_A_mae",
        "certificate_B_mae", "decoder_mse", "certificate_A_mse", "certificate_B_mse", "median_image_mae").withDecimals(5);
    List<Trained> all = new ArrayList<>(summary.routed());
    all.addAll(summary.control());
    for (Trained t : all) {
      for (SplitEvaluation.Digit d : t.evaluation().perDigit()) {
        perDigit.addRow(t.routing() ? "routed" : "control", t.seed(), d.digit(), d.count(), d.decoderMae(), d.certificateAMae(),
            d.certificateBMae(), d.decoderMse(), d.certificateAMse(), d.certificateBMse(), d.medianImageMae());
      }
    }
    perDigit.write(dir.path("per_digit.csv"));
    certificatePlot(summary.routed(), "Certificate test MAE per digit, routed", dir.path("certificates.png"));
    if (!summary.control().isEmpty()) certificatePlot(summary.control(), "Certificate test MAE, no-routing control", dir.path("certificates_control.png"));
    lossPlot(histories, dir.path("loss_curves.png"));
    reconstructionGrid(model, testImages, testLabels, dir.path("reconstructions.png"));
    dir.writeSummary(summary); // last: a summary means every other file is there
  }

  private static void certificatePlot(List<Trained> runs, String title, Path png) throws IOException {
    List<String> digitsAxis = new ArrayList<>();
    for (int d = 0; d < 10; d++) digitsAxis.add(Integer.toString(d));
    double[] a = new double[10], b = new double[10], sa = new double[10], sb = new double[10];
    for (int d = 0; d < 10; d++) {
      final int digit = d;
      double[] va = runs.stream().mapToDouble(t -> t.evaluation().perDigit().get(digit).certificateAMae()).toArray();
      double[] vb = runs.stream().mapToDouble(t -> t.evaluation().perDigit().get(digit).certificateBMae()).toArray();
      a[d] = mean(va);
      b[d] = mean(vb);
      sa[d] = spread(va);
      sb[d] = spread(vb);
    }
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("certificate A (dims 0-15, routed 0-4)", a);
    series.put("certificate B (dims 16-31, routed 5-9)", b);
    Map<String, double[]> spreads = new LinkedHashMap<>();
    spreads.put("certificate A (dims 0-15, routed 0-4)", sa);
    spreads.put("certificate B (dims 16-31, routed 5-9)", sb);
    String fullTitle = title + (runs.size() > 1 ? " (± sd, " + runs.size() + " seeds)" : "");
    if (runs.size() > 1) {
      Plots.groupedBarChart(fullTitle, "digit", "validation MAE", digitsAxis, series, spreads, png);
    } else {
      Plots.groupedBarChart(fullTitle, "digit", "validation MAE", digitsAxis, series, png);
    }
  }

  private static void lossPlot(Map<String, History> histories, Path png) throws IOException {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (Map.Entry<String, History> e : histories.entrySet()) {
      for (String metric : new String[] {"reconstruction_0_4", "reconstruction_5_9", "certificate_A", "certificate_B"}) {
        double[][] xy = e.getValue().series(metric);
        if (xy[0].length > 0) series.put(metric + (histories.size() > 1 ? " (" + e.getKey() + ")" : ""), xy);
      }
    }
    if (!series.isEmpty()) Plots.lineChart("Training losses (MAE per group, routed model)", "step", "MAE", series, png);
  }

  private static void reconstructionGrid(SplitAutoencoder model, Tensor images, int[] labels, Path png) throws IOException {
    SplitEvaluation.Examples ex = SplitEvaluation.examples(model, images, labels);
    ImageGrid grid = ImageGrid.of(4, 10, 28, 28).range(-1f, 1f).scale(3)
        .title("Test digits and what each decoder reconstructs")
        .rowLabels("original", "decoder", "cert. A (0-4 half)", "cert. B (5-9 half)")
        .columnLabels("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    float[][][] rows = {ex.originals(), ex.decoder(), ex.certificateA(), ex.certificateB()};
    for (int r = 0; r < 4; r++) {
      for (int d = 0; d < 10; d++) if (rows[r][d] != null) grid.set(r, d, rows[r][d]);
    }
    grid.write(png);
  }

  private Tensor onDevice(Tensor t) {
    return device.is_cpu() ? t : t.to(device, t.scalar_type());
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.length;
  }

  private static double spread(double[] v) {
    if (v.length < 2) return 0;
    double m = mean(v), s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return Math.sqrt(s / (v.length - 1));
  }

  private static String fmt(double v) {
    return String.format("%.3f", v);
  }
}
