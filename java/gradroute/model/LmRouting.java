package gradroute.model;

import org.bytedeco.pytorch.Tensor;

/**
 * What routes the gradient of a language model's training batches: {@link #set} before a batch's
 * forward pass, {@link #penalty} after it, {@link #clear} once its loss is built (the routing ops
 * keep what the backward pass reads). Without a batch set, the model runs unrouted (evaluation).
 *
 * <p>{@link LmTrainer} drives it for every micro-batch; ERA ({@code era.EraRouting}), neuron
 * routing ({@code unlearn.NeuronRouting}) and per-token routing at hook points ({@link
 * TokenRouting}) implement it.
 */
public interface LmRouting {
  /**
   * Routes the next forward pass.
   *
   * @param routed per-sequence labels (e.g. forget stories), or null when the data has none
   */
  void set(TokenBatch batch, boolean[] routed);

  /** The extra loss term of the forward pass just run (taken once), or null when there is none. */
  default Tensor penalty() {
    return null;
  }

  /** Drops the batch: later forward passes run unrouted. */
  void clear();
}
