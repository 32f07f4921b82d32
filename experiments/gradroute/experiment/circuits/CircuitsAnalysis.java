package gradroute.experiment.circuits;

import gradroute.circuits.Circuits;
import gradroute.experiment.ConsoleSummary;
import gradroute.experiment.nanogpt.UnlearnConfig;
import gradroute.experiment.nanogpt.UnlearnData;
import gradroute.model.Gpt;
import gradroute.plot.Plots;
import gradroute.report.AtomicFiles;
import gradroute.report.Criterion;
import gradroute.report.CsvTable;
import gradroute.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;

/**
 * Circuit discovery scored against the region routing put the forget capability in, on a finished
 * {@code nanogpt unlearn} run: every edge of the routed and control models scored on forget and
 * retain prompts by EAP, EAP-IG, activation magnitude and random scores; ROC AUC, the region's
 * share of Σ|score| and faithfulness curves, written to {@code <run>/circuits/}.
 */
public final class CircuitsAnalysis {
  private CircuitsAnalysis() {}

  /** Scores every model of the unlearn run in {@code dir}; writes {@code dir/circuits/}. */
  public static Path run(Path dir, int windows, int igSteps, int curvePoints, Device device) throws IOException {
    Path configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) throw new IllegalArgumentException("no run at " + dir + " (no config.json)");
    UnlearnConfig s;
    try {
      s = gradroute.config.Configs.file(UnlearnConfig.class, configFile);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(configFile + " is not a nanogpt unlearn run's config (circuits needs the routed MLP neurons of an unlearn run): "
          + gradroute.runtime.ErrorText.oneLine(e), e);
    }
    List<String> kinds = new ArrayList<>();
    for (String k : List.of("routed", "control")) {
      for (long seed : s.seeds()) {
        if (!Files.isRegularFile(model(dir, k, seed))) {
          if (k.equals("routed")) throw new IllegalArgumentException("run " + dir + " has no trained model " + model(dir, k, seed) + " (is it finished?)");
          continue;
        }
        if (!kinds.contains(k)) kinds.add(k);
      }
    }
    UnlearnData data = UnlearnData.load(s);
    boolean[] routed = data.routedMask();
    int len = s.nCtx() + 1;
    List<long[]> forget = data.forgetEvalWindows(len, windows);
    List<long[]> retainAll = data.retainEvalWindows(len, 2 * windows);
    if (retainAll.size() < 2 * windows) throw new IllegalArgumentException("the retain evaluation text has " + retainAll.size() + " windows of " + len
        + " tokens, fewer than the " + 2 * windows + " needed: lower --windows");
    List<long[]> retain = retainAll.subList(0, windows), retainCorrupt = retainAll.subList(windows, 2 * windows);
    CircuitBenchmark bench = new CircuitBenchmark(s.routedLayers(), s.routedNeurons(), igSteps, curvePoints);
    List<CircuitBenchmark.MethodResult> results = new ArrayList<>();
    long t0 = System.nanoTime();
    try (PointerScope scope = new PointerScope()) {
      // forget prompts: the routed capability (log-prob of routed next tokens), resampled from retain text;
      // retain prompts: plain language modelling, resampled from other retain text
      CircuitBenchmark.Side forgetSide = CircuitBenchmark.side("forget", forget, retain, routed, true, device);
      CircuitBenchmark.Side retainSide = CircuitBenchmark.side("retain", retain, retainCorrupt, routed, false, device);
      for (String kind : kinds) {
        for (long seed : s.seeds()) {
          Path file = model(dir, kind, seed);
          if (!Files.isRegularFile(file)) continue;
          try (Gpt gpt = Gpt.load(file, device)) {
            for (CircuitBenchmark.Side side : List.of(forgetSide, retainSide)) {
              System.out.printf("scoring %s-s%d on %s prompts (%d edges, 4 methods) ...%n", kind, seed, side.name(),
                  gradroute.circuits.GptGraphs.graph(gpt.config()).edgeCount());
              results.addAll(bench.run(gpt, kind, seed, side, bench.scorers(seed)));
            }
          }
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Path target = dir.resolve("circuits");
    write(target, results, s, seconds);
    ConsoleSummary.print(table(results).toMarkdown(), seconds, target);
    return target;
  }

  private static Path model(Path dir, String kind, long seed) {
    return dir.resolve("models").resolve(kind + "-s" + seed + ".pt");
  }

  static CsvTable table(List<CircuitBenchmark.MethodResult> results) {
    CsvTable t = CsvTable.withColumns("model", "seed", "side", "method", "edge_auc", "edge_share", "node_auc", "neuron_auc", "neuron_share", "neuron_top_k")
        .withDecimals(4);
    for (var r : results) t.addRow(CircuitBenchmark.asRow(r).values().toArray());
    return t;
  }

  private static void write(Path target, List<CircuitBenchmark.MethodResult> results, UnlearnConfig s, double seconds) throws IOException {
    table(results).write(target.resolve("methods.csv"));
    CsvTable roc = CsvTable.withColumns("model", "seed", "side", "method", "level", "fpr", "tpr").withDecimals(5);
    CsvTable faith = CsvTable.withColumns("model", "seed", "side", "method", "patch", "edges", "metric", "faithfulness").withDecimals(5);
    for (var r : results) {
      addRoc(roc, r, "edge", r.edgeRoc());
      if (r.neuronRoc() != null) addRoc(roc, r, "neuron", r.neuronRoc());
      for (var p : r.tree()) faith.addRow(r.model(), r.seed(), r.side(), r.method(), "tree", p.edges(), p.metric(), p.faithfulness());
      for (var p : r.edge()) faith.addRow(r.model(), r.seed(), r.side(), r.method(), "edge", p.edges(), p.metric(), p.faithfulness());
    }
    roc.write(target.resolve("roc.csv"));
    neurons(results).write(target.resolve("neurons.csv"));
    faith.write(target.resolve("faithfulness.csv"));
    plots(target.resolve("plots"), results);
    List<Criterion> criteria = criteria(results);
    AtomicFiles.writeString(target.resolve("criteria.md"), Criterion.markdown(criteria));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("experiment", "circuits");
    summary.put("routed_layers", s.routedLayers());
    summary.put("routed_neurons", s.routedNeurons());
    summary.put("seconds", seconds);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (var r : results) rows.add(CircuitBenchmark.asRow(r));
    summary.put("methods", rows);
    summary.put("criteria", Criterion.byName(criteria));
    Json.write(target.resolve("summary.json"), summary); // last: a folder with a summary is complete
  }

  /** Every neuron's |score| by method (methods with a neuron-level form), with its layer, index and whether it is routed. */
  private static CsvTable neurons(List<CircuitBenchmark.MethodResult> results) {
    CsvTable t = CsvTable.withColumns("model", "seed", "side", "method", "layer", "neuron", "routed", "abs_score").withDecimals(8);
    for (var r : results) {
      if (r.neuronScores() == null) continue;
      int k = 0;
      for (int l = 0; l < r.mlpWidths().length; l++) {
        for (int i = 0; i < r.mlpWidths()[l]; i++, k++) t.addRow(r.model(), r.seed(), r.side(), r.method(), l, i, r.neuronRouted()[k] ? 1 : 0, r.neuronScores()[k]);
      }
    }
    return t;
  }

  private static void addRoc(CsvTable t, CircuitBenchmark.MethodResult r, String level, double[][] curve) {
    for (int i = 0; i < curve[0].length; i++) t.addRow(r.model(), r.seed(), r.side(), r.method(), level, curve[0][i], curve[1][i]);
  }

  /** The acceptance criteria, over the seeds of the run. */
  static List<Criterion> criteria(List<CircuitBenchmark.MethodResult> results) {
    List<Criterion> out = new ArrayList<>();
    Map<String, Double> routedAuc = perSeed(results, "routed", "forget", "eap", CircuitBenchmark.MethodResult::neuronAuc);
    Map<String, Double> controlAuc = perSeed(results, "control", "forget", "eap", CircuitBenchmark.MethodResult::neuronAuc);
    Map<String, Double> forgetShare = perSeed(results, "routed", "forget", "eap", CircuitBenchmark.MethodResult::neuronShare);
    Map<String, Double> retainShare = perSeed(results, "routed", "retain", "eap", CircuitBenchmark.MethodResult::neuronShare);
    Map<String, Double> ratio = new LinkedHashMap<>();
    forgetShare.forEach((k, v) -> ratio.put(k, v / retainShare.getOrDefault(k, Double.NaN)));
    double ra = mean(routedAuc), ca = mean(controlAuc), rr = mean(ratio);
    out.add(new Criterion("eap_neuron_auc_routed", "EAP AUC for 'this neuron of a routed block is a routed one', routed model, forget prompts", ra,
        routedAuc, ">= 0.9", ra >= 0.9));
    if (!controlAuc.isEmpty()) {
      out.add(new Criterion("eap_neuron_auc_control", "the same on the unrouted control", ca, controlAuc, "within 0.5 ± 0.1", Math.abs(ca - 0.5) <= 0.1));
    }
    out.add(new Criterion("eap_share_ratio", "routed neurons' share of Σ|EAP| (all neurons), forget over retain prompts, routed model", rr, ratio,
        ">= 3", rr >= 3));
    Map<String, Double> endpoints = new LinkedHashMap<>();
    for (var r : results) {
      if (!r.method().equals("eap")) continue;
      List<Circuits.CurvePoint> c = r.tree();
      double err = Math.max(Math.abs(c.get(0).faithfulness()), Math.abs(c.get(c.size() - 1).faithfulness() - 100));
      endpoints.merge(r.model() + "-s" + r.seed() + "-" + r.side(), err, Math::max);
    }
    double worst = endpoints.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    out.add(new Criterion("faithfulness_endpoints", "largest |faithfulness − target| at no edges (0 %) and all edges (100 %), tree patching", worst,
        endpoints, "<= 0.01", worst <= 0.01));
    return out;
  }

  private static Map<String, Double> perSeed(List<CircuitBenchmark.MethodResult> results, String model, String side, String method,
      java.util.function.ToDoubleFunction<CircuitBenchmark.MethodResult> f) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (var r : results) {
      if (r.model().equals(model) && r.side().equals(side) && r.method().equals(method)) out.put("s" + r.seed(), f.applyAsDouble(r));
    }
    return out;
  }

  private static double mean(Map<String, Double> m) {
    return m.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** ROC curves (neurons, edges) and faithfulness curves of the first seed. */
  private static void plots(Path dir, List<CircuitBenchmark.MethodResult> results) throws IOException {
    long seed = results.get(0).seed();
    Map<String, double[][]> neuronRoc = new LinkedHashMap<>(), edgeRoc = new LinkedHashMap<>(), faith = new LinkedHashMap<>();
    for (var r : results) {
      if (r.seed() != seed || !r.side().equals("forget")) continue;
      if (r.neuronRoc() != null) neuronRoc.put(r.model() + " " + r.method() + String.format(" (AUC %.2f)", r.neuronAuc()), r.neuronRoc());
      if (r.model().equals("routed")) edgeRoc.put(r.method() + String.format(" (AUC %.2f)", r.edgeAuc()), r.edgeRoc());
    }
    for (var r : results) {
      if (r.seed() != seed || !r.model().equals("routed")) continue;
      double[] x = r.tree().stream().mapToDouble(Circuits.CurvePoint::edges).toArray();
      double[] y = r.tree().stream().mapToDouble(Circuits.CurvePoint::faithfulness).toArray();
      faith.put(r.method() + " " + r.side(), new double[][] {x, y});
    }
    Plots.lineChart("Routed neurons found (routed blocks' MLP neurons, forget prompts, seed " + seed + ")", "false-positive rate",
        "true-positive rate", neuronRoc, dir.resolve("roc_neurons.png"));
    Plots.lineChart("Edges touching the routed MLPs (routed model, forget prompts, seed " + seed + ")", "false-positive rate",
        "true-positive rate", edgeRoc, dir.resolve("roc_edges.png"));
    Plots.lineChart("Faithfulness of the top-k edges, tree patching (routed model, seed " + seed + ")", "edges kept", "faithfulness %", faith,
        dir.resolve("faithfulness.png"));
  }
}
