package gradroute.masks;

import org.bytedeco.pytorch.Tensor;

/**
 * A trainable mask over some shape, values in [0,1]: 1 keeps an edge or unit, 0 ablates it. The
 * optimiser trains {@link #parameter()}; forward passes use {@link #values()} while training and
 * {@link #deterministic()} at evaluation, or a discretised copy ({@link MaskDiscretisation}).
 */
public interface LearnedMask extends AutoCloseable {
  /** The leaf tensor the optimiser trains (requires grad). */
  Tensor parameter();

  /** The mask's shape. */
  long[] shape();

  /** Number of entries (edges or units) the mask covers. */
  default long size() {
    long n = 1;
    for (long d : shape()) n *= d;
    return n;
  }

  /** Differentiable values in [0,1] for a training forward pass (a fresh sample for stochastic masks). */
  Tensor values();

  /** The values without sampling, in [0,1], for evaluation (no gradient). */
  Tensor deterministic();

  /**
   * A differentiable term that grows with what is removed (0 for an all-ones mask, up to about
   * {@link #size()}); a sparsity weight times it keeps the ablation small.
   */
  Tensor removalPenalty();

  /** Called after every optimiser step: brings the parameter back to its domain (clamping), if it has one. */
  void project();

  /**
   * Snaps the values to {0,1} at {@code threshold} in place, where the parameter is the value
   * ({@link ClampedMask}); stochastic masks ignore it (discretise their {@link #deterministic} values instead).
   */
  default void snap(double threshold) {}

  /** Frees the parameter's native memory. */
  @Override
  void close();
}
