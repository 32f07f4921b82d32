package gradroute.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** Next-token cross-entropy of a {@link Gpt} on a {@link TokenBatch}. */
public final class LmLoss {
  private LmLoss() {}

  /** Per-position negative log-likelihood {@code [batch, pos]} of {@code targets} under {@code logits}. */
  public static Tensor tokenLosses(Tensor logits, Tensor targets) {
    return logits.log_softmax(-1).gather(2, targets.unsqueeze(2)).squeeze(2).neg();
  }

  /** Mean cross-entropy over the batch's real target positions (a differentiable scalar). */
  public static Tensor mean(Gpt model, TokenBatch batch) {
    Device d = model.device();
    Tensor logits = model.forward(batch.inputs(d));
    return masked(logits, batch);
  }

  /** Mean cross-entropy of precomputed logits over the batch's real target positions. */
  public static Tensor masked(Tensor logits, TokenBatch batch) {
    Device d = logits.device();
    Tensor losses = tokenLosses(logits, batch.targets(d));
    return losses.mul(batch.validMask(d)).sum().div(new org.bytedeco.pytorch.Scalar((double) batch.targetCount()));
  }

  /** {@link #mean} without gradients, as a double. */
  public static double evaluate(Gpt model, TokenBatch batch) {
    try (NoGradGuard g = new NoGradGuard()) {
      return mean(model, batch).item_double();
    }
  }
}
