package gradroute.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.era.Expansion;
import gradroute.model.era.ExpansionSpec;
import gradroute.runtime.TorchRuntime;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ComponentAblationTest {
  private static final double TOL = 2e-5;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void listsAttentionMlpAndAddedUnitsPerLayer() {
    GptConfig c = TinyModels.config();
    assertEquals(List.of("L0 attn", "L0 mlp", "L1 attn", "L1 mlp"),
        ComponentAblation.standard(c, null).stream().map(ComponentAblation.Component::name).toList());
    GptConfig wide = c.withDMlp(new int[] {36, 32});
    assertEquals(List.of("L0 attn", "L0 mlp", "L0 added", "L1 attn", "L1 mlp"),
        ComponentAblation.standard(wide, new int[] {32, 32}).stream().map(ComponentAblation.Component::name).toList());
    assertThrows(IllegalArgumentException.class, () -> ComponentAblation.standard(wide, new int[] {40, 32}));
  }

  @Test
  void removingAllAddedUnitsMatchesAblationBySlicingAndLeavesNoHooks() {
    GptConfig c = TinyModels.config();
    Tensor tokens = TinyModels.tokens(4, 3, 10, c.vocab());
    try (Gpt m = Gpt.create(c, 1);
        Gpt big = Expansion.expand(m, ExpansionSpec.mlp(new int[] {0, 1}, 6, 1.0, 3));
        Gpt sliced = Expansion.ablate(big, c)) {
      List<ComponentAblation.Component> parts = ComponentAblation.standard(big.config(), new int[] {32, 32});
      ComponentAblation.Component allAdded = parts.get(parts.size() - 1);
      assertEquals("all added", allAdded.name());
      Tensor intact = big.forward(tokens);
      float diff = ComponentAblation.measureWithout(big, allAdded, () -> TinyModels.maxAbsDiff(sliced.forward(tokens), big.forward(tokens)));
      assertTrue(diff < TOL, "zeroed added units = sliced model, diff " + diff);
      assertTrue(big.hooks().isEmpty(), "edits are removed afterwards");
      assertTrue(TinyModels.maxAbsDiff(intact, big.forward(tokens)) < TOL);
    }
  }

  @Test
  void scanMeasuresEachComponentRemoved() {
    GptConfig c = TinyModels.config();
    Tensor tokens = TinyModels.tokens(5, 2, 8, c.vocab());
    try (Gpt m = Gpt.create(c, 2)) {
      Tensor intact = m.forward(tokens);
      var scan = ComponentAblation.scan(m, ComponentAblation.standard(c, null), () -> TinyModels.maxAbsDiff(intact, m.forward(tokens)));
      assertTrue(scan.intact() < TOL);
      assertEquals(4, scan.ablated().size());
      for (float d : scan.ablated()) assertTrue(d > 1e-4, "every component changes the output");
    }
  }
}
