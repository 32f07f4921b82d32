package gradroute.model;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A batch of token sequences for next-token training, right-padded to a common length {@code L}.
 * The model reads {@code inputs = tokens[:, :-1]} and predicts {@code targets = tokens[:, 1:]};
 * position {@code t} counts towards the loss when both its input and its target are real tokens
 * ({@code t + 1 < length}). Because attention is causal and padding sits on the right, padding
 * never changes the logits of real positions.
 */
public final class TokenBatch {
  private final long[][] padded;
  private final int[] lengths;
  private final int width;
  private final long padId;

  /**
   * @param sequences each sequence's tokens (typically BOS + story), at least 2 each
   * @param maxLength longest sequence kept ({@code n_ctx + 1}); longer ones are truncated
   * @param padId the token written after each sequence's end
   */
  public TokenBatch(List<long[]> sequences, int maxLength, long padId) {
    if (sequences.isEmpty()) throw new IllegalArgumentException("a batch needs at least one sequence");
    if (maxLength < 2) throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
    int n = sequences.size();
    lengths = new int[n];
    int w = 0;
    for (int i = 0; i < n; i++) {
      long[] s = sequences.get(i);
      if (s.length < 2) {
        throw new IllegalArgumentException("sequence " + i + " has " + s.length + " tokens; next-token training needs at least 2");
      }
      lengths[i] = Math.min(s.length, maxLength);
      w = Math.max(w, lengths[i]);
    }
    width = w;
    this.padId = padId;
    padded = new long[n][];
    for (int i = 0; i < n; i++) {
      long[] row = new long[w];
      Arrays.fill(row, padId);
      System.arraycopy(sequences.get(i), 0, row, 0, lengths[i]);
      padded[i] = row;
    }
  }

  /** Sequences {@code from} (inclusive) to {@code to} (exclusive) as a batch of their own, padded to their longest. */
  public TokenBatch slice(int from, int to) {
    if (from < 0 || to > padded.length || from >= to) {
      throw new IllegalArgumentException("slice [" + from + ", " + to + ") of a batch of " + padded.length);
    }
    List<long[]> rows = new java.util.ArrayList<>(to - from);
    for (int i = from; i < to; i++) rows.add(Arrays.copyOf(padded[i], lengths[i]));
    return new TokenBatch(rows, Integer.MAX_VALUE, padId);
  }

  public int size() {
    return padded.length;
  }

  /** Number of model positions, {@code L - 1}. */
  public int positions() {
    return width - 1;
  }

  /** The padded sequences {@code [batch][L]} (copies), e.g. for a {@code SequenceRule}. */
  public long[][] sequences() {
    long[][] out = new long[padded.length][];
    for (int i = 0; i < padded.length; i++) out[i] = padded[i].clone();
    return out;
  }

  public int length(int i) {
    return lengths[i];
  }

  /** Number of positions that count towards the loss. */
  public long targetCount() {
    long n = 0;
    for (int len : lengths) n += len - 1;
    return n;
  }

  /** {@code [batch, L-1]} int64 inputs. */
  public Tensor inputs(Device device) {
    return slice(0, device);
  }

  /** {@code [batch, L-1]} int64 targets. */
  public Tensor targets(Device device) {
    return slice(1, device);
  }

  /** {@code [batch, L-1]} float: 1 where position t predicts a real token, else 0. */
  public Tensor validMask(Device device) {
    int p = positions();
    float[] m = new float[padded.length * p];
    for (int b = 0; b < padded.length; b++) for (int t = 0; t + 1 < lengths[b]; t++) m[b * p + t] = 1f;
    return onDevice(Tensor.create(m, padded.length, p), device, ScalarType.Float);
  }

  /** {@code [batch, L-1]} float: 1 where the input token at t is a real token ({@code t < length}), else 0. */
  public Tensor inputMask(Device device) {
    int p = positions();
    float[] m = new float[padded.length * p];
    for (int b = 0; b < padded.length; b++) for (int t = 0; t < Math.min(lengths[b], p); t++) m[b * p + t] = 1f;
    return onDevice(Tensor.create(m, padded.length, p), device, ScalarType.Float);
  }

  private Tensor slice(int offset, Device device) {
    int p = positions();
    long[] flat = new long[padded.length * p];
    for (int b = 0; b < padded.length; b++) System.arraycopy(padded[b], offset, flat, b * p, p);
    return onDevice(Tensor.create(flat, padded.length, p), device, ScalarType.Long);
  }

  static Tensor onDevice(Tensor t, Device device, ScalarType type) {
    return device == null || device.is_cpu() ? t : t.to(device, type);
  }
}
