package gradroute.routing;

import java.util.Map;

/** Token masking: the predicted token's id picks the mask row; unlisted tokens get no masking. */
public final class TokenRule implements SequenceRule {
  private final Map<Long, Integer> maskOfToken;
  private final int noMaskIndex;

  public TokenRule(Map<Long, Integer> maskOfToken, int noMaskIndex) {
    this.maskOfToken = Map.copyOf(maskOfToken);
    this.noMaskIndex = noMaskIndex;
  }

  @Override
  public long[] forSequence(long[] tokens) {
    long[] out = new long[tokens.length];
    for (int t = 0; t + 1 < tokens.length; t++) out[t] = maskOfToken.getOrDefault(tokens[t + 1], noMaskIndex);
    if (tokens.length > 0) out[tokens.length - 1] = noMaskIndex;
    return out;
  }
}
