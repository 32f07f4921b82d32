package gradroute.masks;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Turns mask values into a hard {0,1} mask of the same shape (float32), and counts what it removes. */
public final class MaskDiscretisation {
  private MaskDiscretisation() {}

  /** 1 where {@code values >= threshold}, else 0 (circuit breaking snaps at 0.5). */
  public static Tensor threshold(Tensor values, double threshold) {
    if (!Double.isFinite(threshold)) throw new IllegalArgumentException("mask threshold must be finite, got " + threshold);
    try (NoGradGuard g = new NoGradGuard()) {
      return values.detach().ge(new Scalar(threshold)).to(torch.ScalarType.Float);
    }
  }

  /**
   * Ablates exactly the {@code k} entries with the smallest values (ties go to the lower flat index),
   * keeping the rest.
   */
  public static Tensor topK(Tensor values, long k) {
    long n = values.numel();
    if (k < 0 || k > n) throw new IllegalArgumentException("top-k: k must be in 0.." + n + ", got " + k);
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor flat = values.detach().reshape(-1).to(torch.ScalarType.Double);
      // a stable order: value, then index, so that equal values never make the count differ from k
      Tensor order = torch.argsort(flat, true, 0, false);
      Tensor hard = torch.ones(n);
      if (k > 0) hard.index_fill_(0, order.narrow(0, 0, k), new Scalar(0.0));
      return hard.reshape(values.shape());
    }
  }

  /** A mask of {@code shape} with exactly {@code k} entries ablated, chosen uniformly at random from {@code seed}. */
  public static Tensor random(long[] shape, long k, long seed) {
    long n = 1;
    for (long d : shape) n *= d;
    if (k < 0 || k > n) throw new IllegalArgumentException("random mask: k must be in 0.." + n + ", got " + k);
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    long[] idx = new long[(int) n];
    for (int i = 0; i < n; i++) idx[i] = i;
    for (int i = 0; i < k; i++) {
      int j = i + rng.nextInt((int) (n - i));
      long t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    float[] hard = new float[(int) n];
    java.util.Arrays.fill(hard, 1f);
    for (int i = 0; i < k; i++) hard[(int) idx[i]] = 0f;
    return Tensor.create(hard, shape);
  }

  /** Number of entries a hard mask ablates (its zeros). */
  public static long removed(Tensor hard) {
    try (NoGradGuard g = new NoGradGuard()) {
      return hard.numel() - hard.count_nonzero().item_long();
    }
  }
}
