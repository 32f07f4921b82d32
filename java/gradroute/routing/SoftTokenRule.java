package gradroute.routing;

import org.bytedeco.pytorch.Tensor;

/**
 * Soft token masking: the predicted token's weight in [0, 1] (0 = fully routed to the target row,
 * 1 = no masking) feeds the {@code weight} argument of {@link Router#routeIndexed}. The last
 * position predicts nothing and gets weight 1.
 */
public final class SoftTokenRule {
  private final float[] weightOfToken;

  public SoftTokenRule(float[] weightOfToken) {
    for (int v = 0; v < weightOfToken.length; v++) {
      float w = weightOfToken[v];
      if (!(w >= 0f && w <= 1f)) throw new IllegalArgumentException("weight of token " + v + " is " + w + ", outside [0, 1]");
    }
    this.weightOfToken = weightOfToken.clone();
  }

  public float[] forSequence(long[] tokens) {
    float[] out = new float[tokens.length];
    for (int t = 0; t + 1 < tokens.length; t++) {
      long next = tokens[t + 1];
      if (next < 0 || next >= weightOfToken.length) {
        throw new IllegalArgumentException("token id " + next + " at position " + (t + 1) + " is outside the vocabulary of " + weightOfToken.length);
      }
      out[t] = weightOfToken[(int) next];
    }
    if (tokens.length > 0) out[tokens.length - 1] = 1f;
    return out;
  }

  /** {@code [batch, positions]} float weights, the first {@code positions} entries per sequence. */
  public Tensor weightTensor(long[][] sequences, int positions) {
    float[] flat = new float[sequences.length * positions];
    for (int b = 0; b < sequences.length; b++) System.arraycopy(forSequence(sequences[b]), 0, flat, b * positions, positions);
    return Tensor.create(flat, sequences.length, positions);
  }
}
