package gradroute.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TorchRuntime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LmEvalTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static final List<long[]> SEQS = List.of(new long[] {0, 5, 6, 7, 8, 9, 10}, new long[] {0, 5, 6, 9}, new long[] {0, 11, 12, 13, 14});

  @Test
  void lossAtTargetsPicksPositionsAndAgreesWithTheTokenSelection() {
    try (Gpt m = Gpt.create(TinyModels.config(), 3)) {
      LmEval eval = new LmEval(SEQS, 2, 13, 0);
      // the positions predicting token 6 are t = 1 in the first two sequences
      boolean[] six = new boolean[TinyModels.config().vocab()];
      six[6] = true;
      assertEquals(eval.lossOnTargets(m, six), eval.lossAtTargets(m, List.of(new int[] {1}, new int[] {1}, new int[0])), 1e-6);
      // every position of every sequence: the token-pooled loss over all tokens
      boolean[] all = new boolean[TinyModels.config().vocab()];
      Arrays.fill(all, true);
      List<int[]> everywhere = SEQS.stream().map(s -> java.util.stream.IntStream.range(0, 20).toArray()).toList();
      assertEquals(eval.lossOnTargets(m, all), eval.lossAtTargets(m, everywhere), 1e-6);
      assertTrue(Double.isNaN(eval.lossAtTargets(m, List.of(new int[0], new int[] {7}, new int[0]))), "position past the end");
      assertThrows(IllegalArgumentException.class, () -> eval.lossAtTargets(m, List.of(new int[0])));
    }
  }
}
