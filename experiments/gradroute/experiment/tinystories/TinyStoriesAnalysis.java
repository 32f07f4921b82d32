package gradroute.experiment.tinystories;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import gradroute.experiment.ConsoleSummary;
import gradroute.experiment.tinystories.TinyStoriesRun.Losses;
import gradroute.model.ComponentAblation;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.report.AtomicFiles;
import gradroute.report.CsvTable;
import gradroute.report.Json;
import gradroute.plot.Plots;
import gradroute.report.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The localisation diagnostic of a finished run ({@code gradroute tinystories analyze}): for each
 * saved model, zero-ablates each block's attention output, its MLP output and (on an expanded ERA
 * or control model) its added units, one at a time, and reports forget, retain and
 * forest-topic-token loss with each removed. Writes {@code analysis/<model>.csv},
 * {@code analysis/analysis.md} and {@code plots/analysis_<model>.png} into the run folder.
 */
public final class TinyStoriesAnalysis {
  private static final Logger log = LoggerFactory.getLogger(TinyStoriesAnalysis.class);

  /** One row: a component removed (or "none"), the three losses and their rise over the intact model. */
  public record Row(String component, Losses losses, double dForget, double dRetain, double dTopic, double dFact) {
    /** Forget rise per unit of retain rise; infinite when retain does not rise. */
    double selectivity() {
      return dRetain <= 1e-9 ? Double.POSITIVE_INFINITY : dForget / dRetain;
    }
  }

  private TinyStoriesAnalysis() {}

  /**
   * Analyses the models of a run folder.
   *
   * @param models model names as in {@code models/<name>.pt}; empty: every saved model
   */
  public static Map<String, List<Row>> run(Path runDir, List<String> models, Device device) throws IOException {
    long start = System.nanoTime();
    Path root = runDir.toAbsolutePath().normalize();
    if (root.getParent() == null || root.getParent().getParent() == null) {
      throw new IllegalArgumentException(runDir + " is not a run folder <results>/tinystories/<run>");
    }
    RunDirectory run = RunDirectory.existing(root.getParent().getParent(), root.getParent().getFileName().toString(),
        root.getFileName().toString());
    TinyStoriesConfig s = recordedConfig(run.record());
    List<String> names = models.isEmpty() ? savedModels(run) : models;
    if (names.isEmpty()) throw new IllegalArgumentException(run.root() + " has no saved models under models/");
    TinyStoriesData data = TinyStoriesData.load(s, run.path("tokenizer"));
    TinyStoriesEvaluation evaluation = new TinyStoriesEvaluation(s, data);
    Map<String, List<Row>> out = new LinkedHashMap<>();
    for (String name : names) {
      Path file = run.path("models/" + name + ".pt");
      if (!Files.isRegularFile(file)) throw new IllegalArgumentException("model " + name + ": no file " + file);
      long t0 = System.nanoTime();
      try (Gpt model = Gpt.load(file, device)) {
        List<Row> rows = analyse(model, originalWidths(model.config(), s), evaluation);
        out.put(name, rows);
        write(run, name, rows);
      }
      log.info("{}: analysed in {} s", name, String.format(Locale.ROOT, "%.0f", (System.nanoTime() - t0) / 1e9));
    }
    String markdown = markdown(run.runName(), out);
    AtomicFiles.writeString(run.path("analysis/analysis.md"), markdown);
    ConsoleSummary.print(markdown + String.format("%n%d models analysed", out.size()), (System.nanoTime() - start) / 1e9, run.path("analysis"));
    return out;
  }

  /** The config a run recorded: {@code config.json}'s {@code config} member (older runs: the whole file). */
  static TinyStoriesConfig recordedConfig(JsonNode record) throws IOException {
    JsonNode config = record.has("config") ? record.get("config") : record;
    return Json.mapper().readerFor(TinyStoriesConfig.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(config);
  }

  static List<Row> analyse(Gpt model, int[] originalWidths, TinyStoriesEvaluation evaluation) {
    ComponentAblation.Scan<Losses> scan = ComponentAblation.scan(model, ComponentAblation.standard(model.config(), originalWidths),
        () -> evaluation.losses(model));
    Losses intact = scan.intact();
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("none", intact, 0, 0, 0, 0));
    for (int i = 0; i < scan.components().size(); i++) {
      Losses l = scan.ablated().get(i);
      rows.add(new Row(scan.components().get(i).name(), l, l.forget() - intact.forget(), l.retain() - intact.retain(),
          l.forgetTopicTokens() - intact.forgetTopicTokens(), l.forgetFactTokens() - intact.forgetFactTokens()));
    }
    return rows;
  }

  /** The run's unexpanded widths where the saved model is wider (an ERA or control model before ablation), else null. */
  static int[] originalWidths(GptConfig config, TinyStoriesConfig s) {
    boolean expanded = false;
    int[] widths = new int[config.nLayers()];
    for (int l = 0; l < widths.length; l++) {
      widths[l] = Math.min(s.dMlp(), config.dMlp(l));
      expanded |= config.dMlp(l) > s.dMlp();
    }
    return expanded ? widths : null;
  }

  private static List<String> savedModels(RunDirectory run) throws IOException {
    Path dir = run.path("models");
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pt")).map(n -> n.substring(0, n.length() - 3))
          .sorted().toList();
    }
  }

  static CsvTable table(List<Row> rows) {
    CsvTable t = CsvTable.withColumns("ablated", "forget", "retain", "forest_topic", "forest_facts", "dF", "dR", "dTopic", "dFact",
        "dF/dR");
    for (Row r : rows) {
      t.addRow(r.component(), r.losses().forget(), r.losses().retain(), r.losses().forgetTopicTokens(), r.losses().forgetFactTokens(),
          r.dForget(), r.dRetain(), r.dTopic(), r.dFact(), r.component().equals("none") ? "" : ratio(r));
    }
    return t.withDecimals(4);
  }

  private static String ratio(Row r) {
    double x = r.selectivity();
    return Double.isInfinite(x) ? "inf" : String.format(Locale.ROOT, "%.2f", x);
  }

  private static void write(RunDirectory run, String name, List<Row> rows) throws IOException {
    table(rows).write(run.path("analysis/" + name + ".csv"));
    List<String> cats = new ArrayList<>();
    double[] df = new double[rows.size() - 1], dr = new double[df.length], dt = new double[df.length];
    for (int i = 1; i < rows.size(); i++) {
      Row r = rows.get(i);
      cats.add(r.component());
      df[i - 1] = finite(r.dForget());
      dr[i - 1] = finite(r.dRetain());
      dt[i - 1] = finite(r.dTopic());
    }
    Map<String, double[]> bars = new LinkedHashMap<>();
    bars.put("forget loss rise", df);
    bars.put("retain loss rise", dr);
    bars.put("forest-topic-token loss rise", dt);
    Plots.groupedBarChart("Zero-ablation of one component: " + name, "component removed", "loss rise (nats/token)", cats, bars,
        run.path("plots/analysis_" + name + ".png"));
  }

  private static double finite(double x) {
    return Double.isFinite(x) ? x : 0;
  }

  static String markdown(String runName, Map<String, List<Row>> models) {
    StringBuilder md = new StringBuilder("# Where does the forest knowledge live? (run ").append(runName).append(")\n\n")
        .append("Each row zero-ablates one component (a block's attention output `hook_attn_out`, its MLP output `hook_mlp_out`, ")
        .append("or the MLP units added by expansion) and reports the validation losses with it removed; dF, dR and dTopic are ")
        .append("the rises over the intact model (row `none`) in forget, retain and forest-topic-token loss.\n");
    models.forEach((name, rows) -> {
      md.append("\n## ").append(name).append("\n\n").append(table(rows).toMarkdown());
      Row best = null;
      for (Row r : rows) if (!r.component().equals("none") && (best == null || r.dForget() - r.dRetain() > best.dForget() - best.dRetain())) best = r;
      if (best != null) {
        md.append(String.format(Locale.ROOT, "\nMost forest-specific component: %s (dF − dR = %+.4f, dTopic %+.4f).\n", best.component(),
            best.dForget() - best.dRetain(), best.dTopic()));
      }
    });
    return md.toString();
  }
}
