package gradroute.routing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TorchRuntime;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A 2-layer MLP trained with routing learns nothing in the routed-away hidden units. */
class RoutedTrainingTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void routedAwayUnitsGetExactlyZeroGradient() {
    torch.manual_seed(11);
    Tensor w1 = torch.randn(4, 8).mul(new Scalar(0.5)).requires_grad_(true);
    Tensor b1 = torch.zeros(8).requires_grad_(true);
    Tensor w2 = torch.randn(8, 1).mul(new Scalar(0.5)).requires_grad_(true);
    Tensor w1Start = w1.detach().clone();
    Tensor b1Start = b1.detach().clone();
    Tensor w2Start = w2.detach().clone();
    MaskTable table = MaskTable.builder(8).dims(MaskTable.range(0, 4)).build(); // row 0: units 0..3
    Tensor x = torch.randn(32, 4);
    Tensor y = x.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()).tanh();
    Tensor index = torch.zeros(32).to(torch.ScalarType.Long);
    float lr = 0.1f;
    for (int step = 0; step < 20; step++) {
      Tensor h = torch.relu(x.matmul(w1).add(b1));
      Tensor routed = Router.NATIVE.routeIndexed(h, table.tensor(), index, null, 1.0);
      Tensor loss = routed.matmul(w2).sub(y).pow(new Scalar(2)).mean();
      loss.backward();
      assertTrue(torch.equal(w1.grad().narrow(1, 4, 4), torch.zeros(4, 4)), "W1 columns of routed-away units");
      assertTrue(torch.equal(b1.grad().narrow(0, 4, 4), torch.zeros(4)), "b1 entries of routed-away units");
      try (NoGradGuard g = new NoGradGuard()) {
        for (Tensor p : new Tensor[] {w1, b1, w2}) {
          p.sub_(p.grad().mul(new Scalar(lr)));
          p.grad().zero_();
        }
      }
    }
    assertTrue(torch.equal(w1.detach().narrow(1, 4, 4), w1Start.narrow(1, 4, 4)));
    assertTrue(torch.equal(b1.detach().narrow(0, 4, 4), b1Start.narrow(0, 4, 4)));
    assertFalse(torch.equal(w1.detach().narrow(1, 0, 4), w1Start.narrow(1, 0, 4)), "routed-to units learn");
    assertFalse(torch.equal(w2.detach(), w2Start), "the readout still learns from every unit");
  }
}
