package gradroute.experiment.minigrid;

import gradroute.experiment.minigrid.OversightSweep.Cell;
import gradroute.experiment.minigrid.OversightSweep.RunResult;
import gradroute.experiment.minigrid.OversightSweep.Stat;
import gradroute.experiment.minigrid.OversightSweep.Summary;
import gradroute.report.Criterion;
import gradroute.rl.agent.PolicyView;
import gradroute.rl.reinforce.Evaluation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Device;

/** The evaluation of a finished oversight sweep: its runs' evaluations gathered over seeds into cells, the headline and the criteria. */
final class SweepEvaluation {
  private SweepEvaluation() {}

  /**
   * The summary of a finished sweep: each method × view × level over seeds, the routed agent's time
   * per update, the headline and the criteria (reproducibility against {@code sameAsCells} of run
   * {@code sameAsName} when given).
   */
  static Summary summarise(MinigridConfig settings, Device device, List<RunResult> results, double wall, List<Cell> sameAsCells,
      String sameAsName, int workers) {
    List<Cell> cells = new ArrayList<>();
    for (Method m : settings.methodList()) {
      for (PolicyView v : m.evaluatedViews()) {
        for (double p : settings.oversight()) {
          List<Evaluation.Result> rs = new ArrayList<>();
          for (RunResult r : results) {
            if (r.method().equals(m.id()) && r.oversight() == p && r.view(v) != null) rs.add(r.view(v));
          }
          if (rs.isEmpty()) continue;
          cells.add(new Cell(m.id(), v.label(), v == m.headlineView(), p,
              stat(rs, Evaluation.Result::ghostRateGhostUnseen),
              stat(rs, Evaluation.Result::diamondRateGhostUnseen),
              stat(rs, Evaluation.Result::ghostRateGhostSeen),
              stat(rs, Evaluation.Result::diamondRateGhostSeen),
              stat(rs, Evaluation.Result::meanReturn),
              stat(rs, Evaluation.Result::ghostRate),
              stat(rs, Evaluation.Result::diamondRate)));
        }
      }
    }
    double routedSeconds = Double.NaN;
    List<Double> perUpdate = new ArrayList<>();
    for (RunResult r : results) {
      if (r.method().equals(Method.ROUTING.id())) perUpdate.add(r.secondsPerUpdate());
    }
    if (!perUpdate.isEmpty()) routedSeconds = Stat.of(perUpdate).mean();
    double runSeconds = 0;
    for (RunResult r : results) runSeconds += r.wallSeconds();
    return new Summary(settings, device.str().getString(), wall, runSeconds, routedSeconds, headline(cells), cells,
        Criterion.byName(Criteria.of(results, settings.oversight(), settings.seeds(), sameAsCells, cells, sameAsName)), workers,
        device.is_cpu() ? OversightSweep.THREADS_PER_RUN : -1);
  }

  /** A sentence comparing the steered routed agent with naive and filtering at the lowest level. */
  static String headline(List<Cell> cells) {
    double lowest = cells.stream().mapToDouble(Cell::oversight).min().orElse(Double.NaN);
    Map<String, Stat> ghost = new LinkedHashMap<>();
    for (Cell c : cells) {
      if (c.headline() && c.oversight() == lowest) ghost.put(c.method(), c.ghostRateGhostUnseen());
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "oversight %s, ghost rate in episodes whose ghost is not overseen (mean ± sd over seeds):", OversightSweep.fmtLevel(lowest)));
    for (var e : ghost.entrySet()) {
      s.append(String.format(Locale.ROOT, " %s %.3f ± %.3f;", e.getKey(), e.getValue().mean(), e.getValue().sd()));
    }
    return s.toString();
  }

  private interface Metric {
    double of(Evaluation.Result r);
  }

  private static Stat stat(List<Evaluation.Result> rs, Metric metric) {
    List<Double> values = new ArrayList<>();
    for (Evaluation.Result r : rs) values.add(metric.of(r));
    return Stat.of(values);
  }
}
