package gradroute.experiment.breaking;

import gradroute.report.AtomicFiles;
import gradroute.report.Criterion;
import gradroute.report.CsvTable;
import gradroute.report.ImageGrid;
import gradroute.plot.Plots;
import gradroute.report.RunDirectory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.ToDoubleFunction;

/** Writes a circuit-breaking run's tables, plots, criteria and summary.json (last). */
final class BreakingReport {
  /** Mean over seeds of one method. */
  record MethodMean(String method, double badAccuracy, double restOfBadDigitAccuracy, double otherAccuracy, double otherDrop,
                    double changed, double changedFraction, String unit) {}

  record SeedRow(long seed, double badBefore, double restOfBadDigitBefore, double otherBefore, long edges, double seconds,
                 List<BreakingRun.MethodResult> methods) {}

  record Summary(String experiment, String preset, int badDigit, int badCount, Map<String, Criterion> criteria, List<MethodMean> means,
                 List<SeedRow> seeds, double wallSeconds) {}

  private BreakingReport() {}

  static Summary write(RunDirectory dir, BreakingConfig config, List<BreakingRun.SeedResult> results, double wallSeconds) throws IOException {
    List<Criterion> criteria = criteria(results);
    List<MethodMean> means = means(results);
    Summary summary = new Summary("mnist-breaking", config.name(), config.badDigit(), config.badCount(), Criterion.byName(criteria), means,
        results.stream().map(r -> new SeedRow(r.seed(), r.badBefore(), r.restOfBadDigitBefore(), r.otherBefore(), r.edges(), r.seconds(), r.methods())).toList(),
        wallSeconds);
    methodsTable(results).write(dir.path("methods.csv"));
    historyTable(results).write(dir.path("mask_history.csv"));
    AtomicFiles.writeString(dir.path("criteria.md"), Criterion.markdown(criteria));
    methodsPlot(config, results, means, dir.path("methods.png"));
    trainingPlot(results, dir.path("mask_training.png"));
    removedPixels(results, dir.path("removed_edges_per_pixel.png"));
    dir.writeSummary(summary); // last: a summary means every other file is there
    return summary;
  }

  static List<Criterion> criteria(List<BreakingRun.SeedResult> results) {
    List<Criterion> out = new ArrayList<>();
    out.add(perSeed("learned mask: accuracy on the held-out bad set below 0.20", "bad-set accuracy after ablation", results,
        r -> r.method(BreakingRun.LEARNED).badAccuracy(), "< 0.20", v -> v < 0.20));
    out.add(perSeed("learned mask: accuracy on the other digits within 3 points of the original", "other-digit accuracy drop (points)", results,
        r -> 100 * r.method(BreakingRun.LEARNED).otherDrop(), "<= 3", v -> v <= 3));
    out.add(perSeed("learned mask: under 2% of the first-layer edges ablated", "fraction of first-layer edges ablated", results,
        r -> r.method(BreakingRun.LEARNED).changedFraction(), "< 0.02", v -> v < 0.02));
    out.add(perSeed("learned mask breaks the bad set more than a random mask of the same size", "random-mask minus learned-mask bad-set accuracy",
        results, r -> r.method(BreakingRun.RANDOM).badAccuracy() - r.method(BreakingRun.LEARNED).badAccuracy(), "> 0", v -> v > 0));
    return out;
  }

  private static Criterion perSeed(String name, String measure, List<BreakingRun.SeedResult> results, ToDoubleFunction<BreakingRun.SeedResult> value,
                                   String threshold, DoublePredicate holds) {
    Map<String, Double> seeds = new LinkedHashMap<>();
    boolean all = !results.isEmpty();
    double sum = 0;
    for (BreakingRun.SeedResult r : results) {
      double v = value.applyAsDouble(r);
      seeds.put(Long.toString(r.seed()), v);
      sum += v;
      all &= holds.test(v);
    }
    return new Criterion(name, measure, sum / results.size(), seeds, threshold, all);
  }

  static List<MethodMean> means(List<BreakingRun.SeedResult> results) {
    List<MethodMean> out = new ArrayList<>();
    for (BreakingRun.MethodResult first : results.get(0).methods()) {
      String m = first.method();
      List<BreakingRun.MethodResult> rows = results.stream().flatMap(r -> r.methods().stream()).filter(x -> x.method().equals(m)).toList();
      out.add(new MethodMean(m, mean(rows, BreakingRun.MethodResult::badAccuracy), mean(rows, BreakingRun.MethodResult::restOfBadDigitAccuracy),
          mean(rows, BreakingRun.MethodResult::otherAccuracy), mean(rows, BreakingRun.MethodResult::otherDrop),
          mean(rows, x -> x.changed()), mean(rows, BreakingRun.MethodResult::changedFraction), first.unit()));
    }
    return out;
  }

  private static <T> double mean(List<T> rows, ToDoubleFunction<T> f) {
    return rows.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  private static CsvTable methodsTable(List<BreakingRun.SeedResult> results) {
    CsvTable t = CsvTable.withColumns("seed", "method", "bad_set_accuracy", "rest_of_bad_digit_accuracy", "other_digits_accuracy",
        "other_digits_drop", "changed", "changeable", "changed_fraction", "unit").withDecimals(5);
    for (BreakingRun.SeedResult r : results) {
      t.addRow(r.seed(), "original", r.badBefore(), r.restOfBadDigitBefore(), r.otherBefore(), 0.0, 0, r.edges(), 0.0, "edges");
      for (BreakingRun.MethodResult m : r.methods()) {
        t.addRow(r.seed(), m.method(), m.badAccuracy(), m.restOfBadDigitAccuracy(), m.otherAccuracy(), m.otherDrop(), m.changed(), m.changeable(),
            m.changedFraction(), m.unit());
      }
    }
    return t;
  }

  private static CsvTable historyTable(List<BreakingRun.SeedResult> results) {
    CsvTable t = CsvTable.withColumns("seed", "step", "loss", "retain_loss", "forget_term", "penalty", "edges_below_threshold").withDecimals(6);
    for (BreakingRun.SeedResult r : results) {
      for (var row : r.maskHistory().rows()) {
        Map<String, Double> m = row.metrics();
        t.addRow(r.seed(), row.step(), m.get("loss"), m.get("retain_loss"), m.get("forget_loss"), m.get("penalty"), m.get("removed").longValue());
      }
    }
    return t;
  }

  private static void methodsPlot(BreakingConfig config, List<BreakingRun.SeedResult> results, List<MethodMean> means, java.nio.file.Path png)
      throws IOException {
    List<String> categories = new ArrayList<>(List.of("original"));
    means.forEach(m -> categories.add(m.method()));
    double[] bad = new double[categories.size()], rest = new double[categories.size()], other = new double[categories.size()];
    bad[0] = results.stream().mapToDouble(BreakingRun.SeedResult::badBefore).average().orElse(Double.NaN);
    rest[0] = results.stream().mapToDouble(BreakingRun.SeedResult::restOfBadDigitBefore).average().orElse(Double.NaN);
    other[0] = results.stream().mapToDouble(BreakingRun.SeedResult::otherBefore).average().orElse(Double.NaN);
    for (int i = 0; i < means.size(); i++) {
      bad[i + 1] = means.get(i).badAccuracy();
      rest[i + 1] = means.get(i).restOfBadDigitAccuracy();
      other[i + 1] = means.get(i).otherAccuracy();
    }
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("bad set (" + config.badCount() + " held-out " + config.badDigit() + "s)", bad);
    series.put("other test " + config.badDigit() + "s", rest);
    series.put("other digits", other);
    Plots.groupedBarChart("MNIST circuit breaking (mean, " + results.size() + " seeds)", "method",
        "test accuracy", categories, series, png);
  }

  private static void trainingPlot(List<BreakingRun.SeedResult> results, java.nio.file.Path png) throws IOException {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (BreakingRun.SeedResult r : results) series.put("seed " + r.seed(), r.maskHistory().series("removed"));
    Plots.lineChart("Mask training: first-layer edges below the threshold", "step", "edges ablated", series, png);
  }

  private static void removedPixels(List<BreakingRun.SeedResult> results, java.nio.file.Path png) throws IOException {
    int side = (int) Math.round(Math.sqrt(results.get(0).removedPerPixel().length));
    if (side * side != results.get(0).removedPerPixel().length) return;
    float max = 1;
    for (BreakingRun.SeedResult r : results) for (float v : r.removedPerPixel()) max = Math.max(max, v);
    ImageGrid grid = ImageGrid.of(1, results.size(), side, side).range(0f, max).scale(6)
        .title("Ablated first-layer edges per input pixel (0 to " + (int) max + ")")
        .columnLabels(results.stream().map(r -> "seed " + r.seed()).toArray(String[]::new));
    for (int i = 0; i < results.size(); i++) grid.set(0, i, results.get(i).removedPerPixel());
    grid.write(png);
  }
}
