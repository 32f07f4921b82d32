package gradroute.masks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.Mlp;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UnlearningMethodsTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  /** Input 0 alone carries the forget examples' class; the retain examples never use it. */
  @Test
  void maskTrainingRemovesTheEdgesOnlyTheForgetDataUses() {
    LinearImpl l = new LinearImpl(4, 2);
    try (NoGradGuard g = new NoGradGuard()) {
      l.weight().copy_(Tensor.create(new float[] {3, 3, -3, -3, -3, -3, 3, 3}, 2, 4));
      l.bias().zero_();
    }
    Tensor forgetX = Tensor.create(new float[] {1, 0, 0, 0}, 1, 4);
    Tensor forgetY = Tensor.create(new long[] {0});
    Tensor retainX = Tensor.create(new float[] {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, 3, 4);
    Tensor retainY = Tensor.create(new long[] {0, 1, 1});
    UnlearningObjective objective = new UnlearningObjective(UnlearningObjective.ForgetLoss.CE, 0.3, 1, 0.05, 20);
    try (ClampedMask mask = new ClampedMask(ClampedMask.Penalty.SQRT, 2, 4)) {
      EdgeMaskedLinear masked = new EdgeMaskedLinear(l, mask, null);
      try (MaskTraining t = new MaskTraining(List.of(mask), new MaskTraining.Spec(objective, 0.1, 0, 0.5),
          s -> new MaskTraining.Losses(torch.cross_entropy_loss(masked.forward(retainX), retainY),
              objective.forgetTerm(masked.forward(forgetX), forgetY)))) {
        var history = t.run("toy", 150, 10);
        assertFalse(history.rows().isEmpty());
      }
      float[] hard = TensorArrays.toFloats(MaskDiscretisation.threshold(mask.deterministic(), 0.5));
      assertArrayEquals(new float[] {0, 1, 1, 1, 0, 1, 1, 1}, hard, "input 0's two edges go, the rest stay");
      Localisation picked = Localisation.ablatedBy("learned mask", MaskDiscretisation.threshold(mask.deterministic(), 0.5));
      assertArrayEquals(new int[] {0, 4}, picked.picked());
    }
  }

  @Test
  void localisedFineTuningChangesOnlyTheSelectedEntries() {
    torch.manual_seed(11);
    Mlp model = new Mlp(new int[] {4, 6, 3}, true);
    Tensor w0 = model.layer(0).weight(), b0 = model.layer(0).bias(), w1 = model.layer(1).weight(), b1 = model.layer(1).bias();
    float[] w0Before = TensorArrays.toFloats(w0.detach().clone()), b0Before = TensorArrays.toFloats(b0.detach().clone());
    float[] w1Before = TensorArrays.toFloats(w1.detach().clone()), b1Before = TensorArrays.toFloats(b1.detach().clone());
    ParameterSelection selection = new ParameterSelection().rows("layer0.weight", w0, new int[] {1, 4}).whole("layer1.bias", b1);
    assertEquals(2 * 4 + 3, selection.selectedCount());
    Tensor x = torch.randn(16, 4);
    Tensor y = Tensor.create(new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
    UnlearningObjective objective = new UnlearningObjective(UnlearningObjective.ForgetLoss.LOG1MP, 1, 1, 0, 0);
    List<Tensor> all = new ArrayList<>(List.of(w0, b0, w1, b1));
    try (LocalisedFineTuning ft = new LocalisedFineTuning(all, selection, objective, 0.05,
        s -> new MaskTraining.Losses(torch.cross_entropy_loss(model.forward(x.narrow(0, 0, 8)), y.narrow(0, 0, 8)),
            objective.forgetTerm(model.forward(x.narrow(0, 8, 8)), y.narrow(0, 8, 8))))) {
      assertFalse(w1.requires_grad(), "unselected parameters are frozen while it runs");
      ft.run("localised", 5, 1);
    }
    assertTrue(w1.requires_grad() && b0.requires_grad(), "and unfrozen after");
    float[] w0After = TensorArrays.toFloats(w0.detach());
    for (int r = 0; r < 6; r++) {
      boolean changed = false;
      for (int c = 0; c < 4; c++) {
        int i = r * 4 + c;
        if (r == 1 || r == 4) changed |= w0After[i] != w0Before[i];
        else assertEquals(Float.floatToIntBits(w0Before[i]), Float.floatToIntBits(w0After[i]), "layer0.weight[" + r + "," + c + "] is unchanged bit for bit");
      }
      if (r == 1 || r == 4) assertTrue(changed, "selected row " + r + " was trained");
    }
    assertArrayEquals(b0Before, TensorArrays.toFloats(b0.detach()));
    assertArrayEquals(w1Before, TensorArrays.toFloats(w1.detach()));
    assertFalse(java.util.Arrays.equals(b1Before, TensorArrays.toFloats(b1.detach())), "the selected bias was trained");
    selection.release();
  }

  @Test
  void selectionsRefuseBadInput() {
    Tensor w = torch.zeros(3, 2);
    assertThrows(IllegalArgumentException.class, () -> new ParameterSelection().rows("w", w, new int[] {3}));
    assertThrows(IllegalArgumentException.class, () -> new ParameterSelection().whole("w", w).whole("w", w));
    assertThrows(IllegalArgumentException.class, () -> new ParameterSelection().entries("w", w, torch.zeros(2, 3)));
    assertEquals(2, new ParameterSelection().entries("w", w, Tensor.create(new float[] {0, 1, 0, 0, 2, 0}, 3, 2)).selectedCount());
    assertEquals(3, new ParameterSelection().columns("w", w, new int[] {1}).selectedCount());
  }

  @Test
  void localisationPicksTheTopScoresAndScoresThemAgainstARegion() {
    Localisation l = Localisation.topK("attribution", new double[] {0.1, 5, 3, 5, 0, 2}, 3);
    assertArrayEquals(new int[] {1, 2, 3}, l.picked());
    Localisation.Overlap o = l.against(new int[] {2, 3, 4, 5});
    assertEquals(2, o.both());
    assertEquals(2.0 / 3, o.precision(), 1e-12);
    assertEquals(0.5, o.recall(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> l.against(new int[] {6}));
    double[] scores = Localisation.attributionScores(Tensor.create(new float[] {1, -2, 3, 4}, 2, 2), Tensor.create(new float[] {2, 1, -1, 0}, 2, 2));
    assertArrayEquals(new double[] {2.5, 1.0}, scores, 1e-6);
  }
}
