package gradroute.masks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.Linear;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EdgeMaskTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static LinearImpl layer(int in, int out, long seed) {
    torch.manual_seed(seed);
    return new LinearImpl(in, out);
  }

  @Test
  void anAllOnesMaskGivesTheLayerBitForBit() {
    LinearImpl l = layer(30, 7, 1);
    Tensor x = torch.randn(16, 30);
    Tensor mean = torch.randn(30);
    try (ClampedMask m = new ClampedMask(ClampedMask.Penalty.SQRT, 7, 30)) {
      EdgeMaskedLinear masked = new EdgeMaskedLinear(l, m, mean);
      assertArrayEquals(TensorArrays.toFloats(Linear.of(l, x)), TensorArrays.toFloats(masked.forward(x).detach()));
      EdgeMaskedLinear zeroMean = new EdgeMaskedLinear(l, m, null);
      assertArrayEquals(TensorArrays.toFloats(Linear.of(l, x)), TensorArrays.toFloats(zeroMean.forward(x).detach()));
    }
  }

  @Test
  void anAllZerosMaskIsFullMeanAblation() {
    LinearImpl l = layer(12, 5, 2);
    Tensor mean = torch.randn(12);
    Tensor x = torch.randn(9, 12);
    EdgeMaskedLinear masked = new EdgeMaskedLinear(l, ClampedMask.of(ClampedMask.Penalty.SQRT, torch.zeros(5, 12)), mean);
    float[] got = TensorArrays.toFloats(masked.forward(x).detach());
    float[] expected = TensorArrays.toFloats(Linear.of(l, mean.unsqueeze(0).expand(9, 12).contiguous()).detach());
    for (int i = 0; i < got.length; i++) assertEquals(expected[i], got[i], 1e-5, "output " + i);
  }

  @Test
  void outputsMatchAHandComputation() {
    LinearImpl l = layer(2, 2, 3);
    try (NoGradGuard g = new NoGradGuard()) {
      l.weight().copy_(Tensor.create(new float[] {1, 2, 3, 4}, 2, 2));
      l.bias().copy_(Tensor.create(new float[] {0.5f, -1}, 2));
    }
    Tensor mask = Tensor.create(new float[] {1, 0, 0.5f, 1}, 2, 2);
    Tensor mean = Tensor.create(new float[] {10, 20}, 2);
    EdgeMaskedLinear masked = new EdgeMaskedLinear(l, ClampedMask.of(ClampedMask.Penalty.L1, mask), mean);
    float[] y = TensorArrays.toFloats(masked.forward(Tensor.create(new float[] {1, 2}, 1, 2)).detach());
    // out0 = 1*1 + 2*20 (edge 0<-1 ablated to the mean) + 0.5; out1 = 3*(0.5*1 + 0.5*10) + 4*2 - 1
    assertEquals(1 + 40 + 0.5, y[0], 1e-5);
    assertEquals(3 * 5.5 + 8 - 1, y[1], 1e-5);
  }

  @Test
  void theMaskGradientIsWeightTimesInputMinusMean() {
    LinearImpl l = layer(6, 3, 4);
    Tensor x = torch.randn(5, 6);
    Tensor mean = torch.randn(6);
    Tensor upstream = torch.randn(5, 3);
    try (ClampedMask m = ClampedMask.of(ClampedMask.Penalty.SQRT, torch.rand(3, 6))) {
      EdgeMaskedLinear masked = new EdgeMaskedLinear(l, m, mean);
      masked.forward(x).mul(upstream).sum().backward();
      // d/dm[j,i] of sum_b up[b,j] * W[j,i] * (m x_i + (1-m) mu_i) = W[j,i] * sum_b up[b,j] (x[b,i] - mu_i)
      Tensor expected = l.weight().detach().mul(torch.mm(upstream.t(), x.sub(mean.unsqueeze(0))));
      float[] e = TensorArrays.toFloats(expected), got = TensorArrays.toFloats(m.parameter().grad());
      for (int i = 0; i < e.length; i++) assertEquals(e[i], got[i], 1e-4, "edge " + i);
      assertTrue(!l.weight().grad().defined() || l.weight().grad().abs().sum().item_double() == 0, "the layer's weights are read, not trained");
    }
  }

  @Test
  void aUnitMaskReplacesAblatedUnitsByTheirMean() {
    Tensor a = Tensor.create(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    UnitMask um = new UnitMask(ClampedMask.of(ClampedMask.Penalty.L1, Tensor.create(new float[] {1, 0, 0.25f}, 3)),
        Tensor.create(new float[] {-1, -2, -3}, 3));
    float[] y = TensorArrays.toFloats(um.apply(a).detach());
    assertArrayEquals(new float[] {1, -2, 0.25f * 3 - 0.75f * 3, 4, -2, 0.25f * 6 - 0.75f * 3}, y, 1e-6f);
  }

  @Test
  void shapesThatDoNotFitAreRefused() {
    LinearImpl l = layer(4, 3, 5);
    assertThrows(IllegalArgumentException.class, () -> new EdgeMaskedLinear(l, new ClampedMask(ClampedMask.Penalty.SQRT, 4, 3), null));
    assertThrows(IllegalArgumentException.class, () -> new EdgeMaskedLinear(l, new ClampedMask(ClampedMask.Penalty.SQRT, 3, 4), torch.zeros(3)));
  }
}
