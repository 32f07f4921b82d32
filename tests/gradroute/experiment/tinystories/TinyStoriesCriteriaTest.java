package gradroute.experiment.tinystories;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.report.Criterion;
import gradroute.experiment.tinystories.TinyStoriesRun.Losses;
import gradroute.experiment.tinystories.TinyStoriesRun.MethodResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TinyStoriesCriteriaTest {
  private static MethodResult result(long seed, String method, Double p, Losses trained, Losses ablated, Losses fin, double attackMin) {
    return new MethodResult(seed, method, p, 1, 0, trained, ablated, ablated == null ? null : fin, fin, trained.forget(), null, null,
        null, null, attackMin, 0, Map.of(), 0, null, null);
  }

  private static Losses l(double f, double r) {
    return new Losses(f, r, f + 1, f + 2);
  }

  @Test
  void eraAgainstFilterIsDecidedByThePairedIntervalNotTheMean() {
    double[][] differences = {{0.004, 0.006, 0.005, 0.007}, {0.004, -0.003, 0.002, -0.002}};
    boolean[] expected = {true, false};
    for (int k = 0; k < differences.length; k++) {
      List<MethodResult> rs = new java.util.ArrayList<>();
      for (int seed = 0; seed < differences[k].length; seed++) {
        double filterMin = 1.2 + 0.1 * seed; // a seed effect that pairing removes
        rs.add(result(seed, "era", 0.5, l(1.2, 1.1), l(1.3, 1.12), l(1.3, 1.11), filterMin + differences[k][seed]));
        rs.add(result(seed, "filter", 0.5, l(1.22, 1.1), null, l(1.22, 1.1), filterMin));
      }
      Criterion attack = TinyStoriesCriteria.evaluate(rs, List.of(0.5)).get("era_above_filter_after_attack_p0.5");
      assertEquals(expected[k], attack.holds(), attack.measure());
      assertTrue(attack.mean() > 0, "both means are positive; only the interval tells them apart");
      assertTrue(attack.measure().contains("paired by seed"), attack.measure());
    }
  }

  @Test
  void measuresEachCriterionPerSeedAndComparesTheMean() {
    List<MethodResult> rs = List.of(
        result(0, "control", null, l(1.0, 1.0), l(1.01, 1.03), l(1.01, 1.01), Double.NaN),
        result(1, "control", null, l(1.0, 1.0), l(1.01, 1.005), l(1.01, 1.0), Double.NaN),
        result(0, "era", 1.0, l(1.2, 1.1), l(1.5, 1.15), l(1.45, 1.11), 1.3),
        result(1, "era", 1.0, l(1.2, 1.1), l(1.5, 1.2), l(1.45, 1.11), 1.3),
        result(0, "era", 0.5, l(1.2, 1.1), l(1.3, 1.12), l(1.3, 1.11), 1.25),
        result(0, "filter", 0.5, l(1.22, 1.1), null, l(1.22, 1.1), 1.2),
        result(0, "base", null, l(1.2, 1.1), null, l(1.2, 1.1), 1.18));
    Map<String, Criterion> c = TinyStoriesCriteria.evaluate(rs, List.of(0.5, 1.0));
    Criterion retain = c.get("control_ablation_retain");
    assertEquals(0.0175, retain.mean(), 1e-9);
    assertEquals(0.03, retain.perSeed().get("0"), 1e-9);
    assertTrue(retain.holds(), "mean 0.0175 <= 0.02");
    Criterion ratio = c.get("era_p1_ablation_ratio");
    assertEquals((6 + 3) / 2.0, ratio.mean(), 1e-9);
    assertTrue(ratio.holds());
    Criterion attack = c.get("era_above_filter_after_attack_p0.5");
    assertEquals(0.05, attack.mean(), 1e-9);
    assertEquals(1, attack.perSeed().size(), "seed 1 has no p=0.5 runs");
    assertFalse(attack.holds(), "one seed gives no interval, so a positive difference alone does not hold");
    assertTrue(c.get("precondition_filter_half_saturates").holds());
    assertNull(c.get("precondition_filter_full_far").holds(), "filter at p=1 not run");
    assertFalse(c.containsKey("rmu_reported_p0.5"));
    assertTrue(Criterion.markdown(c.values()).contains("control: ablation moves retain loss"));
  }
}
