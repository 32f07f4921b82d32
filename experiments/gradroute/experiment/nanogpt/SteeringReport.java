package gradroute.experiment.nanogpt;

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

/** summary.json with its {@code criteria}, the CSVs and plots of a steering run. */
final class SteeringReport {
  record Summary(String experiment, String corpus, String routedToken, int routedId, double routedFrequency, long routedPositions,
      boolean exclusiveDim0, List<String> topicNeighbours, List<String> distributionalNeighbours, String model, int steeringBlock, int firstRoutedBlock, List<Double> alphas,
      Map<String, Criterion> criteria, boolean allHold, List<SteeringRun.ModelRun> runs, double wallSeconds) {}

  private SteeringReport() {}

  static Summary write(RunDirectory run, NanoGptConfig s, NanoGptData data, List<Integer> similar, String modelDescription,
      List<SteeringRun.ModelRun> runs,
      double wall) throws IOException {
    List<SteeringEvaluation.Result> routed = new ArrayList<>(), control = new ArrayList<>();
    for (SteeringRun.ModelRun r : runs) (r.eval().model().equals("routed") ? routed : control).add(r.eval());
    Map<String, Criterion> c = new LinkedHashMap<>();
    if (!routed.isEmpty()) {
      c.put("routed_rank_top3", crit("routed token's rank by |cos(u_v, e_0)| (routed)", routed, SteeringEvaluation.Result::targetRank,
          "<= 3 on every seed", v -> v <= 3));
      c.put("related_in_top10", crit("related tokens (topic or distributional neighbours) among the 10 others most aligned with the target's side of e_0 (routed)", routed,
          SteeringEvaluation.Result::relatedInTop10, ">= 3 on every seed", v -> v >= 3));
      double[] mean = meanCurve(routed);
      boolean monotone = true;
      for (int i = 1; i < mean.length; i++) monotone &= mean[i] >= mean[i - 1];
      c.put("p_target_monotone", new Criterion("mean P(target) non-decreasing in alpha (routed, seed-mean curve)",
          "steps up", monotone ? 1.0 : 0.0, perSeedMonotone(routed), "Spearman rho = 1", monotone));
      c.put("p_target_ratio", crit("P(target) at alpha " + s.alphas().get(s.alphas().size() - 1) + " / at 0 (routed)", routed,
          SteeringEvaluation.Result::pRatio, ">= 10 (seed mean)", null, 10, true));
      c.put("auroc", crit("AUROC of s*x_0 at block " + s.steeringBlock() + " for next token = target (routed)", routed,
          SteeringEvaluation.Result::auroc, ">= 0.9 (seed mean)", null, 0.9, true));
    }
    if (!control.isEmpty()) {
      c.put("control_rank_middle", crit("control's rank of the token by |cos| / vocab", control,
          SteeringEvaluation.Result::targetRankFraction, "in [0.2, 0.8] (seed mean)", null, Double.NaN, true));
      Criterion mid = c.get("control_rank_middle");
      c.put("control_rank_middle", new Criterion(mid.name(), mid.measure(), mid.mean(), mid.perSeed(), mid.threshold(),
          mid.mean() >= 0.2 && mid.mean() <= 0.8));
      Criterion ratio = crit("P(target) at alpha " + s.alphas().get(s.alphas().size() - 1) + " / at 0 (control)", control,
          SteeringEvaluation.Result::pRatio, "< 2 (seed mean)", null, 2, false);
      c.put("control_p_ratio", ratio);
    }
    if (!routed.isEmpty() && !control.isEmpty() && routed.size() == control.size()) {
      Map<String, Double> gaps = new LinkedHashMap<>();
      for (int i = 0; i < routed.size(); i++) gaps.put(Long.toString(routed.get(i).seed()), routed.get(i).valLoss() / control.get(i).valLoss() - 1);
      double m = gaps.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      c.put("val_loss_gap", new Criterion("routed val loss / control val loss - 1", "relative", m, gaps, "<= 0.03 (seed mean)",
          m <= 0.03));
    }
    boolean all = c.values().stream().allMatch(Criterion::holds);
    Summary summary = new Summary("nanogpt steer", data.meta.corpus(), data.meta.routedWord(), data.meta.routedId(),
        data.meta.routedFrequency(), s.routedPositions(data.meta.routedFrequency()), s.exclusiveDim0(), data.meta.related().stream().map(data.tokenizer::tokenText).toList(),
        similar.stream().map(data.tokenizer::tokenText).toList(),
        modelDescription, s.steeringBlock(), s.firstRoutedBlock(), s.alphas(), c, all, runs, wall);
    gradroute.report.AtomicFiles.writeString(run.path("criteria.md"), table(summary));
    writeTables(run, s, routed, control);
    run.writeSummary(summary); // last: the run's result
    return summary;
  }

  private static void writeTables(RunDirectory run, NanoGptConfig s, List<SteeringEvaluation.Result> routed, List<SteeringEvaluation.Result> control)
      throws IOException {
    List<String> cols = new ArrayList<>(List.of("model", "seed", "val_loss", "target_rank", "related_top10", "related_top10_by_abs", "auroc"));
    for (double a : s.alphas()) cols.add("p_alpha_" + a);
    CsvTable t = CsvTable.withColumns(cols).withDecimals(6);
    List<SteeringEvaluation.Result> all = new ArrayList<>(routed);
    all.addAll(control);
    for (SteeringEvaluation.Result r : all) {
      List<Object> row = new ArrayList<>(List.of(r.model(), r.seed(), r.valLoss(), r.targetRank(), r.relatedInTop10(), r.relatedInTop10ByAbs(), r.auroc()));
      for (double p : r.pTarget()) row.add(p);
      t.addRow(row.toArray());
    }
    t.write(run.path("results.csv"));
    Map<String, double[][]> curves = new LinkedHashMap<>();
    double[] xs = s.alphas().stream().mapToDouble(Double::doubleValue).toArray();
    if (!routed.isEmpty()) curves.put("routed", new double[][] {xs, meanCurve(routed)});
    if (!control.isEmpty()) curves.put("control", new double[][] {xs, meanCurve(control)});
    Plots.lineChart("P(target) at the next token while steering dim 0", "alpha (x RMS of the residual)", "mean P(target)",
        curves, Plots.LineOptions.DEFAULT.withLogY(), run.path("plots/p_target_vs_alpha.png"));
    for (List<SteeringEvaluation.Result> side : List.of(routed, control)) {
      if (side.isEmpty()) continue;
      SteeringEvaluation.Result r = side.get(0);
      CsvTable top = CsvTable.withColumns("rank", "token_plus_e0", "token_minus_e0").withDecimals(6);
      for (int i = 0; i < r.topPositive().size(); i++) top.addRow(i + 1, r.topPositive().get(i), r.topNegative().get(i));
      top.write(run.path("cosine_top20_" + r.model() + "-s" + r.seed() + ".csv"));
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < r.topTokens().size(); i++) labels.add((i + 1) + ":" + r.topTokens().get(i).replace(' ', '_'));
      double[] vals = r.topCos().clone();
      for (int i = 0; i < vals.length; i++) vals[i] = Math.abs(vals[i]);
      Plots.barChart("top 20 tokens by cos(u_v, " + (r.sign() > 0 ? "+" : "-") + "e_0), " + r.model() + " seed " + r.seed(),
          "token", "|cos|", labels, vals, null, run.path("plots/cosine_top20_" + r.model() + ".png"));
    }
  }

  static double[] meanCurve(List<SteeringEvaluation.Result> rs) {
    double[] m = new double[rs.get(0).pTarget().length];
    for (SteeringEvaluation.Result r : rs) for (int i = 0; i < m.length; i++) m[i] += r.pTarget()[i] / rs.size();
    return m;
  }

  private static Map<String, Double> perSeedMonotone(List<SteeringEvaluation.Result> rs) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (SteeringEvaluation.Result r : rs) {
      boolean ok = true;
      for (int i = 1; i < r.pTarget().length; i++) ok &= r.pTarget()[i] >= r.pTarget()[i - 1];
      out.put(Long.toString(r.seed()), ok ? 1.0 : 0.0);
    }
    return out;
  }

  private static Criterion crit(String name, List<SteeringEvaluation.Result> rs, ToDoubleFunction<SteeringEvaluation.Result> f, String threshold,
      java.util.function.DoublePredicate everySeed) {
    Map<String, Double> v = perSeed(rs, f);
    double m = v.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    return new Criterion(name, "value", m, v, threshold, v.values().stream().allMatch(everySeed::test));
  }

  private static Criterion crit(String name, List<SteeringEvaluation.Result> rs, ToDoubleFunction<SteeringEvaluation.Result> f, String threshold,
      Object unused, double bound, boolean atLeast) {
    Map<String, Double> v = perSeed(rs, f);
    double m = v.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    return new Criterion(name, "value", m, v, threshold, atLeast ? m >= bound : m < bound);
  }

  private static Map<String, Double> perSeed(List<SteeringEvaluation.Result> rs, ToDoubleFunction<SteeringEvaluation.Result> f) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (SteeringEvaluation.Result r : rs) out.put(Long.toString(r.seed()), f.applyAsDouble(r));
    return out;
  }

  /** The criteria as a Markdown table (for the README). */
  static String table(Summary s) {
    return Criterion.markdown(s.criteria().values());
  }
}
