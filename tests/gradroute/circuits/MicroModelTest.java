package gradroute.circuits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AutoCircuit's MicroModel tests with their hand-derived golden outputs. */
class MicroModelTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static float[] last(Tensor out) {
    return TensorArrays.toFloats(Metrics.lastPosition(out));
  }

  @Test
  void graphHasAutoCircuitsThirteenEdges() {
    CircuitGraph g = new MicroModel(2).graph();
    assertEquals(13, g.edgeCount());
    assertEquals(5, g.sources().size());
    assertEquals(5, g.destinations().size());
    assertEquals("Input->B0.0", g.edges().get(0).name());
    assertThrows(IllegalArgumentException.class, () -> g.edge("B1.0->B0.0"), "no edge runs upstream");
  }

  @Test
  void edgePatchingTheHandScoredEdgesGivesTheGoldenOutputs() {
    try (PointerScope s = new PointerScope()) {
      MicroModel m = new MicroModel(2);
      PatchableModel pm = m.patchable();
      Tensor clean = MicroModel.input(1, 1, 3), corrupt = MicroModel.input(-1, 1, 3);
      assertArrayEquals(new float[] {25, 49}, last(m.forward(clean)));
      assertArrayEquals(new float[] {-25, -49}, last(m.forward(corrupt)));
      CircuitGraph g = pm.graph();
      EdgeScores scores = EdgeScores.of(g, Map.of(g.edge("B0.1->Output"), 3.0, g.edge("B0.0->B1.1"), 2.0, g.edge("Input->B0.0"), 1.0));
      List<Tensor> outs = Circuits.runCircuits(pm, clean, corrupt, new int[] {0, 1, 2, 3, 13}, scores, PatchType.EDGE_PATCH, Ablation.RESAMPLE);
      assertArrayEquals(new float[] {-25, -49}, last(outs.get(0)), 1e-4f, "no edge patched: the corrupt output");
      assertArrayEquals(new float[] {-19, -41}, last(outs.get(1)), 1e-4f);
      assertArrayEquals(new float[] {-13, -25}, last(outs.get(2)), 1e-4f);
      assertArrayEquals(new float[] {-9, -13}, last(outs.get(3)), 1e-4f);
      assertArrayEquals(new float[] {25, 49}, last(outs.get(4)), 1e-4f, "every edge patched: the clean output");
      assertTrue(m.hooks().isEmpty(), "patching leaves no hook behind");
    }
  }

  @Test
  void treePatchingKeepsTheCircuitAndAblatesTheRest() {
    try (PointerScope s = new PointerScope()) {
      MicroModel m = new MicroModel(2);
      PatchableModel pm = m.patchable();
      Tensor clean = MicroModel.input(1, 1, 3), corrupt = MicroModel.input(-1, 1, 3);
      CircuitGraph g = pm.graph();
      EdgeScores scores = EdgeScores.of(g, Map.of(g.edge("Input->Output"), 1.0));
      List<Tensor> outs = Circuits.runCircuits(pm, clean, corrupt, new int[] {0, 1, 13}, scores, PatchType.TREE_PATCH, Ablation.RESAMPLE);
      assertArrayEquals(new float[] {-25, -49}, last(outs.get(0)), 1e-4f, "every edge ablated: the corrupt output");
      // only Input->Output kept: the corrupt output [-25,-49] with the input's direct contribution [-1,-1] made [1,1]
      assertArrayEquals(new float[] {-23, -47}, last(outs.get(1)), 1e-4f);
      assertArrayEquals(new float[] {25, 49}, last(outs.get(2)), 1e-4f, "no edge ablated: the clean output");
      List<Tensor> zero = Circuits.runCircuits(pm, clean, corrupt, new int[] {0}, scores, PatchType.TREE_PATCH, Ablation.ZERO);
      assertArrayEquals(new float[] {0, 0}, last(zero.get(0)), 1e-6f, "every source zeroed");
    }
  }

  @Test
  void ablationValuesMatchAHandComputation() {
    try (PointerScope s = new PointerScope()) {
      PatchableModel pm = new MicroModel(2).patchable();
      Tensor clean = MicroModel.input(1, 1, 3), corrupt = MicroModel.input(-3, 1, 3);
      try (SourceValues mean = pm.ablations(Ablation.TOKENWISE_MEAN, clean, corrupt);
          SourceValues resample = pm.ablations(Ablation.RESAMPLE, clean, corrupt);
          SourceValues zero = pm.ablations(Ablation.ZERO, clean, corrupt)) {
        assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1}, TensorArrays.toFloats(mean.get("input")));
        // block 0 head 1 on input -3: [3, 4] * -3
        assertArrayEquals(new float[] {-9, -12}, TensorArrays.toFloats(resample.get("blocks.0.head_outputs").select(1, 0).select(1, 1)));
        assertEquals(0f, zero.get("blocks.1.head_outputs").abs().sum().item_float());
      }
    }
  }

  @Test
  void maskGradientIsTheEapFormula() {
    try (PointerScope s = new PointerScope()) {
      MicroModel m = new MicroModel(2);
      PatchableModel pm = m.patchable();
      Tensor clean = MicroModel.input(1, 1, 1), corrupt = MicroModel.input(-1, 1, 1);
      // metric: output dim 0 + output dim 1; ∂L/∂Output = [1,1]; Input->Output: (p − a)·[1,1] = (-2) + (-2)
      Metric sum = out -> out.sum();
      EdgeScores eap = Scorers.eap().score(pm, new ScoringTask(clean, corrupt, Ablation.RESAMPLE, sum));
      CircuitGraph g = pm.graph();
      assertEquals(-4, eap.get(g.edge("Input->Output")), 1e-5);
      // B0.1->Output: p − a = [-3,-4] − [3,4]
      assertEquals(-14, eap.get(g.edge("B0.1->Output")), 1e-5);
      // Input->B1.0: (p − a) = [-2,-2]; ∂L/∂(B1.0 input) = w0 = [1, 2]
      assertEquals(-6, eap.get(g.edge("Input->B1.0")), 1e-5);
      // integrated gradients: an edge from the input straight to the output has the same gradient at every mask
      // value; an edge into the last block's heads does not (its source's current value moves with the masks upstream)
      EdgeScores ig = Scorers.eapIntegratedGradients(4).score(pm, new ScoringTask(clean, corrupt, Ablation.RESAMPLE, sum));
      assertEquals(-4, ig.get(g.edge("Input->Output")), 1e-5);
      assertTrue(Math.abs(ig.get(g.edge("B0.0->B1.1")) - eap.get(g.edge("B0.0->B1.1"))) > 1e-3);
      assertTrue(m.hooks().isEmpty());
    }
  }
}
