package gradroute.masks;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What post-hoc unlearning minimises: {@code retainWeight·L_retain + forgetWeight·F + λ(step)·P}, with
 * F the forget term of {@link #forget} on the forget data, P a mask's removal penalty and λ the
 * sparsity weight, ramped in linearly over {@code sparsityRampSteps} (0: from the start).
 *
 * @param forget how the forget data's loss enters
 * @param forgetWeight α (circuit breaking's MNIST script: 0.3)
 */
public record UnlearningObjective(ForgetLoss forget, double forgetWeight, double retainWeight, double sparsityWeight, long sparsityRampSteps) {
  /** The forget term F, minimised. */
  public enum ForgetLoss {
    /** Gradient ascent on cross-entropy: F = −CE (unbounded below, as circuit breaking's −α·CE_bad). */
    CE,
    /** F = mean −log(1 − p_target), bounded below by 0: pushes the target's probability to 0 and stops there. */
    LOG1MP;

    /** The config name: ce or log1mp. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ForgetLoss fromId(String id) {
      for (ForgetLoss f : values()) if (f.id().equals(id)) return f;
      throw new IllegalArgumentException("unknown forget loss '" + id + "' (ce or log1mp)");
    }
  }

  /** Smallest 1 − p the bounded term takes a logarithm of (−log(1−p) at most about 13.8). */
  static final double MIN_COMPLEMENT = 1e-6;

  public UnlearningObjective {
    if (forget == null) throw new IllegalArgumentException("unlearning objective: forget loss is null");
    for (double w : new double[] {forgetWeight, retainWeight, sparsityWeight}) {
      if (!Double.isFinite(w) || w < 0) throw new IllegalArgumentException("unlearning objective: weights must be finite and >= 0, got " + w);
    }
    if (sparsityRampSteps < 0) throw new IllegalArgumentException("unlearning objective: sparsityRampSteps must be >= 0, got " + sparsityRampSteps);
  }

  /** F for logits {@code [n, classes]} and targets {@code [n]} (int64). */
  public Tensor forgetTerm(Tensor logits, Tensor targets) {
    return forgetTermOfLosses(torch.log_softmax(logits, 1).gather(1, targets.unsqueeze(1)).squeeze(1).neg(), null);
  }

  /**
   * F from per-example (or per-token) negative log-likelihoods {@code nll}, averaged with {@code weights}
   * of the same shape (e.g. a language model batch's 0/1 mask of real targets), or plainly when null.
   */
  public Tensor forgetTermOfLosses(Tensor nll, Tensor weights) {
    Tensor term = forget == ForgetLoss.CE
        ? nll.neg()
        : nll.neg().exp().neg().add(new Scalar(1.0)).clamp_min(new Scalar(MIN_COMPLEMENT)).log().neg();
    return weights == null ? term.mean() : term.mul(weights).sum().div(weights.sum());
  }

  /** λ at {@code step}: rises linearly from 0 to {@code sparsityWeight} over the ramp, then stays. */
  public double sparsityWeightAt(long step) {
    if (sparsityRampSteps == 0) return sparsityWeight;
    return sparsityWeight * Math.min(1.0, (double) step / sparsityRampSteps);
  }

  /** The loss to minimise at {@code step}; {@code penalty} may be null (no mask, e.g. fine-tuning). */
  public Tensor total(Tensor retainLoss, Tensor forgetTerm, Tensor penalty, long step) {
    Tensor loss = retainLoss.mul(new Scalar(retainWeight)).add(forgetTerm.mul(new Scalar(forgetWeight)));
    double lambda = sparsityWeightAt(step);
    return penalty == null || lambda == 0 ? loss : loss.add(penalty.mul(new Scalar(lambda)));
  }
}
