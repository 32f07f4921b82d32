package gradroute.routing;

import org.bytedeco.pytorch.Tensor;

/**
 * A masking rule over token sequences. Entry {@code t} of {@link #forSequence} is the mask index of
 * input position {@code t}, decided by the token it predicts, {@code tokens[t + 1]}; the last
 * position predicts nothing and gets the no-mask index. A model fed {@code tokens[:, :-1]} uses the
 * first {@code L - 1} entries ({@link #indexTensor}).
 */
public interface SequenceRule {
  long[] forSequence(long[] tokens);

  /** {@code [batch, positions]} int64 indices: the first {@code positions} entries per sequence. */
  default Tensor indexTensor(long[][] sequences, int positions) {
    long[] flat = new long[sequences.length * positions];
    for (int b = 0; b < sequences.length; b++) {
      long[] row = forSequence(sequences[b]);
      if (row.length < positions) {
        throw new IllegalArgumentException(
            "sequence " + b + " has " + row.length + " tokens, fewer than the " + positions + " positions asked for");
      }
      System.arraycopy(row, 0, flat, b * positions, positions);
    }
    return Tensor.create(flat, sequences.length, positions);
  }
}
