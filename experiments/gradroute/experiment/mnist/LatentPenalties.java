package gradroute.experiment.mnist;

import static gradroute.runtime.Ops.meanOver;
import static gradroute.runtime.Ops.sumOver;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** The MNIST experiment's latent regularisers: L1 per half and the correlation penalty between the halves. */
public final class LatentPenalties {
  /** Added to each dim's standard deviation; the official code has none and divides by zero. */
  public static final double STD_EPS = 1e-8;

  private LatentPenalties() {}

  /** Σ_j mean_i |z_ij| over the dims [from, from + count). */
  public static Tensor l1(Tensor z, long from, long count) {
    return meanOver(z.narrow(1, from, count).abs(), false, 0).sum();
  }

  /**
   * Mean absolute correlation between the halves: standardise each dim over the batch (unbiased
   * std), form Cor = ẑ_Aᵀ ẑ_B / N and average |Cor|. Equals (N−1)/N times the mean |Pearson r|.
   */
  public static Tensor correlation(Tensor z) {
    long n = z.size(0);
    long half = z.size(1) / 2;
    Tensor centred = z.sub(meanOver(z, true, 0));
    Tensor variance = sumOver(centred.pow(new Scalar(2)), true, 0).div(new Scalar((double) Math.max(1, n - 1)));
    Tensor standardised = centred.div(variance.sqrt().add(new Scalar(STD_EPS)));
    Tensor a = standardised.narrow(1, 0, half);
    Tensor b = standardised.narrow(1, half, half);
    return a.t().matmul(b).div(new Scalar((double) n)).abs().mean();
  }

}
