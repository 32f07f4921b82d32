package gradroute.experiment.nanogpt;

import gradroute.experiment.ConsoleSummary;
import gradroute.model.Gpt;
import gradroute.report.AtomicFiles;
import gradroute.report.CsvTable;
import gradroute.text.BpeTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;

/**
 * The steering readout of a finished {@code nanogpt steer} run, from its folder alone (models and
 * tokenizer): for each trained model, the routed token's rank among all tokens by |cos(u_v, e_0)|
 * of its unembedding row with residual dim 0, the side it lies on, and the tokens most aligned with
 * that side. Writes {@code analysis/steering.csv} and {@code analysis/analysis.md}.
 */
public final class SteeringAnalysis {
  static final int TOP = 10;

  private SteeringAnalysis() {}

  /** Reads out every model of the steer run in {@code root}; returns the analysis folder. */
  public static Path run(Path root, Device device) throws IOException {
    long t0 = System.nanoTime();
    NanoGptRunFolder run = NanoGptRunFolder.open(root);
    NanoGptConfig s = run.steerConfig();
    BpeTokenizer tokenizer = run.tokenizer();
    int[] routed = tokenizer.encodeOrdinary(s.routedWord());
    if (routed.length != 1) throw new IllegalArgumentException(root + ": the routed word '" + s.routedWord() + "' is not one token of its tokenizer");
    int target = routed[0];
    List<String> models = run.models();
    if (models.isEmpty()) throw new IllegalArgumentException(root + " has no trained models (models/*.pt): is the run finished?");
    CsvTable table = CsvTable.withColumns("model", "target_rank", "target_rank_fraction", "target_cos", "sign", "top_aligned").withDecimals(4);
    for (String name : models) {
      try (Gpt gpt = run.model(name, device)) {
        SteeringEvaluation.Readout r = SteeringEvaluation.readout(gpt, target);
        List<String> top = new ArrayList<>();
        for (int id : SteeringEvaluation.topBySign(r.cos(), r.sign(), TOP)) top.add("'" + tokenizer.tokenText(id) + "'");
        table.addRow(name, r.targetRank(), (double) r.targetRank() / r.cos().length, r.cos()[target], r.sign(), String.join(" ", top));
      }
    }
    Path out = root.resolve("analysis");
    table.write(out.resolve("steering.csv"));
    String markdown = table.toMarkdown();
    AtomicFiles.writeString(out.resolve("analysis.md"), "# Steering readout of '" + s.routedWord() + "' (residual dim 0)\n\n" + markdown);
    ConsoleSummary.print(markdown, (System.nanoTime() - t0) / 1e9, out);
    return out;
  }
}
