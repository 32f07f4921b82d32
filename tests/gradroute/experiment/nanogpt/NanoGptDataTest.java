package gradroute.experiment.nanogpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NanoGptDataTest {
  private static final int EOS = 0, THE = 1, SAID = 2, ROUTED = 3, SUBSTITUTE = 4, SAME_WORDS = 5, X = 6, Y = 7;

  /**
   * "the R said x", "the A said y" and "said B the x": B is seen near exactly R's context words but
   * in other places, A in R's places with one other word. Position-keeping contexts find A.
   */
  @Test
  void distributionalNeighboursKeepTheContextPosition() {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      for (int t : new int[] {THE, ROUTED, SAID, X, THE, SUBSTITUTE, SAID, Y, SAID, SAME_WORDS, THE, X}) ids.add((long) t);
    }
    long[] seq = ids.stream().mapToLong(Long::longValue).toArray();
    List<Integer> similar = NanoGptData.similar(seq, ROUTED, 8, EOS, 2, 8);
    assertEquals(SUBSTITUTE, similar.get(0), "most similar to R: " + similar);
    assertTrue(similar.indexOf(SAME_WORDS) > 0, "B ranks below A: " + similar);
    assertTrue(!similar.contains(ROUTED) && !similar.contains(EOS), "never the routed or end token: " + similar);
  }

  @Test
  void aurocIsOneForASeparatingScoreAndHalfForTies() {
    List<double[]> separated = new ArrayList<>(List.of(new double[] {0.1, 0}, new double[] {0.2, 0}, new double[] {0.9, 1}));
    assertEquals(1.0, SteeringEvaluation.aurocOf(separated), 1e-12);
    List<double[]> tied = new ArrayList<>(List.of(new double[] {0.5, 0}, new double[] {0.5, 1}));
    assertEquals(0.5, SteeringEvaluation.aurocOf(tied), 1e-12);
    assertTrue(Double.isNaN(SteeringEvaluation.aurocOf(new ArrayList<>(List.of(new double[] {0.5, 0})))), "no positive: undefined");
  }
}
