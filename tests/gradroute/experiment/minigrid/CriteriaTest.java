package gradroute.experiment.minigrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.report.Criterion;
import gradroute.rl.agent.PolicyView;
import gradroute.rl.reinforce.Evaluation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The done-when criteria compare the steered routed agent with naive and filtering per seed and in the mean. */
class CriteriaTest {
  private static OversightSweep.RunResult run(Method m, int seed, double ret, double unseenGhost) {
    Evaluation.Result e = new Evaluation.Result(m.headlineView().label(), 100, ret, 0.5, 0.3, 0.2, 10, 50, 0.5,
        unseenGhost, 50, 0.5, 0.1, 0.25, 0.25, 0.05, 0.25);
    return new OversightSweep.RunResult(m.shortName() + seed, m.id(), 0.01, seed, 10, 1, 0.1, 0.01, null, List.of(e),
        new double[0], new double[0], new double[0]);
  }

  @Test
  void returnMustWinOnEverySeedAndTheGhostRateInTheMean() {
    List<OversightSweep.RunResult> rs = new ArrayList<>();
    double[] routed = {0.5, 0.1, 0.4};
    double[] naive = {0.2, 0.2, 0.1};
    for (int s = 0; s < 3; s++) {
      rs.add(run(Method.ROUTING, s, routed[s], 0.2 + 0.3 * (s == 1 ? 1 : 0)));
      rs.add(run(Method.NAIVE_OUTCOMES, s, naive[s], 0.45));
      rs.add(run(Method.FILTERING, s, 0.05, 0.35));
    }
    List<Criterion> cs = Criteria.of(rs, List.of(0.01, 0.05), List.of(0, 1, 2), null, List.of(), null);
    assertEquals(5, cs.size());
    assertFalse(cs.get(0).holds(), "seed 1's return is below naive's");
    assertTrue(cs.get(1).holds(), "above filtering on every seed");
    assertEquals(List.of(0.3, -0.1, 0.3), cs.get(0).perSeed().values().stream().map(v -> Math.round(v * 1e9) / 1e9).toList(),
        "routed minus naive, per seed");
    assertEquals(1.0 / 3 - 0.5 / 3, cs.get(0).mean(), 1e-12);
    assertTrue(cs.get(2).holds(), "mean unseen-ghost rate 0.3 < 0.45");
    assertTrue(cs.get(3).holds(), "0.3 < 0.35");
    assertNull(cs.get(4).holds(), "reproducibility is not measured without a second run");
    assertTrue(cs.get(0).measure().endsWith("at oversight 0.01"), cs.get(0).measure());
    assertEquals(PolicyView.DIAMOND, Method.ROUTING.headlineView());
  }

  @Test
  void aMissingMethodLeavesTheCriterionUnmeasured() {
    List<OversightSweep.RunResult> rs = List.of(run(Method.ROUTING, 0, 0.5, 0.2));
    List<Criterion> cs = Criteria.of(rs, List.of(0.05), List.of(0), List.of(), List.of(), "other");
    assertNull(cs.get(0).holds());
    assertTrue(cs.get(0).measure().endsWith("at oversight 0.05"), "the lowest level when 1% was not swept");
    assertTrue(cs.get(4).holds(), "two empty summaries are equal");
  }
}
