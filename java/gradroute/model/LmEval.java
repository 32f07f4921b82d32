package gradroute.model;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;

/**
 * Validation loss as the TinyStories experiment measures it: stories in batches of {@code
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

  /**
   * Token-mean cross-entropy over the positions whose target token is selected ({@code
   * selected[tokenId]}), pooled over all batches; NaN when no position qualifies.
   */
  public double lossOnTargets(Gpt model, boolean[] selected) {
    return lossesOnTargets(model, selected)[0];
  }

  /** {@link #lossOnTargets} for several selections of target tokens, from one forward pass per batch. */
  public double[] lossesOnTargets(Gpt model, boolean[]... selections) {
    if (selections.length == 0) throw new IllegalArgumentException("lossesOnTargets needs at least one selection");
    int vocab = (int) model.config().vocab();
    float[] sel = new float[vocab * selections.length]; // [vocab, selections]: row v holds token v's memberships
    for (int k = 0; k < selections.length; k++) {
      for (int v = 0; v < Math.min(vocab, selections[k].length); v++) sel[v * selections.length + k] = selections[k][v] ? 1f : 0f;
    }
    double[] sum = new double[selections.length], count = new double[selections.length];
    for (TokenBatch b : batches) {
      try (PointerScope scope = new PointerScope(); org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
        org.bytedeco.pytorch.Device d = model.device();
        org.bytedeco.pytorch.Tensor targets = b.targets(d);
        org.bytedeco.pytorch.Tensor table = TokenBatch.onDevice(org.bytedeco.pytorch.Tensor.create(sel, vocab, selections.length), d,
            org.bytedeco.pytorch.global.torch.ScalarType.Float);
        org.bytedeco.pytorch.Tensor losses = LmLoss.tokenLosses(model.forward(b.inputs(d)), targets);
        org.bytedeco.pytorch.Tensor valid = b.validMask(d);
        org.bytedeco.pytorch.Tensor memberships = org.bytedeco.pytorch.global.torch.embedding(table, targets); // [B, T, selections]
        for (int k = 0; k < selections.length; k++) {
          org.bytedeco.pytorch.Tensor mask = memberships.select(2, k).mul(valid);
          sum[k] += losses.mul(mask).sum().item_double();
          count[k] += mask.sum().item_double();
        }
      }
    }
    double[] out = new double[selections.length];
    for (int k = 0; k < out.length; k++) out[k] = count[k] == 0 ? Double.NaN : sum[k] / count[k];
    return out;
  }

  /**
   * Token-mean cross-entropy over chosen positions, pooled over all batches: {@code targets.get(i)}
   * lists the target indices t of sequence i (t predicts token t + 1; out-of-range ones are
   * ignored). NaN when no position qualifies.
   */
  public double lossAtTargets(Gpt model, List<int[]> targets) {
    int total = 0;
    for (TokenBatch b : batches) total += b.size();
    if (targets.size() != total) {
      throw new IllegalArgumentException("target positions for " + targets.size() + " sequences, the set has " + total);
    }
    double sum = 0, count = 0;
    int first = 0;
    for (TokenBatch b : batches) {
      int p = b.positions();
      float[] m = new float[b.size() * p];
      boolean any = false;
      for (int i = 0; i < b.size(); i++) {
        for (int t : targets.get(first + i)) {
          if (t >= 0 && t < p && t + 1 < b.length(i)) {
            m[i * p + t] = 1f;
            any = true;
          }
        }
      }
      first += b.size();
      if (!any) continue;
      try (PointerScope scope = new PointerScope(); org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
        org.bytedeco.pytorch.Device d = model.device();
        org.bytedeco.pytorch.Tensor mask = TokenBatch.onDevice(org.bytedeco.pytorch.Tensor.create(m, b.size(), p), d,
            org.bytedeco.pytorch.global.torch.ScalarType.Float);
        org.bytedeco.pytorch.Tensor losses = LmLoss.tokenLosses(model.forward(b.inputs(d)), b.targets(d));
        sum += losses.mul(mask).sum().item_double();
        count += mask.sum().item_double();
      }
    }
    return count == 0 ? Double.NaN : sum / count;
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
