package gradroute.rl.agent;

import gradroute.hooks.HookedModel;
import gradroute.hooks.Hooks;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * An agent's policy: observations {@code [B, 4, size, size]} to action logits {@code [B, 4]}.
 * Subclasses register their layers, so {@code save}/{@code load}/{@code parameters} see them all,
 * and name their hook points (where routing, steering and caching attach).
 */
public abstract class PolicyNetwork extends org.bytedeco.pytorch.Module implements HookedModel {
  /** What a training forward pass produced: action logits, and the gate logit (null without a gate). */
  public record Forward(Tensor logits, Tensor gateLogit) {}

  /** Action logits of {@code view} (no routing). */
  public abstract Tensor logits(Tensor observations, PolicyView view);

  /**
   * The training policy's logits and, with a gate, the gate's own logit (for the gate loss; the
   * mixing passes through a hook point of its own, where routing attaches).
   */
  public abstract Forward forward(Tensor observations);

  /** Whether {@code view} exists in this network. */
  public abstract boolean supports(PolicyView view);

  private final Hooks hooks;

  protected PolicyNetwork(List<String> hookPoints) {
    this.hooks = new Hooks(hookPoints);
  }

  @Override
  public Hooks hooks() {
    return hooks;
  }

  protected static Tensor flat(Tensor observations) {
    return observations.flatten(1, -1);
  }
}
