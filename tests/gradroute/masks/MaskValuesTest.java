package gradroute.masks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MaskValuesTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void clampedMasksStayInTheUnitIntervalAfterEveryStep() {
    torch.manual_seed(0);
    try (ClampedMask m = new ClampedMask(ClampedMask.Penalty.SQRT, 50)) {
      Tensor direction = torch.randn(50).mul(new Scalar(100.0));
      UnlearningObjective objective = new UnlearningObjective(UnlearningObjective.ForgetLoss.CE, 0, 1, 0, 0);
      try (MaskTraining t = new MaskTraining(java.util.List.of(m), new MaskTraining.Spec(objective, 5.0, 0, 0.5),
          s -> new MaskTraining.Losses(m.values().mul(direction).sum(), torch.zeros(1).sum()))) {
        t.run("clamp", 10, 1);
      }
      float[] v = TensorArrays.toFloats(m.parameter().detach());
      int zeros = 0, ones = 0;
      for (float x : v) {
        assertTrue(x >= 0f && x <= 1f, "mask value " + x);
        if (x == 0f) zeros++;
        if (x == 1f) ones++;
      }
      assertTrue(zeros > 0 && ones > 0, "a large step pushes entries to both ends: " + zeros + " at 0, " + ones + " at 1");
    }
  }

  @Test
  void topKAblatesExactlyKEvenWithTies() {
    Tensor values = Tensor.create(new float[] {0.3f, 0.3f, 0.3f, 0.9f, 0.1f, 0.3f}, 2, 3);
    for (long k = 0; k <= 6; k++) {
      Tensor hard = MaskDiscretisation.topK(values, k);
      assertEquals(k, MaskDiscretisation.removed(hard), "k = " + k);
      assertEquals(2, hard.size(0));
    }
    float[] two = TensorArrays.toFloats(MaskDiscretisation.topK(values, 2));
    assertEquals(0f, two[4], "the smallest value goes first");
    assertEquals(0f, two[0], "ties go to the lower index");
    assertThrows(IllegalArgumentException.class, () -> MaskDiscretisation.topK(values, 7));
  }

  @Test
  void thresholdKeepsValuesAtOrAboveIt() {
    float[] hard = TensorArrays.toFloats(MaskDiscretisation.threshold(Tensor.create(new float[] {0.49f, 0.5f, 0.51f, 0f, 1f}, 5), 0.5));
    assertEquals(java.util.Arrays.toString(new float[] {0, 1, 1, 0, 1}), java.util.Arrays.toString(hard));
  }

  @Test
  void aRandomMaskAblatesExactlyKAndDependsOnTheSeed() {
    Tensor a = MaskDiscretisation.random(new long[] {20, 30}, 37, 1);
    Tensor b = MaskDiscretisation.random(new long[] {20, 30}, 37, 2);
    assertEquals(37, MaskDiscretisation.removed(a));
    assertEquals(37, MaskDiscretisation.removed(b));
    assertTrue(a.ne(b).any().item_bool(), "two seeds give two masks");
  }

  @Test
  void theSqrtPenaltyIsZeroForAnAllOnesMaskAndGrowsAsEdgesGo() {
    try (ClampedMask ones = new ClampedMask(ClampedMask.Penalty.SQRT, 4);
         ClampedMask half = ClampedMask.of(ClampedMask.Penalty.SQRT, Tensor.create(new float[] {1, 1, 0, 0}, 4));
         ClampedMask l1 = ClampedMask.of(ClampedMask.Penalty.L1, Tensor.create(new float[] {1, 0.5f, 0, 0}, 4))) {
      assertEquals(0, ones.removalPenalty().item_double(), 1e-7);
      assertEquals(2 * (Math.sqrt(1.01) - 0.1), half.removalPenalty().item_double(), 1e-6);
      assertEquals(2.5, l1.removalPenalty().item_double(), 1e-6);
    }
  }

  @Test
  void hardConcreteSamplesHitZeroAndOneAtTheirClosedFormRates() {
    torch.manual_seed(7);
    double[] logAlphas = {-2, 0, 1.5};
    int samples = 20000;
    for (double la : logAlphas) {
      try (HardConcreteMask m = new HardConcreteMask(la, samples)) {
        float[] z;
        try (NoGradGuard g = new NoGradGuard()) {
          z = TensorArrays.toFloats(m.values());
        }
        int open = 0, full = 0;
        double sum = 0;
        for (float v : z) {
          assertTrue(v >= 0f && v <= 1f, "gate " + v);
          if (v > 0f) open++;
          if (v == 1f) full++;
          sum += v;
        }
        double pOpen = m.openProbability().select(0, 0).item_double();
        double pFull = m.fullyOpenProbability().select(0, 0).item_double();
        assertEquals(pOpen, (double) open / samples, 0.015, "P(z > 0) at log alpha " + la);
        assertEquals(pFull, (double) full / samples, 0.015, "P(z = 1) at log alpha " + la);
        assertTrue(full > 0 && open < samples, "both ends are reached at log alpha " + la);
        assertEquals(samples * (1 - pOpen), m.removalPenalty().item_double(), 1e-2 * samples);
        assertEquals(samples * pOpen, m.expectedOpen().item_double(), 1e-2 * samples);
        assertTrue(sum / samples > 0 && sum / samples < 1);
      }
    }
  }

  @Test
  void hardConcreteGradientsReachLogAlpha() {
    torch.manual_seed(3);
    try (HardConcreteMask m = new HardConcreteMask(0.0, 64)) {
      m.values().sum().add(m.removalPenalty()).backward();
      Tensor g = m.parameter().grad();
      assertTrue(g.defined() && g.abs().sum().item_double() > 0, "gradient reaches log alpha");
      float[] d = TensorArrays.toFloats(m.deterministic());
      for (float v : d) assertEquals(0.5f, v, 1e-6f, "sigma(0) stretched: 0.5 * 1.2 - 0.1");
    }
  }

  @Test
  void theForgetTermsHaveTheirDefinitions() {
    Tensor logits = Tensor.create(new float[] {2, 0, -1, 0.5f, 0.5f, 3}, 2, 3);
    Tensor targets = Tensor.create(new long[] {0, 2});
    double p0 = Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1));
    double p1 = Math.exp(3) / (2 * Math.exp(0.5) + Math.exp(3));
    UnlearningObjective ce = new UnlearningObjective(UnlearningObjective.ForgetLoss.CE, 0.3, 1, 2, 10);
    UnlearningObjective bounded = new UnlearningObjective(UnlearningObjective.ForgetLoss.LOG1MP, 0.3, 1, 2, 0);
    assertEquals((Math.log(p0) + Math.log(p1)) / 2, ce.forgetTerm(logits, targets).item_double(), 1e-5);
    assertEquals(-(Math.log(1 - p0) + Math.log(1 - p1)) / 2, bounded.forgetTerm(logits, targets).item_double(), 1e-5);
    assertEquals(0.0, ce.sparsityWeightAt(0));
    assertEquals(1.0, ce.sparsityWeightAt(5), 1e-12);
    assertEquals(2.0, ce.sparsityWeightAt(50));
    assertEquals(2.0, bounded.sparsityWeightAt(0));
    Tensor total = ce.total(torch.ones(1).sum(), torch.ones(1).sum().mul(new Scalar(2.0)), torch.ones(1).sum().mul(new Scalar(4.0)), 5);
    assertEquals(1 + 0.3 * 2 + 1.0 * 4, total.item_double(), 1e-6);
    assertEquals(UnlearningObjective.ForgetLoss.LOG1MP, UnlearningObjective.ForgetLoss.fromId("log1mp"));
    assertThrows(IllegalArgumentException.class, () -> UnlearningObjective.ForgetLoss.fromId("hinge"));
  }
}
