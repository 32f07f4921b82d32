package gradroute.model.era;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmLoss;
import gradroute.model.TinyModels;
import gradroute.model.TokenBatch;
import gradroute.routing.ConceptRule;
import gradroute.routing.SoftTokenRule;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EraRoutingTest {
  private static final int ORIG = 32;
  private static final int ADDED = 4;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static Gpt expanded(Gpt m) {
    return Expansion.expand(m, ExpansionSpec.mlp(new int[] {0}, ADDED, 1.0, 2));
  }

  /** The gradient reaching blocks.0.mlp.hook_post's input from upstream of the routed hook. */
  private static float[] gateSeen(Gpt big, TokenBatch batch) {
    Tensor h = torch.ones(batch.size(), batch.positions(), ORIG + ADDED).requires_grad_(true);
    big.hooks().fire("blocks.0.mlp.hook_post", h).sum().backward();
    return TensorArrays.toFloats(h.grad());
  }

  @Test
  void theSpecMaskIs175wMinus075OnOriginalUnitsAndOneOnAdded() {
    GptConfig c = TinyModels.config();
    float[] w = new float[c.vocab()];
    java.util.Arrays.fill(w, 1f);
    w[5] = 0f;
    w[6] = 0.4f;
    SoftTokenRule rule = new SoftTokenRule(w);
    TokenBatch batch = new TokenBatch(List.of(new long[] {0, 5, 6, 7}, new long[] {0, 5, 6, 7}), 13, 0);
    try (Gpt m = Gpt.create(c, 1); Gpt big = expanded(m);
        EraRouting era = new EraRouting(big, c, EraRouting.Spec.tinyStories(new int[] {0}), true)) {
      era.set(batch, new boolean[] {true, false}, rule);
      float[] g = gateSeen(big, batch);
      int d = ORIG + ADDED;
      // story 0 is routed: position 0 predicts token 5 (w 0), position 1 token 6 (w 0.4), position 2 token 7 (w 1)
      assertEquals(-0.75f, g[0 * d + 0], 1e-6);
      assertEquals(1f, g[0 * d + ORIG], 1e-6);
      assertEquals(1.75f * 0.4f - 0.75f, g[1 * d + 3], 1e-6);
      assertEquals(1f, g[1 * d + ORIG + 1], 1e-6);
      assertEquals(1f, g[2 * d + 7], 1e-6);
      // story 1 is not routed: all ones
      for (int i = 3 * d; i < 6 * d; i++) assertEquals(1f, g[i], 1e-6);
      assertEquals(3, era.table(0).size());
    }
  }

  @Test
  void routedAwayParametersGetExactlyZeroGradientFromMaskedPositions() {
    GptConfig c = TinyModels.config();
    TokenBatch forget = new TokenBatch(List.of(new long[] {0, 5, 6, 7, 8, 9}), 13, 0);
    TokenBatch retain = new TokenBatch(List.of(new long[] {0, 9, 8, 7, 6, 5}), 13, 0);
    // forget positions: original units blocked; retain positions: added units blocked
    EraRouting.Spec spec = new EraRouting.Spec(new int[] {0}, 0.0, 1.0, 0.0, 0.0);
    SoftTokenRule fullyRouted = new SoftTokenRule(new float[c.vocab()]);
    try (Gpt m = Gpt.create(c, 1); Gpt big = expanded(m); EraRouting era = new EraRouting(big, c, spec, true)) {
      era.set(forget, new boolean[] {true}, fullyRouted);
      LmLoss.mean(big, forget).backward();
      Tensor wIn = big.parameter("blocks.0.mlp.W_in").grad();
      Tensor bIn = big.parameter("blocks.0.mlp.b_in").grad();
      assertTrue(torch.equal(wIn.narrow(1, 0, ORIG), torch.zeros(c.dModel(), ORIG)), "original W_in columns");
      assertTrue(torch.equal(bIn.narrow(0, 0, ORIG), torch.zeros(ORIG)), "original b_in");
      assertTrue(wIn.narrow(1, ORIG, ADDED).abs().sum().item_float() > 0, "added units learn the forget data");
      // everything upstream of the hook sees only the added units' gradient; W_out is not masked
      assertTrue(big.parameter("blocks.0.mlp.W_out").grad().narrow(0, 0, ORIG).abs().sum().item_float() > 0);
      big.zeroGrad();
      era.clear();

      era.set(retain, new boolean[] {false}, fullyRouted);
      LmLoss.mean(big, retain).backward();
      wIn = big.parameter("blocks.0.mlp.W_in").grad();
      assertTrue(torch.equal(wIn.narrow(1, ORIG, ADDED), torch.zeros(c.dModel(), ADDED)), "added W_in columns");
      assertTrue(wIn.narrow(1, 0, ORIG).abs().sum().item_float() > 0);
      big.zeroGrad();
      era.clear();
    }
  }

  @Test
  void routingKeepsForwardValuesAndTheControlRoutesNothing() {
    GptConfig c = TinyModels.config();
    TokenBatch batch = new TokenBatch(List.of(new long[] {0, 5, 6, 7, 8, 9}), 13, 0);
    SoftTokenRule rule = new SoftTokenRule(new float[c.vocab()]);
    try (Gpt m = Gpt.create(c, 1); Gpt big = expanded(m)) {
      Tensor plain = big.forward(batch.inputs(null));
      try (EraRouting era = new EraRouting(big, c, EraRouting.Spec.tinyStories(new int[] {0}), true)) {
        era.set(batch, new boolean[] {true}, rule);
        assertTrue(torch.equal(plain, big.forward(batch.inputs(null))));
        Tensor l1 = era.penalty();
        assertNotNull(l1);
        assertTrue(l1.item_float() > 0);
        era.clear();
      }
      assertTrue(big.hooks().isEmpty(), "closing detaches the hooks");
      try (EraRouting control = new EraRouting(big, c, EraRouting.Spec.tinyStories(new int[] {0}), false)) {
        control.set(batch, new boolean[] {true}, rule);
        float[] g = gateSeen(big, batch);
        for (float x : g) assertEquals(1f, x);
        control.clear();
      }
    }
  }

  @Test
  void hardRoutingByAConceptRule() {
    GptConfig c = TinyModels.config();
    TokenBatch batch = new TokenBatch(List.of(new long[] {0, 5, 6, 7, 5, 6}), 13, 0);
    ConceptRule rule = new ConceptRule(1).add(new long[] {5, 6}, 0);
    try (Gpt m = Gpt.create(c, 1); Gpt big = expanded(m);
        EraRouting era = new EraRouting(big, c, new EraRouting.Spec(new int[] {0}, 0.0, 1.0, 0.0, 0), true)) {
      era.set(batch, new boolean[] {true}, rule);
      float[] g = gateSeen(big, batch);
      int d = ORIG + ADDED;
      // positions 0,1 predict "5 6"; 3,4 predict "5 6"; position 2 predicts 7
      float[] originalGate = new float[5];
      float[] addedGate = new float[5];
      for (int t = 0; t < 5; t++) {
        originalGate[t] = g[t * d];
        addedGate[t] = g[t * d + ORIG];
      }
      assertArrayEquals(new float[] {0, 0, 1, 0, 0}, originalGate);
      assertArrayEquals(new float[] {1, 1, 0, 1, 1}, addedGate);
      era.clear();
    }
  }

  @Test
  void layersWithoutAddedUnitsAreRejected() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 1); Gpt big = expanded(m)) {
      var e = assertThrows(IllegalArgumentException.class,
          () -> new EraRouting(big, c, EraRouting.Spec.tinyStories(new int[] {1}), true));
      assertTrue(e.getMessage().contains("layer 1"), e.getMessage());
      assertFalse(big.hooks().active().contains("blocks.1.mlp.hook_post"));
    }
  }
}
