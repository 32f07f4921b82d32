package gradroute.rl.reinforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.experiment.minigrid.Method;
import gradroute.rl.agent.PolicyNetwork;
import gradroute.rl.agent.RoutedPolicy;
import gradroute.rl.agent.ValueNetwork;
import gradroute.rl.env.Gridworld;
import gradroute.rl.env.GridworldConfig;
import gradroute.rl.env.Reward;
import gradroute.runtime.SingleThreaded;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gradient routing in the routed agent's loss: a row routed to one expert gives the other expert and
 * the gate exactly zero gradient; the gate learns on labelled rows only from its own loss.
 */
public class RoutedGradientTest {
  private static final int ROWS = 48;
  private PointerScope scope;

  @BeforeEach
  void openScope() {
    scope = new PointerScope();
  }

  @AfterEach
  void closeScope() {
    scope.close();
  }

  /** Observations of a real rollout, so the inputs look like the experiment's. */
  public static Tensor observations(int rows, long seed) {
    Gridworld world = new Gridworld(GridworldConfig.of(rows, 0.5, seed), Reward.ROUTING);
    float[] obs = new float[rows * world.observationSize()];
    world.observation(obs);
    return Tensor.create(obs, rows, Gridworld.CHANNELS, 5, 5);
  }

  static float[] randomReturns(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] g = new float[rows];
    for (int i = 0; i < rows; i++) g[i] = (float) (r.nextDouble() * 2 - 1);
    return g;
  }

  static long[] randomActions(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] a = new long[rows];
    for (int i = 0; i < rows; i++) a[i] = r.nextInt(4);
    return a;
  }

  private static AgentConfig config(Method m, double gateWeight) {
    return new AgentConfig(m.recipe(), 0.5, 4, 8, 1, 1e-3, 0, 0.97, 0.5, 0.1, gateWeight, 0.0, 10, 0, 4, 4);
  }

  private static RoutedPolicy policy() {
    torch.manual_seed(3);
    return RoutedPolicy.forGrid(5);
  }

  /** Runs backward of the routed loss and returns the policy's gradients by parameter name. */
  private static Grads backward(RoutedPolicy policy, int[] outcomes, double gateWeight, boolean withValue) {
    return backward(policy, value(), outcomes, gateWeight, withValue);
  }

  private static ValueNetwork value() {
    torch.manual_seed(4);
    return ValueNetwork.forGrid(5);
  }

  private static Grads backward(RoutedPolicy policy, ValueNetwork value, int[] outcomes, double gateWeight, boolean withValue) {
    ReinforceLoss.Parts parts = ReinforceLoss.compute(config(Method.ROUTING, gateWeight), policy, value,
        observations(ROWS, 1), randomReturns(ROWS, 2), randomActions(ROWS, 3), outcomes, null);
    policy.zero_grad(true);
    Tensor loss = withValue ? parts.total() : parts.policy();
    loss.backward();
    return new Grads(policy);
  }

  record Grads(RoutedPolicy policy) {
    Tensor of(String name) {
      Tensor g = policy.named_parameters().get(name).grad();
      return g.defined() ? g.clone() : torch.zeros_like(policy.named_parameters().get(name));
    }

    boolean zero(String prefix) {
      for (String name : names(prefix)) {
        if (of(name).abs().max().item_float() != 0f) return false;
      }
      return true;
    }

    boolean nonzero(String prefix) {
      for (String name : names(prefix)) {
        if (name.endsWith("weight") && of(name).abs().max().item_float() == 0f) return false;
      }
      return true;
    }

    List<String> names(String prefix) {
      List<String> out = new ArrayList<>();
      var dict = policy.named_parameters();
      for (long i = 0; i < dict.size(); i++) {
        String key = dict.get(i).key().getString();
        if (key.startsWith(prefix)) out.add(key);
      }
      assertFalse(out.isEmpty(), "no parameters named " + prefix + "*");
      return out;
    }
  }

  private static int[] all(int code) {
    int[] o = new int[ROWS];
    java.util.Arrays.fill(o, code);
    return o;
  }

  @Test
  void overseenDiamondRowsTrainOnlyTheDiamondExpert() {
    Grads g = backward(policy(), all(RolloutBuffer.OVERSEEN_DIAMOND), AgentConfig.GATE_WEIGHT, false);
    assertTrue(g.zero("ghost"), "ghost expert must get exactly zero gradient");
    assertTrue(g.zero("gate"), "gate must get exactly zero policy gradient");
    assertTrue(g.nonzero("diamond"), "diamond expert learns");
    assertTrue(g.nonzero("head"), "shared head learns");
  }

  @Test
  void overseenGhostRowsTrainOnlyTheGhostExpert() {
    Grads g = backward(policy(), all(RolloutBuffer.OVERSEEN_GHOST), AgentConfig.GATE_WEIGHT, false);
    assertTrue(g.zero("diamond"), "diamond expert must get exactly zero gradient");
    assertTrue(g.zero("gate"), "gate must get exactly zero policy gradient");
    assertTrue(g.nonzero("ghost"), "ghost expert learns");
  }

  @Test
  void unlabelledRowsTrainEverything() {
    for (int code : new int[] {RolloutBuffer.NOTHING, RolloutBuffer.UNSEEN_DIAMOND, RolloutBuffer.UNSEEN_GHOST}) {
      Grads g = backward(policy(), all(code), AgentConfig.GATE_WEIGHT, false);
      assertTrue(g.nonzero("diamond") && g.nonzero("ghost") && g.nonzero("gate"), "outcome " + code);
    }
  }

  @Test
  void aMixedBatchGivesEachExpertOnlyTheGradientOfItsRows() {
    int[] mixed = new int[ROWS];
    for (int i = 0; i < ROWS; i++) mixed[i] = i % 3 == 0 ? RolloutBuffer.OVERSEEN_DIAMOND : i % 3 == 1 ? RolloutBuffer.OVERSEEN_GHOST : RolloutBuffer.NOTHING;
    RoutedPolicy policy = policy();
    ValueNetwork value = value();
    Grads routed = backward(policy, value, mixed, 0.0, false);
    Tensor ghostFromMixed = routed.of("ghost1.weight");
    Tensor diamondFromMixed = routed.of("diamond1.weight");
    Tensor gateFromMixed = routed.of("gate1.weight");

    // The same batch with the rows routed away from an expert dropped from the loss (weight 0) must
    // give that expert the same gradient: routing adds exactly nothing from them.
    PolicyNetwork.Forward f = policy.forward(observations(ROWS, 1));
    Tensor logp = f.logits().log_softmax(1).gather(1, Tensor.create(randomActions(ROWS, 3), ROWS, 1)).view(-1);
    Tensor v = value.values(observations(ROWS, 1)).detach();
    Tensor perRow = logp.mul(Tensor.create(randomReturns(ROWS, 2), ROWS).sub(v)).neg();
    for (int excluded : new int[] {RolloutBuffer.OVERSEEN_DIAMOND, RolloutBuffer.OVERSEEN_GHOST}) {
      float[] w = new float[ROWS];
      for (int i = 0; i < ROWS; i++) w[i] = mixed[i] == excluded ? 0f : 1f;
      policy.zero_grad(true);
      perRow.mul(Tensor.create(w, ROWS)).mean().backward(new Tensor(), new org.bytedeco.pytorch.BoolOptional(true), false,
          new org.bytedeco.pytorch.TensorArrayRefOptional());
      Grads masked = new Grads(policy);
      if (excluded == RolloutBuffer.OVERSEEN_DIAMOND) {
        assertTrue(torch.allclose(ghostFromMixed, masked.of("ghost1.weight"), 1e-5, 1e-7, false), "ghost expert: only ghost and plain rows");
      } else {
        assertTrue(torch.allclose(diamondFromMixed, masked.of("diamond1.weight"), 1e-5, 1e-7, false), "diamond expert: only diamond and plain rows");
      }
    }
    // the gate: only the plain rows
    float[] plain = new float[ROWS];
    for (int i = 0; i < ROWS; i++) plain[i] = mixed[i] == RolloutBuffer.NOTHING ? 1f : 0f;
    policy.zero_grad(true);
    perRow.mul(Tensor.create(plain, ROWS)).mean().backward();
    assertTrue(torch.allclose(gateFromMixed, new Grads(policy).of("gate1.weight"), 1e-5, 1e-7, false), "gate: only plain rows");
  }

  @Test
  void onLabelledRowsTheGateLearnsOnlyFromItsOwnLoss() {
    int[] labelled = new int[ROWS];
    for (int i = 0; i < ROWS; i++) labelled[i] = i % 2 == 0 ? RolloutBuffer.OVERSEEN_DIAMOND : RolloutBuffer.OVERSEEN_GHOST;
    RoutedPolicy policy = policy();
    Grads full = backward(policy, labelled, AgentConfig.GATE_WEIGHT, true);
    Tensor gateGrad = full.of("gate1.weight");
    assertTrue(gateGrad.abs().max().item_float() > 0f, "the gate loss trains the gate");

    // the gate's gradient from the gate loss alone
    Tensor obs = observations(ROWS, 1);
    Tensor logit = policy.gateLogit(obs).view(-1);
    float[] y = new float[ROWS];
    for (int i = 0; i < ROWS; i++) y[i] = labelled[i] == RolloutBuffer.OVERSEEN_DIAMOND ? 1f : 0f;
    policy.zero_grad(true);
    torch.softplus(logit).sub(Tensor.create(y, ROWS).mul(logit)).mean()
        .mul(new org.bytedeco.pytorch.Scalar(AgentConfig.GATE_WEIGHT)).backward();
    assertTrue(torch.allclose(gateGrad, new Grads(policy).of("gate1.weight"), 1e-5, 1e-9, false),
        "policy, value and entropy terms must not reach the gate on labelled rows");
  }

  @Test
  void withoutRoutingTheControlTrainsBothExpertsOnLabelledRows() {
    RoutedPolicy policy = policy();
    ValueNetwork value = ValueNetwork.forGrid(5);
    ReinforceLoss.Parts parts = ReinforceLoss.compute(config(Method.NO_ROUTING_CONTROL, 0.0), policy, value,
        observations(ROWS, 1), randomReturns(ROWS, 2), randomActions(ROWS, 3), all(RolloutBuffer.OVERSEEN_DIAMOND), null);
    policy.zero_grad(true);
    parts.policy().backward();
    Grads g = new Grads(policy);
    assertTrue(g.nonzero("ghost") && g.nonzero("gate"), "no stop-gradients in the control");
    assertEquals(ROWS, parts.labelledRows());
    assertNotNull(parts.gate(), "the control keeps the gate loss");
  }
}
