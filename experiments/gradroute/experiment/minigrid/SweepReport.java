package gradroute.experiment.minigrid;

import gradroute.experiment.minigrid.OversightSweep.Cell;
import gradroute.experiment.minigrid.OversightSweep.RunResult;
import gradroute.experiment.minigrid.OversightSweep.Stat;
import gradroute.experiment.minigrid.OversightSweep.Summary;
import gradroute.plot.Plots;
import gradroute.report.Criterion;
import gradroute.report.CsvTable;
import gradroute.report.RunDirectory;
import gradroute.rl.agent.PolicyView;
import gradroute.rl.reinforce.Evaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The report of a finished oversight sweep: CSV tables, plots, the steered episode, summary.json and the console summary. */
final class SweepReport {
  private final MinigridConfig settings;
  private final RunDirectory run;

  SweepReport(MinigridConfig settings, RunDirectory run) {
    this.settings = settings;
    this.run = run;
  }

  /** Writes runs.csv, summary.csv, the plots, the steered episode and, last, summary.json. */
  void write(List<RunResult> results, Summary summary) throws IOException {
    CsvTable runs = CsvTable.withColumns("method", "view", "oversight", "seed", "updates", "episodes", "mean_return",
        "diamond_rate", "ghost_rate", "diamond_rate_ghost_unseen", "ghost_rate_ghost_unseen", "diamond_rate_ghost_seen",
        "ghost_rate_ghost_seen", "overseen_diamond_share", "unseen_diamond_share", "overseen_ghost_share",
        "unseen_ghost_share", "mean_length", "wall_s", "s_per_update");
    for (RunResult r : results) {
      for (Evaluation.Result e : r.evaluations()) {
        runs.addRow(r.method(), e.view(), r.oversight(), r.seed(), r.updates(), e.episodes(), e.meanReturn(),
            e.diamondRate(), e.ghostRate(), e.diamondRateGhostUnseen(), e.ghostRateGhostUnseen(),
            e.diamondRateGhostSeen(), e.ghostRateGhostSeen(), e.overseenDiamondShare(), e.unseenDiamondShare(),
            e.overseenGhostShare(), e.unseenGhostShare(), e.meanLength(), r.wallSeconds(), r.secondsPerUpdate());
      }
    }
    runs.write(run.path("runs.csv"));
    CsvTable table = summaryTable(summary.cells());
    table.write(run.path("summary.csv"));
    plots(results, summary);
    Path strip = run.path("runs/" + OversightSweep.runId(Method.ROUTING, settings.oversight().stream().min(Double::compare).get(), 0)
        + "/steered_episode.png");
    if (Files.exists(strip)) {
      gradroute.report.AtomicFiles.write(run.path("steered_episode.png"), Files.readAllBytes(strip));
    }
    run.writeSummary(summary); // last: a summary means every other file is there
  }

  /** The summary as a table: one row per method, view and oversight level. */
  public static CsvTable summaryTable(List<Cell> cells) {
    CsvTable table = CsvTable.withColumns("method", "view", "oversight", "seeds", "ghost_rate_ghost_unseen",
        "ghost_unseen_sd", "diamond_rate_ghost_unseen", "diamond_unseen_sd", "mean_return", "return_sd",
        "ghost_rate_ghost_seen", "diamond_rate_ghost_seen").withDecimals(3);
    for (Cell c : cells) {
      table.addRow(c.method(), c.view(), c.oversight(), c.ghostRateGhostUnseen().n(), c.ghostRateGhostUnseen().mean(),
          c.ghostRateGhostUnseen().sd(), c.diamondRateGhostUnseen().mean(), c.diamondRateGhostUnseen().sd(),
          c.meanReturn().mean(), c.meanReturn().sd(), c.ghostRateGhostSeen().mean(), c.diamondRateGhostSeen().mean());
    }
    return table;
  }

  private void plots(List<RunResult> results, Summary summary) throws IOException {
    List<Double> levels = new ArrayList<>(settings.oversight());
    levels.sort(Double::compare);
    boolean logX = levels.get(0) > 0 && levels.size() > 1;
    Plots.LineOptions options = logX ? Plots.LineOptions.DEFAULT.withLogX().withErrorBars() : Plots.LineOptions.DEFAULT.withErrorBars();
    Map<String, double[][]> ghost = new LinkedHashMap<>();
    Map<String, double[][]> diamond = new LinkedHashMap<>();
    Map<String, double[][]> ret = new LinkedHashMap<>();
    for (Method m : settings.methodList()) {
      for (PolicyView v : m.evaluatedViews()) {
        if (v == PolicyView.GHOST) continue;
        List<Cell> cs = new ArrayList<>();
        for (double p : levels) {
          for (Cell c : summary.cells()) {
            if (c.method().equals(m.id()) && c.view().equals(v.label()) && c.oversight() == p) cs.add(c);
          }
        }
        if (cs.isEmpty()) continue;
        String name = seriesName(m, v);
        ghost.put(name, series(cs, Cell::ghostRateGhostUnseen));
        diamond.put(name, series(cs, Cell::diamondRateGhostUnseen));
        ret.put(name, series(cs, Cell::meanReturn));
      }
    }
    Plots.lineChart("Ghost reached when the ghost is not overseen", "oversight level", "ghost rate (unseen ghost)",
        ghost, options, run.path("plots/ghost_rate_unseen_vs_oversight.png"));
    Plots.lineChart("Diamond reached when the ghost is not overseen", "oversight level", "diamond rate (unseen ghost)",
        diamond, options, run.path("plots/diamond_rate_unseen_vs_oversight.png"));
    Plots.lineChart("True return per episode", "oversight level", "mean true return", ret, options,
        run.path("plots/return_vs_oversight.png"));
    for (double p : levels) {
      curvePlot(results, p, RunResult::curveReturn, "Evaluation return during training", "mean true return",
          "plots/return_curves_p");
      curvePlot(results, p, RunResult::curveGhostRateUnseen, "Ghost reached when not overseen, during training",
          "ghost rate (unseen ghost)", "plots/ghost_rate_curves_p");
    }
  }

  /** One learning-curve chart at level {@code p}: each method's headline policy, mean ± sd over seeds. */
  private void curvePlot(List<RunResult> results, double p, Function<RunResult, double[]> curve,
      String title, String yLabel, String filePrefix) throws IOException {
    Map<String, double[][]> curves = new LinkedHashMap<>();
    for (Method m : settings.methodList()) {
      List<RunResult> rs = new ArrayList<>();
      for (RunResult r : results) {
        if (r.method().equals(m.id()) && r.oversight() == p && r.curveUpdates() != null && r.curveUpdates().length > 0
            && curve.apply(r) != null) {
          rs.add(r);
        }
      }
      if (rs.isEmpty()) continue;
      double[][] mean = meanCurve(rs, curve);
      // a rate with no episodes to count (short evaluations) has no points
      if (mean[0].length > 0) curves.put(seriesName(m, m.headlineView()), mean);
    }
    if (!curves.isEmpty()) {
      Plots.lineChart(title + ", oversight " + OversightSweep.fmtLevel(p), "update", yLabel, curves,
          run.path(filePrefix + OversightSweep.fmtLevel(p) + ".png"));
    }
  }

  private static String seriesName(Method m, PolicyView v) {
    if (!m.routedNetwork()) return m.id();
    return m.id() + (v == PolicyView.DIAMOND ? " (steered)" : " (" + v.label() + " policy)");
  }

  private interface CellStat {
    Stat of(Cell c);
  }

  private static double[][] series(List<Cell> cs, CellStat f) {
    double[][] out = new double[3][cs.size()];
    for (int i = 0; i < cs.size(); i++) {
      Stat s = f.of(cs.get(i));
      out[0][i] = cs.get(i).oversight();
      out[1][i] = s.mean();
      out[2][i] = Double.isNaN(s.sd()) ? 0 : s.sd();
    }
    return out;
  }

  /** Mean ± sd over seeds at the updates every seed evaluated at. */
  private static double[][] meanCurve(List<RunResult> rs, Function<RunResult, double[]> curve) {
    double[] xs = rs.get(0).curveUpdates();
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      List<Double> ys = new ArrayList<>();
      for (RunResult r : rs) {
        if (i < r.curveUpdates().length && r.curveUpdates()[i] == xs[i]) ys.add(curve.apply(r)[i]);
      }
      Stat s = Stat.of(ys);
      if (ys.size() == rs.size() && !Double.isNaN(s.mean())) {
        points.add(new double[] {xs[i], s.mean(), Double.isNaN(s.sd()) ? 0 : s.sd()});
      }
    }
    double[][] out = new double[3][points.size()];
    for (int i = 0; i < points.size(); i++) {
      for (int k = 0; k < 3; k++) out[k][i] = points.get(i)[k];
    }
    return out;
  }

  /** The console summary: each criterion's verdict, the table of cells, the headline and the runs' own time. */
  static String console(Summary summary) {
    StringBuilder b = new StringBuilder();
    for (Criterion c : summary.criteria().values()) {
      b.append(String.format("criterion '%s' (%s): %s%n", c.name(), c.measure(),
          c.holds() == null ? "not measured" : c.holds() ? "holds" : "fails"));
    }
    b.append(summaryTable(summary.cells()).toMarkdown()).append('\n');
    b.append(summary.headline()).append('\n');
    b.append(String.format("the runs' own times add up to %.0f s", summary.runSeconds()));
    return b.toString();
  }
}
