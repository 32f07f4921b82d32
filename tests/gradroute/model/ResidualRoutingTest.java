package gradroute.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gradroute.hooks.RoutingHook;
import gradroute.routing.MaskTable;
import gradroute.routing.TokenRule;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The steering-scalar routing: e_0 on a block's output at the positions whose next token is the target. */
class ResidualRoutingTest {
  static final long TARGET = 7;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void theMaskIndexComesFromTheNextToken() {
    TokenRule rule = new TokenRule(Map.of(TARGET, 0), 1);
    assertArrayEquals(new long[] {0, 1, 0, 1, 1}, rule.forSequence(new long[] {3, TARGET, 4, TARGET, 5}));
  }

  @Test
  void routingLeavesTheForwardBitwiseUnchangedAndProjectsTheGradientOntoDimZero() {
    GptConfig c = GptConfig.modern(2, 16, 4, 2, 23, 12);
    long[] seq = {3, TARGET, 4, 9, TARGET, 5, 2};
    Tensor tokens = Tensor.create(seq, 1, seq.length);
    MaskTable table = MaskTable.builder(c.dModel()).dims(0).build();
    TokenRule rule = new TokenRule(Map.of(TARGET, 0), table.noMaskIndex());
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 11)) {
      Tensor plain = m.forward(tokens);
      RoutingHook hook = new RoutingHook(table, null);
      Tensor[] before = new Tensor[1], after = new Tensor[1];
      String point = "blocks.1.hook_resid_post";
      m.hooks().add(point, x -> {
        before[0] = x.detach().requires_grad_(true);
        return before[0];
      });
      m.hooks().add(point, hook);
      m.hooks().add(point, x -> {
        x.retain_grad();
        after[0] = x;
        return x;
      });
      Tensor index = rule.indexTensor(new long[][] {seq}, seq.length);
      hook.set(index, null);
      Tensor routed = m.forward(tokens);
      assertArrayEquals(TensorArrays.toFloats(plain), TensorArrays.toFloats(routed), "forward must be bitwise equal");
      routed.mul(routed).sum().backward();
      float[] upstream = TensorArrays.toFloats(after[0].grad().contiguous());
      float[] masked = TensorArrays.toFloats(before[0].grad().contiguous());
      long[] idx = rule.forSequence(seq);
      int d = c.dModel();
      for (int t = 0; t < seq.length; t++) {
        float[] row = table.row((int) idx[t]);
        for (int i = 0; i < d; i++) assertEquals(row[i] * upstream[t * d + i], masked[t * d + i], 0f, "pos " + t + " dim " + i);
      }
      assertEquals(0f, masked[5], 0f); // position 0 predicts the target: only dim 0 passes
      hook.release();
    }
  }
}
