package gradroute.experiment.interactionbasis;

import gradroute.report.Criterion;
import gradroute.report.CsvTable;
import gradroute.report.ImageGrid;
import gradroute.report.Json;
import gradroute.plot.Plots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Writes what {@code ./gradroute lib} found: tables, plots, criteria and summary.json. */
final class LibReport {
  /** Summary of one autoencoder model (the tables hold every direction and curve point). */
  record ModelRow(String model, long seed, boolean routed, double reconstructionError, double topMinDominantShare,
                  double topMeanDominantShare, double topMeanShareA, int topConstantSkipped, double purityIntoLatent,
                  double purityOutOfLatent, AutoencoderAnalysis.Diagnostics diagnostics, List<AutoencoderAnalysis.EdgeCount> edgeCounts) {}

  record ClassifierRow(long seed, int[] widths, int epochs, double accuracy, double noneKeptMax, double largestFall) {}

  record Settings(int buildImages, int testImages, int classifierEpochs, int classifierStep, int top, double edgeTolerance) {}

  record Summary(String experiment, String mnistRun, String mnistPreset, Settings settings, Map<String, Criterion> criteria,
                 Map<String, Double> edgesNeededLibOverPca, List<ModelRow> models, List<ClassifierRow> classifier, double wallSeconds) {}

  private LibReport() {}

  static Summary write(Path dir, String mnistRun, String preset, Settings settings, List<AutoencoderAnalysis.Result> models,
                       List<ClassifierCheck.Result> classifier, double wallSeconds) throws IOException {
    List<Criterion> criteria = criteria(models, classifier);
    Map<String, Double> ratios = new LinkedHashMap<>();
    for (AutoencoderAnalysis.Result m : models) {
      for (String edges : new String[] {"pre-latent to latent", "latent to decoder"}) {
        ratios.put(m.model() + " " + edges, (double) needed(m, "LIB", edges) / needed(m, "PCA", edges));
      }
    }
    Summary summary = new Summary("lib", mnistRun, preset, settings, Criterion.byName(criteria), ratios,
        models.stream().map(LibReport::row).toList(),
        classifier.stream().map(c -> new ClassifierRow(c.seed(), c.widths(), c.epochs(), c.accuracy(), c.noneKeptMax(), c.largestFall())).toList(),
        wallSeconds);
    directions(models).write(dir.resolve("directions.csv"));
    curves(models).write(dir.resolve("reconstruction_curves.csv"));
    edgeCounts(models).write(dir.resolve("edge_counts.csv"));
    classifierCurves(classifier).write(dir.resolve("classifier_curves.csv"));
    Files.writeString(dir.resolve("criteria.md"), Criterion.markdown(criteria));
    sharePlot(models, dir.resolve("latent_share.png"));
    heatMaps(models, dir.resolve("edges_heatmap.png"));
    halvesPlot(models, dir.resolve("keep_one_half.png"));
    libVsPcaPlot(models, dir.resolve("keep_top_k.png"));
    if (!classifier.isEmpty()) classifierPlot(classifier.get(0), dir.resolve("classifier_ablation.png"));
    Json.write(dir.resolve("summary.json"), summary);
    return summary;
  }

  private static long needed(AutoencoderAnalysis.Result m, String basis, String edges) {
    return m.edgeCounts().stream().filter(c -> c.basis().equals(basis) && c.edges().equals(edges)).findFirst().orElseThrow().needed();
  }

  private static ModelRow row(AutoencoderAnalysis.Result m) {
    return new ModelRow(m.model(), m.seed(), m.routed(), m.full().all(), m.topMinDominantShare(), m.topMeanDominantShare(), m.topMeanShareA(),
        m.topConstantSkipped(), m.purityIntoLatent(), m.purityOutOfLatent(), m.diagnostics(), m.edgeCounts());
  }

  static List<Criterion> criteria(List<AutoencoderAnalysis.Result> models, List<ClassifierCheck.Result> classifier) {
    List<Criterion> out = new ArrayList<>();
    if (!classifier.isEmpty()) {
      out.add(perSeed("classifier: unablated test accuracy at least 0.95", "test accuracy", classifier, ClassifierCheck.Result::accuracy,
          ">= 0.95", v -> v >= 0.95));
      out.add(perSeed("classifier: keeping no direction of a hidden layer leaves accuracy under 0.5", "max accuracy with k = 0 (LIB, PCA; each hidden layer)",
          classifier, ClassifierCheck.Result::noneKeptMax, "< 0.50", v -> v < 0.5));
      out.add(perSeed("classifier: accuracy rises roughly monotonically with the directions kept", "largest fall below an earlier point of any curve",
          classifier, ClassifierCheck.Result::largestFall, "<= 0.05", v -> v <= 0.05));
    }
    List<AutoencoderAnalysis.Result> routed = models.stream().filter(AutoencoderAnalysis.Result::routed).toList();
    List<AutoencoderAnalysis.Result> control = models.stream().filter(m -> !m.routed()).toList();
    if (!routed.isEmpty()) {
      out.add(perSeed("routed: each of the top-" + AutoencoderAnalysis.TOP + " latent LIB directions puts at least 80% of its weight on one half",
          "smallest dominant-half share of the top " + AutoencoderAnalysis.TOP, routed, AutoencoderAnalysis.Result::topMinDominantShare,
          ">= 0.80", v -> v >= 0.8));
    }
    if (!control.isEmpty()) {
      out.add(perSeed("control: the top-" + AutoencoderAnalysis.TOP + " latent LIB directions do not split (mean dominant-half share within 0.5 ± 0.2)",
          "mean dominant-half share of the top " + AutoencoderAnalysis.TOP, control, AutoencoderAnalysis.Result::topMeanDominantShare,
          "in [0.30, 0.70]", v -> v >= 0.3 && v <= 0.7));
    }
    return out;
  }

  private static <T> Criterion perSeed(String name, String measure, List<T> items, ToDoubleFunction<T> value, String threshold,
                                       java.util.function.DoublePredicate holds) {
    Map<String, Double> seeds = new LinkedHashMap<>();
    boolean all = true;
    double sum = 0;
    for (T item : items) {
      double v = value.applyAsDouble(item);
      long seed = item instanceof ClassifierCheck.Result c ? c.seed() : ((AutoencoderAnalysis.Result) item).seed();
      seeds.put(Long.toString(seed), v);
      sum += v;
      all &= holds.test(v);
    }
    return new Criterion(name, measure, sum / items.size(), seeds, threshold, all && !items.isEmpty());
  }

  private static CsvTable directions(List<AutoencoderAnalysis.Result> models) {
    CsvTable t = CsvTable.withColumns("model", "seed", "node", "direction", "lambda", "share_half_A", "constant_share", "half").withDecimals(6);
    for (AutoencoderAnalysis.Result m : models) {
      for (String node : new String[] {"latent", "pre-latent"}) {
        for (AutoencoderAnalysis.Direction d : node.equals("latent") ? m.latent() : m.preLatent()) {
          t.addRow(m.model(), m.seed(), node, d.index(), d.lambda(), d.shareA(), d.constantShare(), halfName(d.half()));
        }
      }
    }
    return t;
  }

  private static String halfName(int half) {
    return half == AutoencoderAnalysis.HALF_A ? "A" : half == AutoencoderAnalysis.HALF_B ? "B" : "constant";
  }

  private static CsvTable curves(List<AutoencoderAnalysis.Result> models) {
    CsvTable t = CsvTable.withColumns("model", "seed", "kept", "k", "mae_all", "mae_digits_0_4", "mae_digits_5_9").withDecimals(6);
    for (AutoencoderAnalysis.Result m : models) {
      for (AutoencoderAnalysis.Curve c : m.curves()) {
        for (int i = 0; i < c.k().length; i++) t.addRow(m.model(), m.seed(), c.kept(), c.k()[i], c.all()[i], c.low()[i], c.high()[i]);
      }
    }
    return t;
  }

  private static CsvTable edgeCounts(List<AutoencoderAnalysis.Result> models) {
    CsvTable t = CsvTable.withColumns("model", "seed", "basis", "edges", "available", "needed", "mae_at_needed", "mae_full").withDecimals(6);
    for (AutoencoderAnalysis.Result m : models) {
      for (AutoencoderAnalysis.EdgeCount c : m.edgeCounts()) {
        t.addRow(m.model(), m.seed(), c.basis(), c.edges(), c.available(), c.needed(), c.errorAtNeeded(), m.full().all());
      }
    }
    return t;
  }

  private static CsvTable classifierCurves(List<ClassifierCheck.Result> classifier) {
    CsvTable t = CsvTable.withColumns("seed", "basis", "node_position", "k", "accuracy").withDecimals(4);
    for (ClassifierCheck.Result r : classifier) {
      for (ClassifierCheck.Curve c : r.curves()) {
        for (int i = 0; i < c.k().length; i++) t.addRow(r.seed(), c.basis(), c.position(), c.k()[i], c.accuracy()[i]);
      }
    }
    return t;
  }

  /** Share on half A of each latent direction (constant ones left out), routed and control, by rank. */
  private static void sharePlot(List<AutoencoderAnalysis.Result> models, Path png) throws IOException {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (AutoencoderAnalysis.Result m : models) {
      List<AutoencoderAnalysis.Direction> ds = m.latent().stream().filter(d -> d.half() != AutoencoderAnalysis.CONSTANT).toList();
      double[] x = new double[ds.size()], y = new double[ds.size()];
      for (int i = 0; i < ds.size(); i++) {
        x[i] = i + 1;
        y[i] = ds.get(i).shareA();
      }
      series.put(m.model(), new double[][] {x, y});
    }
    Plots.lineChart("Latent LIB directions: share of weight on half A (dims of digits 0-4)", "direction (by λ, largest first)",
        "share on half A", series, png);
  }

  /** Edge strengths around the latent, rows = latent directions; log10 of E / max E over four decades. */
  private static void heatMaps(List<AutoencoderAnalysis.Result> models, Path png) throws IOException {
    List<AutoencoderAnalysis.Result> firstSeed = new ArrayList<>();
    for (AutoencoderAnalysis.Result m : models) if (firstSeed.stream().noneMatch(f -> f.routed() == m.routed())) firstSeed.add(m);
    int rows = 0, cols = 0;
    for (AutoencoderAnalysis.Result m : firstSeed) {
      for (float[][] e : new float[][][] {m.edgesIntoLatent(), m.edgesOutOfLatent()}) {
        rows = Math.max(rows, e.length);
        cols = Math.max(cols, e[0].length);
      }
    }
    ImageGrid grid = ImageGrid.of(firstSeed.size(), 2, rows, cols).range(0f, 1f).scale(4)
        .title("LIB edges around the latent (rows: latent directions sorted by half, then λ; log10 over 4 decades)")
        .rowLabels(firstSeed.stream().map(AutoencoderAnalysis.Result::model).toArray(String[]::new))
        .columnLabels("pre-latent -> latent", "latent -> decoder");
    for (int r = 0; r < firstSeed.size(); r++) {
      AutoencoderAnalysis.Result m = firstSeed.get(r);
      int[] order = m.latent().stream().sorted((a, b) -> a.half() != b.half() ? Integer.compare(rank(a.half()), rank(b.half())) : Integer.compare(a.index(), b.index()))
          .mapToInt(AutoencoderAnalysis.Direction::index).toArray();
      grid.set(r, 0, heat(m.edgesIntoLatent(), order, rows, cols));
      grid.set(r, 1, heat(m.edgesOutOfLatent(), order, rows, cols));
    }
    grid.write(png);
  }

  private static int rank(int half) {
    return half == AutoencoderAnalysis.HALF_A ? 0 : half == AutoencoderAnalysis.HALF_B ? 1 : 2;
  }

  private static float[] heat(float[][] e, int[] rowOrder, int rows, int cols) {
    float max = 0;
    for (float[] row : e) for (float v : row) max = Math.max(max, v);
    float[] out = new float[rows * cols];
    for (int r = 0; r < rowOrder.length; r++) {
      float[] row = e[rowOrder[r]];
      for (int c = 0; c < row.length; c++) {
        double v = max > 0 ? Math.log10(Math.max(row[c] / max, 1e-4)) / 4 + 1 : 0;
        out[r * cols + c] = (float) v;
      }
    }
    return out;
  }

  private static void halvesPlot(List<AutoencoderAnalysis.Result> models, Path png) throws IOException {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (AutoencoderAnalysis.Result m : models) {
      if (m.seed() != models.get(0).seed()) continue;
      for (AutoencoderAnalysis.Curve c : m.curves()) {
        if (!c.kept().startsWith("half")) continue;
        double[] k = java.util.Arrays.stream(c.k()).asDoubleStream().toArray();
        series.put(m.model() + ", keep " + c.kept() + ": digits 0-4", new double[][] {k, c.low()});
        series.put(m.model() + ", keep " + c.kept() + ": digits 5-9", new double[][] {k, c.high()});
      }
    }
    Plots.lineChart("Keeping the top-k latent LIB directions of one half (others ablated)", "k directions of the half kept",
        "reconstruction MAE", series, png);
  }

  private static void libVsPcaPlot(List<AutoencoderAnalysis.Result> models, Path png) throws IOException {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (AutoencoderAnalysis.Result m : models) {
      if (m.seed() != models.get(0).seed()) continue;
      for (AutoencoderAnalysis.Curve c : m.curves()) {
        if (c.kept().startsWith("half")) continue;
        series.put(m.model() + ", " + c.kept(), new double[][] {java.util.Arrays.stream(c.k()).asDoubleStream().toArray(), c.all()});
      }
    }
    Plots.lineChart("Keeping the top-k latent directions, LIB vs PCA", "k directions kept", "reconstruction MAE", series,
        Plots.LineOptions.DEFAULT.withLogY(), png);
  }

  private static void classifierPlot(ClassifierCheck.Result r, Path png) throws IOException {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (ClassifierCheck.Curve c : r.curves()) {
      series.put(c.basis() + ", hidden layer " + c.position(), new double[][] {java.util.Arrays.stream(c.k()).asDoubleStream().toArray(), c.accuracy()});
    }
    Plots.lineChart("MNIST classifier " + java.util.Arrays.toString(r.widths()) + ", seed " + r.seed() + ": keeping the top-k directions",
        "k directions kept", "test accuracy", series, png);
  }
}
