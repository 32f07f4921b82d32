package gradroute.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MaskRulesTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void tokenRuleIsDecidedByTheNextToken() {
    TokenRule rule = new TokenRule(Map.of(7L, 0), 2);
    // position t predicts tokens[t+1]; the last position predicts nothing
    assertArrayEquals(new long[] {0, 2, 0, 2}, rule.forSequence(new long[] {5, 7, 9, 7}));
    assertArrayEquals(new long[] {2}, rule.forSequence(new long[] {7}));
  }

  @Test
  void conceptRuleRoutesPositionsPredictingFullMatchesOnly() {
    // "bl ah Harry Potter a b c Sever us Snape", concepts {Harry Potter -> 0, Severus Snape -> 1}
    long bl = 1, ah = 2, harry = 3, potter = 4, a = 5, b = 6, c = 7, sever = 8, us = 9, snape = 10;
    ConceptRule rule = new ConceptRule(2).add(new long[] {harry, potter}, 0).add(new long[] {sever, us, snape}, 1);
    long[] got = rule.forSequence(new long[] {bl, ah, harry, potter, a, b, c, sever, us, snape});
    assertArrayEquals(new long[] {2, 0, 0, 2, 2, 2, 1, 1, 1, 2}, got);
    // a partial match ("Harry a", "Sever us" without Snape) routes nothing
    assertArrayEquals(new long[] {2, 2, 2, 2, 2}, rule.forSequence(new long[] {bl, harry, a, sever, us}));
    assertThrows(IllegalArgumentException.class, () -> rule.add(new long[0], 0));
  }

  @Test
  void batchIndexTensorTakesTheFirstPositions() {
    TokenRule rule = new TokenRule(Map.of(3L, 0), 1);
    Tensor t = rule.indexTensor(new long[][] {{1, 3, 2}, {3, 3, 3}}, 2);
    assertArrayEquals(new long[] {2, 2}, t.shape());
    assertArrayEquals(new long[] {0, 1, 0, 0}, TensorArrays.toLongs(t));
    assertThrows(IllegalArgumentException.class, () -> rule.indexTensor(new long[][] {{1}}, 2));
  }

  @Test
  void softTokenRuleWeightsByPredictedToken() {
    SoftTokenRule rule = new SoftTokenRule(new float[] {0f, 0.5f, 1f});
    assertArrayEquals(new float[] {0.5f, 0f, 1f}, rule.forSequence(new long[] {2, 1, 0}));
    assertThrows(IllegalArgumentException.class, () -> rule.forSequence(new long[] {0, 9}));
    assertThrows(IllegalArgumentException.class, () -> new SoftTokenRule(new float[] {1.5f}));
  }

  @Test
  void exampleRuleSplitsLabels() {
    ExampleRule rule = ExampleRule.split(5, 10, 0, 1);
    assertArrayEquals(new long[] {0, 0, 1, 1}, rule.indices(new int[] {0, 4, 5, 9}));
  }

  @Test
  void maskTableRowsAndAblation() {
    MaskTable table = MaskTable.builder(2, 3).dims(0, 1).dims(new int[] {5}, 1.0, -0.75).build();
    assertEquals(3, table.size());
    assertEquals(2, table.noMaskIndex());
    assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0}, table.row(0));
    assertArrayEquals(new float[] {-0.75f, -0.75f, -0.75f, -0.75f, -0.75f, 1}, table.row(1));
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, table.row(2));
    assertArrayEquals(new long[] {3, 2, 3}, table.tensor().shape());
    assertArrayEquals(new float[] {0, 0, 1, 1, 1, 1}, TensorArrays.toFloats(table.keepMaskAblating(0)));
    assertArrayEquals(new int[] {3, 4, 5}, MaskTable.range(3, 6));
  }
}
