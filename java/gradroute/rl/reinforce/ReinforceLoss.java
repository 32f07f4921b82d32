package gradroute.rl.reinforce;

import gradroute.hooks.MaskApplier;
import gradroute.rl.agent.PolicyNetwork;
import gradroute.rl.agent.RouteGates;
import gradroute.rl.agent.ValueNetwork;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The loss of one update, from one batched forward pass over the rollout:
 *
 * <pre>
 *   loss = −mean logπ(a)·(G − V.detach()) + valueWeight·mean (V − G)² − entropyWeight·mean H(π)
 *          + gateWeight·BCE(gate logit, label) over labelled rows   (routed network)
 * </pre>
 *
 * With {@link AgentRecipe#routesGradients()} each row goes along the route of its episode's outcome
 * ({@link RolloutBuffer#routes}, applied at the policy's hook points by {@link RouteGates}); a mean over the whole batch is the sum of each route's mean weighted
 * by the fraction of the batch it covers. With {@link AgentRecipe#filtersUnseen()} the
 * means run over the kept rows only ({@link RolloutBuffer#filterMask}). The gate's labels: 1 for
 * overseen-diamond rows, 0 for overseen-ghost rows.
 */
public final class ReinforceLoss {
  /** The parts of the loss; {@code gate} is null without a gate or labelled rows. */
  public record Parts(Tensor total, Tensor policy, Tensor value, Tensor entropy, Tensor gate, int labelledRows, double keptRows,
      Tensor gateLogit) {}

  private ReinforceLoss() {}

  /**
   * @param observations {@code [rows, C, S, S]} on the networks' device
   * @param returns discounted returns by row
   * @param actions actions taken, by row
   * @param outcomes each row's episode outcome ({@link RolloutBuffer} codes)
   */
  public static Parts compute(AgentConfig config, PolicyNetwork policy, ValueNetwork value, Tensor observations,
      float[] returns, long[] actions, int[] outcomes, Device device) {
    int rows = returns.length;
    if (actions.length != rows || outcomes.length != rows || observations.size(0) != rows) {
      throw new IllegalArgumentException("returns, actions, outcomes and observations must have the same rows");
    }
    AgentRecipe recipe = config.recipe();
    Tensor g = Evaluation.onDevice(Tensor.create(returns, rows), device);
    Tensor actionIndex = Evaluation.onDevice(Tensor.create(actions, rows, 1), device);
    Tensor keep = null;
    double kept = rows;
    if (recipe.filtersUnseen()) {
      float[] mask = RolloutBuffer.filterMask(outcomes);
      kept = 0;
      for (float m : mask) kept += m;
      keep = Evaluation.onDevice(Tensor.create(mask, rows), device);
    }
    PolicyNetwork.Forward forward = forward(recipe, policy, observations, outcomes, device);
    Tensor logp = forward.logits().log_softmax(1);
    Tensor logpAction = logp.gather(1, actionIndex).view(-1);
    Tensor entropyPerRow = logp.exp().mul(logp).sum(new long[] {1}).neg();
    Tensor v = value.values(observations);
    Tensor pgPerRow = logpAction.mul(g.sub(v.detach())).neg();
    Tensor sqErr = v.sub(g).square();

    Tensor pgLoss;
    Tensor valueLoss;
    Tensor entropy;
    if (keep == null) {
      pgLoss = pgPerRow.mean();
      valueLoss = sqErr.mean();
      entropy = entropyPerRow.mean();
    } else {
      Scalar denominator = new Scalar(Math.max(1.0, kept));
      pgLoss = pgPerRow.mul(keep).sum().div(denominator);
      valueLoss = sqErr.mul(keep).sum().div(denominator);
      entropy = entropyPerRow.mul(keep).sum().div(denominator);
    }
    Tensor total = pgLoss.add(valueLoss.mul(new Scalar(config.valueWeight())))
        .sub(entropy.mul(new Scalar(config.entropyWeight())));

    Tensor gateLoss = null;
    int labelled = 0;
    if (forward.gateLogit() != null) {
      float[] target = new float[rows];
      float[] labelledMask = new float[rows];
      for (int i = 0; i < rows; i++) {
        if (outcomes[i] == RolloutBuffer.OVERSEEN_DIAMOND) {
          target[i] = 1f;
          labelledMask[i] = 1f;
          labelled++;
        } else if (outcomes[i] == RolloutBuffer.OVERSEEN_GHOST) {
          labelledMask[i] = 1f;
          labelled++;
        }
      }
      if (labelled > 0) {
        Tensor logit = forward.gateLogit().view(-1);
        Tensor y = Evaluation.onDevice(Tensor.create(target, rows), device);
        Tensor m = Evaluation.onDevice(Tensor.create(labelledMask, rows), device);
        // binary cross-entropy with logits, softplus(z) − y·z, averaged over the labelled rows
        gateLoss = torch.softplus(logit).sub(y.mul(logit)).mul(m).sum().div(new Scalar((double) labelled));
        total = total.add(gateLoss.mul(new Scalar(config.gateWeight())));
      }
    }
    if (forward.gateLogit() != null && config.commitWeight() > 0 && labelled < rows) {
      // the optional commitment term: binary entropy of σ(gate) on the unlabelled rows, minimised
      float[] unlabelled = new float[rows];
      for (int i = 0; i < rows; i++) {
        unlabelled[i] = outcomes[i] == RolloutBuffer.OVERSEEN_DIAMOND || outcomes[i] == RolloutBuffer.OVERSEEN_GHOST ? 0f : 1f;
      }
      Tensor z = forward.gateLogit().view(-1);
      Tensor s = z.sigmoid();
      // H(σ(z)) = softplus(z) − σ(z)·z
      Tensor h = torch.softplus(z).sub(s.mul(z));
      Tensor commit = h.mul(Evaluation.onDevice(Tensor.create(unlabelled, rows), device)).sum()
          .div(new Scalar((double) (rows - labelled)));
      total = total.add(commit.mul(new Scalar(config.commitWeight())));
    }
    Tensor gateLogit = forward.gateLogit() == null ? null : forward.gateLogit().detach();
    return new Parts(total, pgLoss, valueLoss, entropy, gateLoss, labelled, kept, gateLogit);
  }

  /** The training forward pass, each row routed along its episode's route when the recipe routes gradients. */
  private static PolicyNetwork.Forward forward(AgentRecipe recipe, PolicyNetwork policy, Tensor observations, int[] outcomes,
      Device device) {
    if (!recipe.routesGradients()) return policy.forward(observations);
    try (MaskApplier routes = MaskApplier.apply(policy, RouteGates.POINTS, RouteGates.RULE, device)) {
      routes.set(RouteGates.index(RolloutBuffer.routes(outcomes), device), null);
      return policy.forward(observations);
    }
  }
}
