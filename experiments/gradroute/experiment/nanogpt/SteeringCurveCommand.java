package gradroute.experiment.nanogpt;

import com.fasterxml.jackson.databind.JsonNode;
import gradroute.plot.Plots;
import gradroute.report.AtomicFiles;
import gradroute.report.CsvTable;
import gradroute.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gradroute nanogpt steer-curve}: the steering metrics of finished steer runs against the
 * number of routed positions each model saw in training (the routed token's frequency times the
 * tokens trained on), one curve per routing setting. It trains nothing; it reads the runs'
 * config.json and summary.json.
 */
@Command(name = "steer-curve", mixinStandardHelpOptions = true,
    description = {"Tabulate and plot finished 'nanogpt steer' runs' routed-model metrics (rank of the token by |cos|, related "
        + "tokens in the top 10, P(target) ratio, AUROC of x0) against the routed positions each model saw in training.",
        "Writes steering_frequency.csv, steering_frequency.md and auroc_vs_positions.png, pratio_vs_positions.png into --out."})
public final class SteeringCurveCommand implements Callable<Integer> {
  @Option(names = "--runs", split = ",", required = true, paramLabel = "DIR", description = "steer run folders, comma list")
  List<Path> runs;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for the table and plots")
  Path out;

  /** One routed model of one run. */
  record Point(String word, String setting, int steps, long positions, long seed, int rank, int related, double auroc, double pRatio,
      double valLoss, double dim0GradientShare) {}

  @Override
  public Integer call() throws IOException {
    List<Point> points = new ArrayList<>();
    for (Path dir : runs) points.addAll(read(dir));
    if (points.isEmpty()) throw new IllegalArgumentException("--runs: no routed model in " + runs);
    CsvTable t = CsvTable.withColumns("word", "setting", "steps", "routed_positions", "seed", "rank", "related_in_top10", "auroc",
        "p_ratio", "val_loss", "dim0_gradient_share").withDecimals(4);
    for (Point p : points) {
      t.addRow(p.word(), p.setting(), p.steps(), p.positions(), p.seed(), p.rank(), p.related(), p.auroc(), p.pRatio(), p.valLoss(),
          p.dim0GradientShare());
    }
    Files.createDirectories(out);
    t.write(out.resolve("steering_frequency.csv"));
    AtomicFiles.writeString(out.resolve("steering_frequency.md"), t.toMarkdown());
    Plots.lineChart("AUROC of x0 for 'next token is the routed one'", "routed positions seen in training", "AUROC (seed mean, band ±sd)",
        curves(points, Point::auroc), Plots.LineOptions.DEFAULT.withLogX(), out.resolve("auroc_vs_positions.png"));
    Plots.lineChart("P(target) at the largest alpha / at 0", "routed positions seen in training", "ratio (seed mean, band ±sd)",
        curves(points, Point::pRatio), Plots.LineOptions.DEFAULT.withLogX().withLogY(), out.resolve("pratio_vs_positions.png"));
    System.out.print(t.toMarkdown());
    System.out.printf("%d routed models from %d runs; table and plots in %s%n", points.size(), runs.size(), out);
    return 0;
  }

  /** The routed models of one steer run folder. */
  static List<Point> read(Path dir) throws IOException {
    Path summaryFile = dir.resolve("summary.json"), configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(summaryFile) || !Files.isRegularFile(configFile)) {
      throw new IllegalArgumentException("--runs: " + dir + " is not a finished 'nanogpt steer' run (no summary.json or config.json)");
    }
    JsonNode summary = Json.readTree(summaryFile), config = Json.readTree(configFile).path("config");
    if (!"nanogpt steer".equals(summary.path("experiment").asText())) {
      throw new IllegalArgumentException("--runs: " + dir + " is a '" + summary.path("experiment").asText() + "' run, not 'nanogpt steer'");
    }
    int steps = config.path("steps").asInt();
    double tokensPerStep = config.path("batch").asDouble() * config.path("nCtx").asDouble();
    long positions = Math.round(summary.path("routedFrequency").asDouble() * steps * tokensPerStep);
    String setting = config.path("exclusiveDim0").asBoolean(false) ? "exclusive dim 0" : "paper";
    List<Point> out = new ArrayList<>();
    for (JsonNode run : summary.path("runs")) {
      JsonNode e = run.path("eval");
      if (!"routed".equals(e.path("model").asText())) continue;
      JsonNode share = e.path("gradientShare").path("dim0");
      out.add(new Point(summary.path("routedToken").asText(), setting, steps, positions, e.path("seed").asLong(), e.path("targetRank").asInt(),
          e.path("relatedInTop10").asInt(), e.path("auroc").asDouble(), e.path("pRatio").asDouble(), e.path("valLoss").asDouble(),
          share.isNumber() ? share.asDouble() : Double.NaN));
    }
    return out;
  }

  /** Per setting: positions, the seed mean of the metric, and its standard deviation, in order of positions. */
  static Map<String, double[][]> curves(List<Point> points, java.util.function.ToDoubleFunction<Point> metric) {
    Map<String, TreeMap<Long, List<Double>>> bySetting = new LinkedHashMap<>();
    for (Point p : points) {
      bySetting.computeIfAbsent(p.setting(), k -> new TreeMap<>()).computeIfAbsent(p.positions(), k -> new ArrayList<>())
          .add(metric.applyAsDouble(p));
    }
    Map<String, double[][]> out = new LinkedHashMap<>();
    bySetting.forEach((setting, byPositions) -> {
      double[][] xy = new double[3][byPositions.size()];
      int i = 0;
      for (var entry : byPositions.entrySet()) {
        double mean = entry.getValue().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = entry.getValue().stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / Math.max(1, entry.getValue().size() - 1);
        xy[0][i] = entry.getKey();
        xy[1][i] = mean;
        xy[2][i++] = Math.sqrt(var);
      }
      out.put(setting, xy);
    });
    return out;
  }
}
