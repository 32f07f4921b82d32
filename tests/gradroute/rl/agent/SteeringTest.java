package gradroute.rl.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.hooks.MaskApplier;
import gradroute.rl.reinforce.RoutedGradientTest;
import gradroute.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Steering removes the gate and one expert: only that module's contribution changes. */
class SteeringTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static void perturb(RoutedPolicy p, String prefix) {
    try (NoGradGuard g = new NoGradGuard()) {
      var dict = p.named_parameters();
      for (long i = 0; i < dict.size(); i++) {
        if (dict.get(i).key().getString().startsWith(prefix)) {
          Tensor t = dict.get(i).value();
          t.add_(torch.randn_like(t).mul(new Scalar(0.5)));
        }
      }
    }
  }

  private static Tensor logits(RoutedPolicy p, Tensor x, PolicyView v) {
    try (NoGradGuard g = new NoGradGuard()) {
      return p.logits(x, v).clone();
    }
  }

  @Test
  void theDiamondPolicyIsTheDiamondExpertThroughTheHead() {
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(5);
      RoutedPolicy p = RoutedPolicy.forGrid(5);
      Tensor x = RoutedGradientTest.observations(16, 9);
      try (NoGradGuard g = new NoGradGuard()) {
        assertTrue(torch.equal(p.logits(x, PolicyView.DIAMOND), p.head(p.diamondFeatures(x))));
        assertTrue(torch.equal(p.logits(x, PolicyView.GHOST), p.head(p.ghostFeatures(x))));
        Tensor s = p.gateLogit(x).sigmoid();
        Tensor mix = s.mul(p.diamondFeatures(x)).add(torch.rsub(s, new Scalar(1.0)).mul(p.ghostFeatures(x)));
        assertTrue(torch.allclose(p.logits(x, PolicyView.TRAINING), p.head(mix), 1e-5, 1e-6, false));
      }
    }
  }

  @Test
  void changingTheGhostExpertOrTheGateLeavesTheSteeredPolicyAlone() {
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(6);
      RoutedPolicy p = RoutedPolicy.forGrid(5);
      Tensor x = RoutedGradientTest.observations(16, 10);
      Tensor diamond = logits(p, x, PolicyView.DIAMOND);
      Tensor training = logits(p, x, PolicyView.TRAINING);
      Tensor ghost = logits(p, x, PolicyView.GHOST);

      perturb(p, "ghost");
      assertTrue(torch.equal(diamond, logits(p, x, PolicyView.DIAMOND)), "steered policy ignores the ghost expert");
      assertFalse(torch.equal(training, logits(p, x, PolicyView.TRAINING)), "the training policy uses it");
      assertFalse(torch.equal(ghost, logits(p, x, PolicyView.GHOST)));

      training = logits(p, x, PolicyView.TRAINING);
      ghost = logits(p, x, PolicyView.GHOST);
      perturb(p, "gate");
      assertTrue(torch.equal(diamond, logits(p, x, PolicyView.DIAMOND)), "steered policy ignores the gate");
      assertTrue(torch.equal(ghost, logits(p, x, PolicyView.GHOST)), "ghost policy ignores the gate");
      assertFalse(torch.equal(training, logits(p, x, PolicyView.TRAINING)));

      perturb(p, "diamond");
      assertFalse(torch.equal(diamond, logits(p, x, PolicyView.DIAMOND)));
      assertTrue(torch.equal(ghost, logits(p, x, PolicyView.GHOST)), "ghost policy ignores the diamond expert");
    }
  }

  @Test
  void aSingleExpertNetworkHasOnlyItsTrainingPolicy() {
    try (PointerScope scope = new PointerScope()) {
      SingleExpertPolicy p = SingleExpertPolicy.forGrid(5);
      Tensor x = RoutedGradientTest.observations(4, 11);
      assertThrows(IllegalArgumentException.class, () -> p.logits(x, PolicyView.DIAMOND));
      assertThrows(IllegalArgumentException.class, () -> MaskApplier.apply(p, RouteGates.POINTS, RouteGates.RULE, null));
      assertThrows(IllegalArgumentException.class, () -> RouteGates.index(new int[] {0, 1, 3}, null));
    }
  }
}
