package gradroute.masks;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The hard-concrete relaxation of a binary mask (Louizos, Welling and Kingma 2018), as subnetwork
 * probing uses it: a gate {@code z = clamp(s·(ζ − γ) + γ, 0, 1)} with {@code s = σ((log u − log(1 − u)
 * + log α) / β)}, {@code u ~ U(0, 1)}, puts finite probability on exactly 0 and exactly 1 and is
 * differentiable in {@code log α}, the trained parameter. {@code P(z > 0) = σ(log α − β·log(−γ/ζ))}
 * in closed form, so the expected L0 norm (gates open, {@link #expectedOpen}) and the expected number
 * of gates shut ({@link #removalPenalty}) are differentiable.
 */
public final class HardConcreteMask implements LearnedMask {
  /** The usual stretch and temperature: β = 2/3, γ = −0.1, ζ = 1.1. */
  public static final double BETA = 2.0 / 3.0, GAMMA = -0.1, ZETA = 1.1;

  private final Tensor logAlpha;
  private final long[] shape;
  private final double beta, gamma, zeta;

  /**
   * A mask of {@code shape} whose gates start open with probability {@code σ(initialLogAlpha − β·log(−γ/ζ))}
   * (e.g. 3 gives about 0.99), with the usual β, γ, ζ.
   */
  public HardConcreteMask(double initialLogAlpha, long... shape) {
    this(initialLogAlpha, BETA, GAMMA, ZETA, shape);
  }

  public HardConcreteMask(double initialLogAlpha, double beta, double gamma, double zeta, long... shape) {
    if (!(beta > 0) || !(gamma < 0) || !(zeta > 1)) {
      throw new IllegalArgumentException("hard concrete needs beta > 0, gamma < 0 and zeta > 1, got " + beta + ", " + gamma + ", " + zeta);
    }
    if (!Double.isFinite(initialLogAlpha)) throw new IllegalArgumentException("hard concrete: initial log alpha is " + initialLogAlpha);
    this.beta = beta;
    this.gamma = gamma;
    this.zeta = zeta;
    this.shape = shape.clone();
    this.logAlpha = torch.full(shape, new Scalar(initialLogAlpha)).requires_grad_(true).retainReference();
  }

  @Override
  public Tensor parameter() {
    return logAlpha;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** A fresh sample of the gates from torch's global generator, differentiable in log α. */
  @Override
  public Tensor values() {
    Tensor u = torch.rand(shape).clamp_min(new Scalar(1e-6)).clamp_max(new Scalar(1 - 1e-6));
    if (!logAlpha.device().is_cpu()) u = u.to(logAlpha.device(), torch.ScalarType.Float);
    Tensor noise = u.log().sub(u.neg().log1p());
    return stretch(noise.add(logAlpha).div(new Scalar(beta)).sigmoid());
  }

  /** The gates without noise: {@code clamp(σ(log α)·(ζ − γ) + γ, 0, 1)}. */
  @Override
  public Tensor deterministic() {
    try (NoGradGuard g = new NoGradGuard()) {
      return stretch(logAlpha.sigmoid());
    }
  }

  private Tensor stretch(Tensor s) {
    return s.mul(new Scalar(zeta - gamma)).add(new Scalar(gamma)).clamp_min(new Scalar(0.0)).clamp_max(new Scalar(1.0));
  }

  /** {@code P(z > 0)} per gate, differentiable in log α. */
  public Tensor openProbability() {
    return logAlpha.sub(new Scalar(beta * Math.log(-gamma / zeta))).sigmoid();
  }

  /** {@code P(z = 1)} per gate. */
  public Tensor fullyOpenProbability() {
    return logAlpha.sub(new Scalar(beta * Math.log((1 - gamma) / (zeta - 1)))).sigmoid();
  }

  /** The expected L0 norm, Σ P(z > 0): the penalty of subnetwork probing, which keeps few gates open. */
  public Tensor expectedOpen() {
    return openProbability().sum();
  }

  /** The expected number of gates shut, Σ P(z = 0): unlearning keeps it small. */
  @Override
  public Tensor removalPenalty() {
    return openProbability().neg().add(new Scalar(1.0)).sum();
  }

  /** Nothing to clamp: log α is unconstrained. */
  @Override
  public void project() {}

  @Override
  public void close() {
    logAlpha.releaseReference();
  }
}
