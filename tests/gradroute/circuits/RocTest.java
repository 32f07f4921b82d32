package gradroute.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RocTest {
  @Test
  void curveAndAreaOfAHandCase() {
    double[] scores = {0.9, 0.8, 0.8, 0.1};
    boolean[] positive = {true, false, true, false};
    // pairs (pos, neg): 0.9>0.8, 0.9>0.1, 0.8=0.8 (half), 0.8>0.1: 3.5 of 4
    assertEquals(0.875, Roc.auc(scores, positive), 1e-12);
    double[][] c = Roc.curve(scores, positive);
    assertArrayEquals(new double[] {0, 0, 0.5, 1}, c[0], 1e-12);
    assertArrayEquals(new double[] {0, 0.5, 1, 1}, c[1], 1e-12);
    assertEquals(Double.NaN, Roc.auc(new double[] {1, 2}, new boolean[] {true, true}));
    assertThrows(IllegalArgumentException.class, () -> Roc.auc(new double[] {1}, new boolean[] {true, false}));
  }
}
