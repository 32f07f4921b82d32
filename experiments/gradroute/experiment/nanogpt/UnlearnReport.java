package gradroute.experiment.nanogpt;

import static gradroute.experiment.nanogpt.UnlearnRun.Quantity.EXCLUDED;
import static gradroute.experiment.nanogpt.UnlearnRun.Quantity.FORGET;
import static gradroute.experiment.nanogpt.UnlearnRun.Quantity.RETAIN;

import gradroute.experiment.nanogpt.UnlearnRun.Losses;
import gradroute.experiment.nanogpt.UnlearnRun.MethodResult;
import gradroute.experiment.nanogpt.UnlearnRun.Quantity;
import gradroute.report.AtomicFiles;
import gradroute.report.Criterion;
import gradroute.report.CsvTable;
import gradroute.plot.Plots;
import gradroute.report.RunDirectory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** summary.json (with its {@code criteria}), criteria.md, results.csv and the plots of an unlearning run. */
final class UnlearnReport {
  /** One done-when criterion: measured mean and per-seed values against a threshold (holds on the seed mean). */

  /**
   * One method's deltas (stage loss − reference loss): {@code delta.get(quantity column).get(stage)}
   * is the seed mean and standard deviation.
   */
  record MethodSummary(String method, int seeds, Map<String, Map<String, double[]>> delta) {
    double mean(Quantity q, String stage) {
      return delta.get(q.column).get(stage)[0];
    }
  }

  /**
   * The absorption breakdown: unrouted forget targets split by the token score into topical (s(v) at
   * least {@code topicalScore}) and generic ones, with their shares of the held-out forget tokens.
   */
  record Absorption(double topicalScore, int topicalTokens, double topicalShareForgetEval, double genericShareForgetEval) {}

  record Summary(String experiment, String corpus, List<String> routedWords, List<Integer> routedIds, double routedShareForgetEval,
      double routedShareRetainEval, String model, int[] routedLayers, int routedNeurons, List<String> forgetEvalDocuments,
      List<String> attackDocuments, Absorption absorption, Map<String, Criterion> criteria, boolean allHold, List<MethodSummary> methods,
      List<MethodResult> results, double wallSeconds, int workers) {}

  static final String[] STAGES = {"before", "ablated", "coherent", "attack_min"};

  private UnlearnReport() {}

  /** @param workers jobs run side by side (--workers; 1 when data parallel): changes the wall time, not the numbers */
  static Summary write(RunDirectory run, UnlearnConfig s, UnlearnData data, String model, Absorption absorption, List<MethodResult> results,
      double wall, int workers) throws IOException {
    Map<String, List<MethodResult>> by = new LinkedHashMap<>();
    for (MethodResult r : results) by.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
    Map<String, Criterion> c = criteria(by.getOrDefault("routed", List.of()), by.getOrDefault("control", List.of()));
    boolean allHold = !c.isEmpty() && c.values().stream().allMatch(Criterion::holds);
    List<MethodSummary> methods = new ArrayList<>();
    for (var e : by.entrySet()) methods.add(summarise(e.getKey(), e.getValue()));
    Summary summary = new Summary("nanogpt unlearn", data.meta.corpus(), data.meta.routedWords(), data.meta.routedIds(),
        data.meta.routedShareForgetEval(), data.meta.routedShareRetainEval(), model, s.routedLayers(), s.routedNeurons(),
        data.meta.forgetEval(), data.meta.forgetAttack(), absorption, c, allHold, methods, results, wall, workers);
    writeTables(run, results);
    writePlots(run, by);
    AtomicFiles.writeString(run.path("criteria.md"), table(summary));
    run.writeSummary(summary); // last: the run's result
    return summary;
  }

  static Map<String, Criterion> criteria(List<MethodResult> routed, List<MethodResult> control) {
    Map<String, Criterion> c = new LinkedHashMap<>();
    if (!routed.isEmpty()) {
      c.put("ablated_forget", crit("routed: Δforget after ablation (nats)", routed, r -> r.delta(r.ablated(), FORGET), ">= 0.3", v -> v >= 0.3));
      c.put("ablated_retain", crit("routed: Δretain after ablation", routed, r -> r.delta(r.ablated(), RETAIN), "<= 0.1", v -> v <= 0.1));
      c.put("ablated_ratio", crit("routed: Δforget / Δretain after ablation", routed, r -> ratio(r.delta(r.ablated(), FORGET), r.delta(r.ablated(), RETAIN)),
          ">= 3", v -> v >= 3));
      c.put("coherent_retain", crit("routed: Δretain after coherence tuning", routed, r -> r.delta(r.coherent(), RETAIN), "<= 0.03", v -> v <= 0.03));
      c.put("coherent_forget", crit("routed: Δforget after coherence tuning", routed, r -> r.delta(r.coherent(), FORGET), ">= 0.1", v -> v >= 0.1));
      c.put("attack_forget", crit("routed: min forget loss over the attack − before", routed, r -> r.delta(r.attackMin(), FORGET), ">= 0.05",
          v -> v >= 0.05));
      c.put("attack_forget_excluded", crit("routed: the same, routed tokens excluded", routed, r -> r.delta(r.attackMin(), EXCLUDED), ">= 0.05",
          v -> v >= 0.05));
    }
    if (!control.isEmpty()) {
      c.put("random_ablation", crit("control, k random neurons ablated: |Δforget − Δretain|", control,
          r -> Math.abs(r.delta(r.ablated(), FORGET) - r.delta(r.ablated(), RETAIN)), "<= 0.05 (Δforget ≈ Δretain)", v -> v <= 0.05));
    }
    return c;
  }

  /** Δf/Δr, with a retain change below 1e-4 nats counted as 1e-4 (so a near-zero cost reads as a large ratio, not a sign flip). */
  static double ratio(double forget, double retain) {
    return forget / Math.max(retain, 1e-4);
  }

  private static Criterion crit(String name, List<MethodResult> rs, ToDoubleFunction<MethodResult> f, String threshold,
      java.util.function.DoublePredicate holds) {
    Map<String, Double> v = new LinkedHashMap<>();
    for (MethodResult r : rs) v.put(Long.toString(r.seed()), f.applyAsDouble(r));
    double m = v.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    return new Criterion(name, "seed mean", m, v, threshold, holds.test(m));
  }

  private static List<Losses> stages(MethodResult r) {
    return List.of(r.reference(), r.ablated(), r.coherent(), r.attackMin());
  }

  private static MethodSummary summarise(String method, List<MethodResult> rs) {
    Map<String, Map<String, double[]>> delta = new LinkedHashMap<>();
    for (Quantity w : Quantity.values()) {
      Map<String, double[]> m = new LinkedHashMap<>();
      for (int i = 0; i < STAGES.length; i++) {
        double[] d = new double[rs.size()];
        for (int k = 0; k < rs.size(); k++) d[k] = rs.get(k).delta(stages(rs.get(k)).get(i), w);
        m.put(STAGES[i], new double[] {mean(d), sd(d)});
      }
      delta.put(w.column, m);
    }
    return new MethodSummary(method, rs.size(), delta);
  }

  private static void writeTables(RunDirectory run, List<MethodResult> results) throws IOException {
    List<String> cols = new ArrayList<>(List.of("method", "seed"));
    for (String st : STAGES) for (Quantity q : Quantity.values()) cols.add(st + "_" + q.column);
    cols.add("removed");
    CsvTable t = CsvTable.withColumns(cols).withDecimals(6);
    List<String> attackCols = new ArrayList<>(List.of("method", "seed", "step"));
    for (Quantity q : Quantity.values()) attackCols.add(q.column);
    CsvTable attack = CsvTable.withColumns(attackCols).withDecimals(6);
    for (MethodResult r : results) {
      List<Object> row = new ArrayList<>(List.of(r.method(), r.seed()));
      for (Losses l : stages(r)) for (Quantity q : Quantity.values()) row.add(q.of(l));
      row.add(r.removed());
      t.addRow(row.toArray());
      for (int i = 0; i < r.attack().size(); i++) {
        Losses l = r.attack().get(i);
        List<Object> a = new ArrayList<>(List.of(r.method(), r.seed(), r.attackSteps()[i]));
        for (Quantity q : Quantity.values()) a.add(q.of(l));
        attack.addRow(a.toArray());
      }
    }
    t.write(run.path("results.csv"));
    attack.write(run.path("attack.csv"));
  }

  private static void writePlots(RunDirectory run, Map<String, List<MethodResult>> by) throws IOException {
    double[] xs = {0, 1, 2, 3};
    Map<String, double[][]> attackCurves = new LinkedHashMap<>(), absorptionCurves = new LinkedHashMap<>();
    for (var e : by.entrySet()) {
      List<MethodResult> rs = e.getValue();
      Map<String, double[][]> curves = new LinkedHashMap<>();
      for (Quantity q : Quantity.values()) {
        double[] y = new double[4];
        for (MethodResult r : rs) {
          List<Losses> st = stages(r);
          for (int i = 0; i < 4; i++) y[i] += q.of(st.get(i)) / rs.size();
        }
        curves.put(q.label, new double[][] {xs, y});
      }
      Plots.lineChart(e.getKey() + ": loss by stage (mean of " + rs.size() + " seeds)",
          "0 before, 1 ablated / unlearned, 2 coherence-tuned, 3 attack minimum", "loss (nats)", curves,
          run.path("plots/stages_" + e.getKey() + ".png"));
      int n = rs.get(0).attackSteps().length;
      double[] steps = new double[n], y = new double[n];
      for (int i = 0; i < n; i++) steps[i] = rs.get(0).attackSteps()[i];
      for (MethodResult r : rs) for (int i = 0; i < n; i++) y[i] += (r.attack().get(i).forget() - r.reference().forget()) / rs.size();
      attackCurves.put(e.getKey(), new double[][] {steps, y});
      if (e.getKey().equals("routed") || e.getKey().equals("control")) {
        for (Quantity q : List.of(Quantity.ROUTED, Quantity.TOPICAL, Quantity.GENERIC)) {
          double[] d = new double[n];
          for (MethodResult r : rs) for (int i = 0; i < n; i++) d[i] += r.delta(r.attack().get(i), q) / rs.size();
          absorptionCurves.put(e.getKey() + " model: " + q.label, new double[][] {steps, d});
        }
      }
    }
    if (!absorptionCurves.isEmpty()) {
      Plots.lineChart("the attack by target class (seed mean)", "attack step",
          "forget loss − before unlearning (nats)", absorptionCurves, run.path("plots/absorption.png"));
    }
    if (!attackCurves.isEmpty()) {
      Plots.lineChart("retraining attack on two forget documents (seed mean)", "attack step",
          "forget loss − before unlearning (nats)", attackCurves, run.path("plots/attack.png"));
    }
  }

  private static double mean(double[] v) {
    double m = 0;
    for (double x : v) m += x / v.length;
    return m;
  }

  private static double sd(double[] v) {
    if (v.length < 2) return 0;
    double m = mean(v), s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return Math.sqrt(s / (v.length - 1));
  }

  /** The criteria as a Markdown table (the README's). */
  static String table(Summary s) {
    return Criterion.markdown(s.criteria().values());
  }

  /** Seed-mean deltas per method and stage, as Markdown (printed and in methods.md). */
  static String methodsTable(Summary s) {
    List<String> cols = new ArrayList<>(List.of("method", "stage"));
    for (Quantity q : Quantity.values()) cols.add("Δ " + q.label);
    CsvTable t = CsvTable.withColumns(cols).withDecimals(4);
    for (MethodSummary m : s.methods()) {
      for (String st : STAGES) {
        List<Object> row = new ArrayList<>(List.of(m.method(), st));
        for (Quantity q : Quantity.values()) row.add(m.mean(q, st));
        t.addRow(row.toArray());
      }
    }
    return t.toMarkdown();
  }
}
