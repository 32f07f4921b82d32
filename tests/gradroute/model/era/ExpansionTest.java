package gradroute.model.era;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.hooks.HookHandle;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.TinyModels;
import gradroute.runtime.TorchRuntime;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExpansionTest {
  private static final double TOL = 2e-5;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void zeroNewWeightsKeepTheFunction() {
    GptConfig c = TinyModels.config();
    Tensor tokens = TinyModels.tokens(1, 3, 10, c.vocab());
    try (Gpt m = Gpt.create(c, 1);
        Gpt big = Expansion.expand(m, ExpansionSpec.mlp(new int[] {0, 1}, 5, 0.0, 3))) {
      assertEquals(37, big.config().dMlp(0));
      assertTrue(TinyModels.maxAbsDiff(m.forward(tokens), big.forward(tokens)) < TOL);
    }
    // new heads with zero W_O rows, too
    try (Gpt m = Gpt.create(c, 1);
        Gpt big = Expansion.expand(m, new ExpansionSpec(null, 0, 2, 0, 0, Set.of(), 1.0, 3))) {
      assertEquals(4, big.config().nHeads());
      assertTrue(TinyModels.maxAbsDiff(m.forward(tokens), big.forward(tokens)) < TOL);
    }
  }

  @Test
  void zeroAblatingNewUnitsGivesTheOriginalBack() {
    GptConfig c = TinyModels.config();
    Tensor tokens = TinyModels.tokens(2, 3, 10, c.vocab());
    try (Gpt m = Gpt.create(c, 1);
        Gpt big = Expansion.expand(m, ExpansionSpec.mlp(new int[] {0, 1}, 6, 1.0, 3))) {
      Tensor original = m.forward(tokens);
      assertTrue(TinyModels.maxAbsDiff(original, big.forward(tokens)) > 1e-3, "new units change the output");
      try (HookHandle a = Expansion.zeroAblateMlp(big, 0, 32); HookHandle b = Expansion.zeroAblateMlp(big, 1, 32)) {
        assertTrue(TinyModels.maxAbsDiff(original, big.forward(tokens)) < TOL);
      }
      try (Gpt small = Expansion.ablate(big, c)) {
        for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
          assertArrayEquals(e.getValue().shape(), small.parameter(e.getKey()).shape(), e.getKey());
        }
        assertEquals(c, small.config());
        assertTrue(torch.equal(original, small.forward(tokens)), "contracting restores the original exactly");
      }
    }
  }

  @Test
  void initialisingOneLayerChangesTheOutputUntilItsNewWeightsAreZeroed() {
    GptConfig c = TinyModels.config();
    Tensor tokens = TinyModels.tokens(3, 2, 8, c.vocab());
    ExpansionSpec spec = new ExpansionSpec(new int[] {0, 1}, 4, 0, 0, 0, Set.of(1), 1.0, 5);
    try (Gpt m = Gpt.create(c, 1); Gpt big = Expansion.expand(m, spec)) {
      try (NoGradGuard g = new NoGradGuard()) {
        assertEquals(0f, big.parameter("blocks.0.mlp.W_in").narrow(1, 32, 4).abs().sum().item_float(), "layer 0 new: zero");
        assertTrue(big.parameter("blocks.1.mlp.W_in").narrow(1, 32, 4).abs().sum().item_float() > 0, "layer 1 new: random");
        Tensor original = m.forward(tokens);
        assertTrue(TinyModels.maxAbsDiff(original, big.forward(tokens)) > 1e-3);
        big.parameter("blocks.1.mlp.W_out").narrow(0, 32, 4).zero_();
        assertTrue(TinyModels.maxAbsDiff(original, big.forward(tokens)) < TOL);
      }
    }
  }

  @Test
  void theExpandedModelOwnsCopies() {
    GptConfig c = TinyModels.config();
    Tensor tokens = TinyModels.tokens(4, 2, 8, c.vocab());
    try (Gpt m = Gpt.create(c, 1); Gpt big = Expansion.expand(m, ExpansionSpec.mlp(new int[] {1}, 3, 0.0, 5))) {
      Tensor before = big.forward(tokens);
      try (NoGradGuard g = new NoGradGuard()) {
        m.parameter("blocks.1.mlp.W_in").add_(new Scalar(1.0));
        m.parameter("embed.W_E").mul_(new Scalar(3.0));
      }
      assertTrue(torch.equal(before, big.forward(tokens)));
    }
  }

  @Test
  void expansionIsDeterministicInItsSeed() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 1);
        Gpt a = Expansion.expand(m, ExpansionSpec.mlp(new int[] {0}, 3, 1.0, 5));
        Gpt b = Expansion.expand(m, ExpansionSpec.mlp(new int[] {0}, 3, 1.0, 5));
        Gpt d = Expansion.expand(m, ExpansionSpec.mlp(new int[] {0}, 3, 1.0, 6))) {
      assertTrue(torch.equal(a.parameter("blocks.0.mlp.W_in"), b.parameter("blocks.0.mlp.W_in")));
      assertTrue(!torch.equal(a.parameter("blocks.0.mlp.W_in"), d.parameter("blocks.0.mlp.W_in")));
    }
  }

  @Test
  void badSpecsAreClearErrors() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 1)) {
      var e = assertThrows(IllegalArgumentException.class, () -> Expansion.expand(m, ExpansionSpec.mlp(new int[] {5}, 3, 1.0, 1)));
      assertTrue(e.getMessage().contains("layer 5"), e.getMessage());
      int[] wider = c.dMlp();
      wider[0] += 2;
      var f = assertThrows(IllegalArgumentException.class, () -> Expansion.ablate(m, c.withDMlp(wider)));
      assertTrue(f.getMessage().contains("blocks.0.mlp.W_in"), f.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ExpansionSpec.mlp(new int[] {}, 3, 1.0, 1));
    }
  }
}
