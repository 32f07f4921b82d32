package gradroute.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairedDifferenceTest {
  @Test
  void studentQuantilesMatchTheTables() {
    // two-sided 95% critical values of Student's t
    assertEquals(12.706, PairedDifference.studentQuantile(0.975, 1), 1e-3);
    assertEquals(4.303, PairedDifference.studentQuantile(0.975, 2), 1e-3);
    assertEquals(2.365, PairedDifference.studentQuantile(0.975, 7), 1e-3);
    assertEquals(2.042, PairedDifference.studentQuantile(0.975, 30), 1e-3);
    assertEquals(1.960, PairedDifference.studentQuantile(0.975, 100000), 1e-3);
    assertEquals(-2.365, PairedDifference.studentQuantile(0.025, 7), 1e-3);
    assertEquals(0.5, PairedDifference.studentCdf(0, 5), 1e-12);
  }

  @Test
  void theIntervalIsTheMeanPlusMinusTTimesTheStandardError() {
    Map<String, Double> a = seeds(1.0, 2.0, 3.0, 4.0), b = seeds(0.0, 0.0, 0.0, 0.0);
    PairedDifference d = PairedDifference.of(a, b);
    double se = Math.sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3 / 4);
    assertEquals(2.5, d.mean(), 1e-12);
    assertEquals(2.5 - 3.1824 * se, d.low(), 1e-3);
    assertEquals(2.5 + 3.1824 * se, d.high(), 1e-3);
    assertEquals(4, d.above());
    assertEquals(0, d.below());
    assertTrue(d.above(0));
  }

  @Test
  void pairingRemovesTheSeedEffectThatUnpairedValuesWouldCarry() {
    Random r = new Random(7);
    Map<String, Double> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
    for (int s = 0; s < 8; s++) {
      double seedEffect = 10 * r.nextGaussian();
      a.put(String.valueOf(s), seedEffect + 0.01 + 0.001 * r.nextGaussian());
      b.put(String.valueOf(s), seedEffect);
    }
    PairedDifference d = PairedDifference.of(a, b);
    assertTrue(d.above(0), d.describe());
    assertEquals(0.01, d.mean(), 0.002);
  }

  @Test
  void aNoisyDifferenceOfEitherSignDoesNotExcludeZero() {
    PairedDifference d = PairedDifference.of(seeds(0.004, -0.003, 0.002, -0.005, 0.001), seeds(0, 0, 0, 0, 0));
    assertFalse(d.above(0));
    assertFalse(d.below(0));
    assertEquals(3, d.above());
    assertEquals(2, d.below());
  }

  @Test
  void onlySharedSeedsArePairedAndBadInputIsNamed() {
    Map<String, Double> a = Map.of("0", 1.0, "1", 2.0), b = Map.of("1", 1.5, "2", 9.0);
    PairedDifference d = PairedDifference.of(a, b);
    assertEquals(1, d.seeds());
    assertTrue(Double.isNaN(d.low()));
    assertFalse(d.above(0));
    assertThrows(IllegalArgumentException.class, () -> PairedDifference.of(Map.of("0", 1.0), Map.of("1", 1.0)));
    var e = assertThrows(IllegalArgumentException.class, () -> PairedDifference.of(Map.of("3", Double.NaN), Map.of("3", 1.0)));
    assertTrue(e.getMessage().contains("seed 3"), e.getMessage());
  }

  private static Map<String, Double> seeds(double... v) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < v.length; i++) m.put(String.valueOf(i), v[i]);
    return m;
  }
}
