package gradroute.rl.agent;

import org.bytedeco.pytorch.Tensor;

/**
 * An agent's policy: observations {@code [B, 4, size, size]} to action logits {@code [B, 4]}.
 * Subclasses register their layers, so {@code save}/{@code load}/{@code parameters} see them all.
 */
public abstract class PolicyNetwork extends org.bytedeco.pytorch.Module {
  /** What a training forward pass produced: action logits, and the gate logit (null without a gate). */
  public record Forward(Tensor logits, Tensor gateLogit) {}

  /** Action logits of {@code view} (no routing). */
  public abstract Tensor logits(Tensor observations, PolicyView view);

  /**
   * The training policy's logits with per-row routing: {@code gates} null trains every row along the
   * plain combination. The gate logit returned is the gate's own output (not routed), for the gate
   * loss.
   */
  public abstract Forward forwardTraining(Tensor observations, RouteGates gates);

  /** Whether {@code view} exists in this network. */
  public abstract boolean supports(PolicyView view);

  protected static Tensor flat(Tensor observations) {
    return observations.flatten(1, -1);
  }
}
