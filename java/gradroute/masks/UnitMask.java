package gradroute.masks;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * A mask over the units of an activation's last dimension (neurons, latent dims): unit k becomes
 * {@code m_k·a_k + (1 − m_k)·μ_k}, with μ the mean activation or 0.
 */
public final class UnitMask {
  private final LearnedMask mask;
  private final Tensor mean;

  /** @param mean mean activation per unit, shape {@code [units]}, or null to ablate to 0 */
  public UnitMask(LearnedMask mask, Tensor mean) {
    long[] s = mask.shape();
    if (s.length != 1) throw new IllegalArgumentException("a unit mask is one-dimensional, got shape " + java.util.Arrays.toString(s));
    if (mean != null && (mean.dim() != 1 || mean.size(0) != s[0])) {
      throw new IllegalArgumentException("mean activation must have shape [" + s[0] + "], got " + java.util.Arrays.toString(mean.shape()));
    }
    this.mask = mask;
    this.mean = mean == null ? null : mean.detach().clone().retainReference();
  }

  public LearnedMask mask() {
    return mask;
  }

  public long units() {
    return mask.size();
  }

  /** The activation with the mask's training values applied. */
  public Tensor apply(Tensor activation) {
    return apply(activation, mask.values());
  }

  /** The activation with explicit mask values {@code m} (shape {@code [units]}). */
  public Tensor apply(Tensor activation, Tensor m) {
    if (activation.size(-1) != m.size(0)) {
      throw new IllegalArgumentException("activation's last dimension " + activation.size(-1) + " does not match the " + m.size(0) + " mask units");
    }
    Tensor kept = activation.mul(m);
    return mean == null ? kept : kept.add(mean.mul(m.neg().add(new Scalar(1.0))));
  }

  public void release() {
    if (mean != null) mean.releaseReference();
  }
}
