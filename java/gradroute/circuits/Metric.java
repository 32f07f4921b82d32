package gradroute.circuits;

import org.bytedeco.pytorch.Tensor;

/**
 * A scalar function of a model's output (e.g. logit difference, answer log-prob, KL to the clean
 * output); differentiable, so that edge attribution can back-propagate it. {@link Metrics} makes
 * the usual ones.
 */
@FunctionalInterface
public interface Metric {
  /** The metric of {@code output} as a 0-dim tensor. */
  Tensor apply(Tensor output);
}
