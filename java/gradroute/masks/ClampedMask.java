package gradroute.masks;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A mask whose parameter is its value, initialised to 1 and clamped to [0,1] after every step
 * (circuit breaking). The removal penalty is circuit breaking's {@code Σ √(1.01 − m)}, which is
 * steep near 1 so that an edge has to be worth removing, or mechanistic unlearning's L1 {@code Σ (1 − m)}.
 */
public final class ClampedMask implements LearnedMask {
  /** How removal is penalised. */
  public enum Penalty {
    /** {@code Σ √(1.01 − m)} minus its value at m = 1, as circuit breaking's MNIST script. */
    SQRT,
    /** {@code Σ (1 − m)}, the L1 norm of what is removed. */
    L1
  }

  private final Tensor parameter;
  private final long[] shape;
  private final Penalty penalty;

  /** An all-ones mask of {@code shape} (float32, CPU unless moved with {@link #to}). */
  public ClampedMask(Penalty penalty, long... shape) {
    this(penalty, torch.ones(shape));
  }

  private ClampedMask(Penalty penalty, Tensor initial) {
    if (penalty == null) throw new IllegalArgumentException("ClampedMask: penalty is null");
    this.penalty = penalty;
    this.shape = initial.shape();
    this.parameter = initial.detach().clone().requires_grad_(true).retainReference();
  }

  /** A mask with the given initial values (clamped to [0,1]). */
  public static ClampedMask of(Penalty penalty, Tensor initial) {
    try (NoGradGuard g = new NoGradGuard()) {
      return new ClampedMask(penalty, initial.to(torch.ScalarType.Float).clamp_min(new Scalar(0.0)).clamp_max(new Scalar(1.0)));
    }
  }

  /** A copy on {@code device}. */
  public ClampedMask to(org.bytedeco.pytorch.Device device) {
    try (NoGradGuard g = new NoGradGuard()) {
      return new ClampedMask(penalty, parameter.to(device, torch.ScalarType.Float));
    }
  }

  @Override
  public Tensor parameter() {
    return parameter;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public Tensor values() {
    return parameter;
  }

  @Override
  public Tensor deterministic() {
    return parameter.detach();
  }

  @Override
  public Tensor removalPenalty() {
    Tensor removed = parameter.neg().add(new Scalar(1.0));
    if (penalty == Penalty.L1) return removed.sum();
    // sqrt(0.01 + removed) - sqrt(0.01): 0 at m = 1, its gradient there finite (-5 per edge)
    return removed.add(new Scalar(0.01)).sqrt().sub(new Scalar(0.1)).sum();
  }

  @Override
  public void project() {
    try (NoGradGuard g = new NoGradGuard()) {
      parameter.clamp_min_(new Scalar(0.0)).clamp_max_(new Scalar(1.0));
    }
  }

  @Override
  public void snap(double threshold) {
    try (NoGradGuard g = new NoGradGuard()) {
      parameter.copy_(MaskDiscretisation.threshold(parameter, threshold));
    }
  }

  @Override
  public void close() {
    parameter.releaseReference();
  }
}
