package gradroute.experiment.tinystories;

import gradroute.experiment.tinystories.TinyStoriesRun.Losses;
import gradroute.experiment.tinystories.TinyStoriesRun.MethodResult;
import gradroute.report.AtomicFiles;
import gradroute.report.Criterion;
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
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/** Tables, plots, the pass/fail criteria and summary.json of a TinyStories run. */
public final class TinyStoriesReport {
  /** Mean and sample standard deviation over seeds (sd 0 for one seed). */
  public record Stat(double mean, double sd, int n) {
    static Stat of(List<Double> xs) {
      List<Double> v = xs.stream().filter(x -> x != null && Double.isFinite(x)).toList();
      if (v.isEmpty()) return new Stat(Double.NaN, Double.NaN, 0);
      double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double ss = 0;
      for (double x : v) ss += (x - m) * (x - m);
      return new Stat(m, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0, v.size());
    }

    @Override
    public String toString() {
      if (n == 0) return "-";
      return n > 1 ? String.format(Locale.ROOT, "%.3f ± %.3f", mean, sd) : String.format(Locale.ROOT, "%.3f", mean);
    }
  }

  /** One row of the headline table: a method at one p, over seeds. */
  public record Row(String method, Double p, int seeds, Stat forgetTrained, Stat retainTrained, Stat forgetAblated,
      Stat retainAblated, Stat forgetFinal, Stat retainFinal, Stat forgetBefore, Stat minForgetAfterAttack,
      Stat unlearning, Stat robustUnlearning, Stat topicTrained, Stat topicAblated, Stat topicFinal, Stat factTrained,
      Stat factFinal) {}

  public record Result(String experiment, String run, String data, String device, List<Long> seeds, List<Double> oversight,
      double wallSeconds, int workers, Map<String, Double> secondsPerMethod, List<Row> table,
      Map<String, Criterion> criteria, List<MethodResult> results) {}

  private TinyStoriesReport() {}

  /** @param workers stages run side by side (changes the wall time, not the numbers) */
  public static Result write(RunDirectory run, TinyStoriesConfig s, String data, String device, List<MethodResult> results,
      double wallSeconds, int workers) throws IOException {
    List<Row> table = table(results);
    Map<String, Criterion> criteria = TinyStoriesCriteria.evaluate(results, s.oversight());
    Map<String, Double> seconds = new LinkedHashMap<>();
    for (MethodResult r : results) seconds.merge(label(r.method(), r.p()), r.seconds() / s.seeds().size(), Double::sum);
    Result summary = new Result("tinystories", run.runName(), data, device, s.seeds(), s.oversight(), wallSeconds, workers, seconds,
        table, criteria, results);

    CsvTable losses = CsvTable.withColumns("seed", "method", "p", "stage", "forget", "retain", "forget_topic_tokens",
        "forget_fact_tokens");
    for (MethodResult r : results) {
      addLoss(losses, r, "trained", r.trained());
      addLoss(losses, r, "ablated", r.ablated());
      addLoss(losses, r, "coherence", r.coherent());
      addLoss(losses, r, "final", r.fin());
    }
    losses.write(run.path("losses.csv"));

    CsvTable attack = CsvTable.withColumns("seed", "method", "p", "step", "forget");
    for (MethodResult r : results) {
      if (r.attackSteps() == null) continue;
      for (int i = 0; i < r.attackSteps().length; i++) attack.addRow(r.seed(), r.method(), r.p(), r.attackSteps()[i], r.attackForget()[i]);
    }
    attack.write(run.path("attack.csv"));

    CsvTable headline = headline(table);
    headline.write(run.path("headline.csv"));
    StringBuilder md = new StringBuilder();
    md.append("# TinyStories unlearning: ").append(run.runName()).append("\n\n").append(data).append("\n\n");
    md.append("Seeds ").append(s.seeds()).append("; mean ± sd over seeds. F = forget validation loss, R = retain validation loss. ")
        .append("'trained' is before ablation (ERA/control) or the trained/unlearned model; 'final' is after coherence tuning ")
        .append("(ERA/control) and equals 'trained' otherwise; 'min F attack' is the minimum over attack steps of the ")
        .append("repetition-averaged forget loss when fine-tuning on ").append(s.attackStories()).append(" forget stories for ")
        .append(s.attackSteps()).append(" steps. Unlearning = F final − F before (ERA: pre-ablation; filter/RMU: base); ")
        .append("robust = min F attack − F before. Ftopic = forget-story loss on forest-topic target tokens only ")
        .append("(tokens with w < 0.5 by true-label frequencies).\n\n");
    md.append(headline.toMarkdown()).append("\n## Criteria (summary.json: criteria)\n\n");
    String criteriaTable = Criterion.markdown(criteria.values());
    md.append(criteriaTable);
    AtomicFiles.writeString(run.path("criteria.md"), criteriaTable);
    AtomicFiles.writeString(run.path("headline.md"), md.toString());

    StringBuilder gen = new StringBuilder("# Generations\n\nPrompt: \"" + s.prompt() + "\"\n");
    for (MethodResult r : results) {
      if (r.generations() == null) continue;
      gen.append("\n## seed ").append(r.seed()).append(", ").append(label(r.method(), r.p())).append("\n\n");
      r.generations().forEach((k, v) -> gen.append("- **").append(k).append("**: ").append(v.replace("\n", " ")).append('\n'));
    }
    AtomicFiles.writeString(run.path("generations.md"), gen.toString());

    plots(run, s, results, table);
    run.writeSummary(summary); // last: a summary means every other file is there
    return summary;
  }

  static String label(String method, Double p) {
    return p == null ? method : method + " p=" + p;
  }

  private static void addLoss(CsvTable t, MethodResult r, String stage, Losses l) {
    if (l != null) t.addRow(r.seed(), r.method(), r.p(), stage, l.forget(), l.retain(), l.forgetTopicTokens(), l.forgetFactTokens());
  }

  static List<Row> table(List<MethodResult> results) {
    Map<String, List<MethodResult>> groups = new LinkedHashMap<>();
    for (MethodResult r : results) groups.computeIfAbsent(label(r.method(), r.p()), k -> new ArrayList<>()).add(r);
    List<Row> rows = new ArrayList<>();
    for (List<MethodResult> g : groups.values()) {
      MethodResult first = g.get(0);
      rows.add(new Row(first.method(), first.p(), g.size(),
          stat(g, r -> r.trained().forget()), stat(g, r -> r.trained().retain()),
          stat(g, r -> r.ablated() == null ? Double.NaN : r.ablated().forget()),
          stat(g, r -> r.ablated() == null ? Double.NaN : r.ablated().retain()),
          stat(g, r -> r.fin().forget()), stat(g, r -> r.fin().retain()), stat(g, MethodResult::forgetBefore),
          stat(g, MethodResult::attackMin), stat(g, r -> r.fin().forget() - r.forgetBefore()),
          stat(g, r -> r.attackMin() - r.forgetBefore()), stat(g, r -> r.trained().forgetTopicTokens()),
          stat(g, r -> r.ablated() == null ? Double.NaN : r.ablated().forgetTopicTokens()),
          stat(g, r -> r.fin().forgetTopicTokens()), stat(g, r -> r.trained().forgetFactTokens()),
          stat(g, r -> r.fin().forgetFactTokens())));
    }
    return rows;
  }

  private static Stat stat(List<MethodResult> g, ToDoubleFunction<MethodResult> f) {
    List<Double> xs = new ArrayList<>();
    for (MethodResult r : g) xs.add(f.applyAsDouble(r));
    return Stat.of(xs);
  }

  public static CsvTable headline(List<Row> table) {
    CsvTable t = CsvTable.withColumns("method", "p", "seeds", "F trained", "R trained", "F ablated", "R ablated", "F final",
        "R final", "min F attack", "unlearning", "robust unlearning", "Ftopic trained", "Ftopic ablated", "Ftopic final", "Ffact trained", "Ffact final");
    for (Row r : table) {
      t.addRow(r.method(), r.p() == null ? "-" : r.p().toString(), r.seeds(), r.forgetTrained().toString(), r.retainTrained().toString(),
          r.forgetAblated().toString(), r.retainAblated().toString(), r.forgetFinal().toString(), r.retainFinal().toString(),
          r.minForgetAfterAttack().toString(), r.unlearning().toString(), r.robustUnlearning().toString(),
          r.topicTrained().toString(), r.topicAblated().toString(), r.topicFinal().toString(), r.factTrained().toString(),
          r.factFinal().toString());
    }
    return t;
  }


  private static void plots(RunDirectory run, TinyStoriesConfig s, List<MethodResult> results, List<Row> table) throws IOException {
    // training loss (first seed)
    long seed0 = s.seeds().get(0);
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (MethodResult r : results) {
      if (r.seed() != seed0 || TinyStoriesRun.FROM_BASE.contains(r.method()) && !r.method().equals("filter")) continue;
      Path csv = run.path("training/" + TinyStoriesRun.key(r.seed(), r.method(), r.p()) + ".csv");
      double[][] xy = readCurve(csv);
      if (xy != null && xy[0].length > 1) curves.put(label(r.method(), r.p()), xy);
    }
    if (!curves.isEmpty()) {
      Plots.lineChart("Training cross-entropy (seed " + seed0 + ")", "step", "train CE (nats/token)", curves,
          run.path("plots/training_loss.png"));
    }
    // retraining attack: forget loss vs attack step, mean ± sd over seeds
    Map<String, double[][]> attack = new LinkedHashMap<>();
    for (String method : List.of("era", "filter", "rmu", "masks", "localft", "base")) {
      for (Double p : pValues(results, method)) {
        List<MethodResult> g = results.stream()
            .filter(r -> r.method().equals(method) && Objects.equals(r.p(), p) && r.attackSteps() != null).toList();
        if (g.isEmpty()) continue;
        int[] steps = g.get(0).attackSteps();
        double[][] xy = new double[3][steps.length];
        for (int i = 0; i < steps.length; i++) {
          List<Double> v = new ArrayList<>();
          for (MethodResult r : g) if (r.attackForget().length > i) v.add(r.attackForget()[i]);
          Stat st = Stat.of(v);
          xy[0][i] = steps[i];
          xy[1][i] = st.mean();
          xy[2][i] = st.sd();
        }
        attack.put(label(method, p), xy);
      }
    }
    if (!attack.isEmpty()) {
      Plots.lineChart("Retraining attack: " + s.attackStories() + " forget stories, lr " + s.attackLr(), "attack step",
          "forget validation loss", attack, run.path("plots/retraining_attack.png"));
    }
    oversightPlot(run, results);
    // forget / retain loss per stage for ERA and control
    List<String> cats = new ArrayList<>();
    Map<String, double[]> bars = new LinkedHashMap<>();
    List<double[]> fv = new ArrayList<>();
    for (Row r : table) {
      cats.add(label(r.method(), r.p()));
      fv.add(new double[] {r.forgetFinal().mean() - r.forgetBefore().mean(), r.minForgetAfterAttack().mean() - r.forgetBefore().mean(),
          r.retainFinal().mean()});
    }
    String[] names = {"unlearning (F final − F before)", "robust unlearning (min F attack − F before)", "retain loss (R final)"};
    for (int k = 0; k < names.length; k++) {
      double[] v = new double[cats.size()];
      for (int i = 0; i < v.length; i++) v[i] = Double.isFinite(fv.get(i)[k]) ? fv.get(i)[k] : 0;
      bars.put(names[k], v);
    }
    if (!cats.isEmpty()) {
      Plots.groupedBarChart("Unlearning per method (mean over seeds)", "method", "nats", cats, bars, run.path("plots/unlearning.png"));
    }
  }

  /**
   * The paper's partial-oversight figure: per method, the minimum forget loss after the retraining
   * attack against the labelled share p, and the retain loss beside it (mean ± sd over seeds).
   */
  private static void oversightPlot(RunDirectory run, List<MethodResult> results) throws IOException {
    Map<String, double[][]> series = new LinkedHashMap<>();
    for (String method : List.of("era", "filter", "rmu", "masks", "localft")) {
      List<Double> ps = pValues(results, method).stream().filter(Objects::nonNull).sorted().toList();
      if (ps.isEmpty()) continue;
      double[][] forget = new double[3][ps.size()], retain = new double[3][ps.size()];
      for (int i = 0; i < ps.size(); i++) {
        double p = ps.get(i);
        List<MethodResult> g = results.stream().filter(r -> r.method().equals(method) && Objects.equals(r.p(), p)).toList();
        Stat f = Stat.of(g.stream().map(MethodResult::attackMin).toList());
        Stat r = Stat.of(g.stream().map(x -> x.fin().retain()).toList());
        forget[0][i] = retain[0][i] = p;
        forget[1][i] = f.mean();
        forget[2][i] = f.sd();
        retain[1][i] = r.mean();
        retain[2][i] = r.sd();
      }
      series.put(method + ": min forget loss after attack", forget);
      series.put(method + ": retain loss", retain);
    }
    boolean sweep = results.stream().filter(r -> r.p() != null).map(MethodResult::p).distinct().count() >= 2;
    if (!series.isEmpty() && sweep) {
      Plots.lineChart("Min forget loss after the attack, and retain loss", "labelled share p of forget stories",
          "validation loss (nats/token)", series, Plots.LineOptions.DEFAULT.withErrorBars(), run.path("plots/partial_oversight.png"));
    }
  }

  private static List<Double> pValues(List<MethodResult> results, String method) {
    List<Double> ps = new ArrayList<>();
    for (MethodResult r : results) if (r.method().equals(method) && !ps.contains(r.p())) ps.add(r.p());
    return ps;
  }

  private static double[][] readCurve(Path csv) throws IOException {
    if (!Files.exists(csv)) return null;
    List<String> lines = Files.readAllLines(csv);
    if (lines.size() < 2) return null;
    List<String> header = List.of(lines.get(0).split(","));
    int step = header.indexOf("step"), ce = header.indexOf("ce");
    if (step < 0 || ce < 0) return null;
    double[][] xy = new double[2][lines.size() - 1];
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",", -1);
      xy[0][i - 1] = Double.parseDouble(f[step]);
      xy[1][i - 1] = f[ce].isEmpty() ? Double.NaN : Double.parseDouble(f[ce]);
    }
    return xy;
  }
}
