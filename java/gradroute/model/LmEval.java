package gradroute.model;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;

/**
 * Validation loss as the TinyStories spec measures it (§5): stories in batches of {@code
 * batchSize}, token-mean cross-entropy per batch, then the unweighted mean of the batch means.
 */
public final class LmEval {
  private final List<TokenBatch> batches = new ArrayList<>();

  /**
   * @param sequences token sequences (BOS + story), each at least 2 tokens
   * @param maxLength longest sequence kept ({@code n_ctx + 1})
   */
  public LmEval(List<long[]> sequences, int batchSize, int maxLength, long padId) {
    if (sequences.isEmpty()) throw new IllegalArgumentException("an evaluation set needs at least one sequence");
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    for (int i = 0; i < sequences.size(); i += batchSize) {
      batches.add(new TokenBatch(sequences.subList(i, Math.min(sequences.size(), i + batchSize)), maxLength, padId));
    }
  }

  public int batchCount() {
    return batches.size();
  }

  /** The mean of per-batch mean losses, without gradients. */
  public double loss(Gpt model) {
    double sum = 0;
    for (TokenBatch b : batches) {
      try (PointerScope scope = new PointerScope()) {
        sum += LmLoss.evaluate(model, b);
      }
    }
    return sum / batches.size();
  }
}
