package gradroute.rl.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.rl.reinforce.PolicyMaps;
import gradroute.rl.reinforce.RoutedGradientTest;
import gradroute.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The no_gate ablation mixes the experts half and half and has no gate parameters; the policy maps read the gate per cell. */
class NoGatePolicyTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void withoutAGateTheExpertsAreMixedHalfAndHalf() {
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(3);
      RoutedPolicy p = RoutedPolicy.forGrid(5, false);
      assertFalse(p.gated());
      var names = p.named_parameters();
      for (long i = 0; i < names.size(); i++) {
        assertFalse(names.get(i).key().getString().startsWith("gate"), names.get(i).key().getString());
      }
      Tensor x = RoutedGradientTest.observations(8, 4);
      try (NoGradGuard g = new NoGradGuard()) {
        PolicyNetwork.Forward f = p.forward(x);
        assertNull(f.gateLogit(), "no gate, no gate logit (and no gate loss)");
        Tensor mean = p.diamondFeatures(x).add(p.ghostFeatures(x)).mul(new Scalar(0.5));
        assertTrue(torch.allclose(f.logits(), p.head(mean), 1e-6, 1e-6, false));
      }
    }
  }

  @Test
  void policyMapsGiveTheGateAndBothExpertsPerCell() {
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(4);
      RoutedPolicy p = RoutedPolicy.forGrid(5);
      PolicyMaps m = PolicyMaps.of(p, 5, 13, 10, null);
      assertTrue(Float.isNaN(m.gate()[13]) && Float.isNaN(m.gate()[10]), "no gate value on the ghost and diamond cells");
      double sum = 0;
      for (float q : m.steered()[0]) sum += q;
      assertEquals(1.0, sum, 1e-5, "cell 0's action probabilities");
      RoutedPolicy ungated = RoutedPolicy.forGrid(5, false);
      PolicyMaps half = PolicyMaps.of(ungated, 5, 13, 10, null);
      assertEquals(0.5f, half.gate()[0], 0f);
      assertEquals(0.0, half.gateSplit(), 0.0);
    }
  }
}
