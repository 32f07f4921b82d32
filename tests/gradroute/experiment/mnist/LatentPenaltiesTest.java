package gradroute.experiment.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LatentPenaltiesTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  static Tensor latent(long n, long d) {
    torch.manual_seed(9);
    return torch.randn(new long[] {n, d}, new TensorOptions(ScalarType.Double));
  }

  @Test
  void l1IsTheSumOverDimsOfMeanAbsolute() {
    Tensor z = latent(7, 6);
    double[] v = TensorArrays.toDoubles(z);
    double expected = 0;
    for (int j = 3; j < 6; j++) {
      double m = 0;
      for (int i = 0; i < 7; i++) m += Math.abs(v[i * 6 + j]);
      expected += m / 7;
    }
    assertEquals(expected, LatentPenalties.l1(z, 3, 3).item_double(), 1e-12);
  }

  static double pearson(double[] v, int n, int d, int a, int b) {
    double ma = 0, mb = 0;
    for (int i = 0; i < n; i++) {
      ma += v[i * d + a];
      mb += v[i * d + b];
    }
    ma /= n;
    mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) {
      double x = v[i * d + a] - ma, y = v[i * d + b] - mb;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    return sab / Math.sqrt(saa * sbb);
  }

  @Test
  void correlationIsScaledMeanAbsolutePearson() {
    int n = 9, d = 8, half = 4;
    Tensor z = latent(n, d);
    double[] v = TensorArrays.toDoubles(z);
    double sum = 0;
    for (int a = 0; a < half; a++) for (int b = half; b < d; b++) sum += Math.abs(pearson(v, n, d, a, b));
    double expected = (n - 1.0) / n * sum / (half * half);
    assertEquals(expected, LatentPenalties.correlation(z).item_double(), 1e-7);
  }

  @Test
  void correlationIgnoresPositiveRescalingOfADim() {
    Tensor z = latent(10, 8);
    Tensor scale = torch.ones(8).to(ScalarType.Double);
    scale.narrow(0, 2, 1).mul_(new Scalar(37.0));
    assertEquals(LatentPenalties.correlation(z).item_double(), LatentPenalties.correlation(z.mul(scale)).item_double(), 1e-9);
  }

  @Test
  void correlationGradientMatchesFiniteDifferences() {
    Tensor z = latent(6, 4).requires_grad_(true);
    LatentPenalties.correlation(z).backward();
    double[] analytic = TensorArrays.toDoubles(z.grad());
    double[] base = TensorArrays.toDoubles(z);
    double h = 1e-6, worst = 0;
    for (int k = 0; k < base.length; k++) {
      double[] plus = base.clone(), minus = base.clone();
      plus[k] += h;
      minus[k] -= h;
      double fp = LatentPenalties.correlation(Tensor.create(plus, 6, 4)).item_double();
      double fm = LatentPenalties.correlation(Tensor.create(minus, 6, 4)).item_double();
      worst = Math.max(worst, Math.abs((fp - fm) / (2 * h) - analytic[k]));
    }
    assertTrue(worst < 1e-7, "max |finite difference - analytic| = " + worst);
  }

  @Test
  void constantDimStaysFinite() {
    Tensor z = latent(5, 4);
    z.narrow(1, 0, 1).fill_(new Scalar(2.0));
    assertTrue(Double.isFinite(LatentPenalties.correlation(z).item_double()));
  }

  @Test
  void torchAdamCouplesWeightDecayIntoTheGradient() {
    double lr = 0.1, wd = 0.5;
    Tensor p = Tensor.create(new double[] {2.0}, 1).requires_grad_(true);
    org.bytedeco.pytorch.AdamOptions options = new org.bytedeco.pytorch.AdamOptions(lr);
    options.weight_decay().put(wd);
    org.bytedeco.pytorch.TensorVector params = new org.bytedeco.pytorch.TensorVector(p);
    org.bytedeco.pytorch.Adam adam = new org.bytedeco.pytorch.Adam(params, options);
    p.mul(new Scalar(3.0)).sum().backward(); // gradient 3
    adam.step();
    // coupled: g' = 3 + 0.5*2 = 4; first Adam step moves by lr * g'/(|g'| + eps) = lr
    // decoupled (AdamW) would give 2 - lr*wd*2 - lr = 1.8, coupled gives 2 - lr = 1.9
    assertEquals(1.9, TensorArrays.toDoubles(p)[0], 1e-6);
    Tensor q = Tensor.create(new double[] {2.0}, 1).requires_grad_(true);
    org.bytedeco.pytorch.Adam adam2 = new org.bytedeco.pytorch.Adam(new org.bytedeco.pytorch.TensorVector(q), options);
    q.mul(new Scalar(-0.5)).sum().backward(); // g' = -0.5 + 1.0 = 0.5 > 0: the decay flips the step's sign
    adam2.step();
    assertEquals(1.9, TensorArrays.toDoubles(q)[0], 1e-6);
  }
}
