package gradroute.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Concept masking for words that tokenize into several tokens: every token covered by a full match
 * of a word's token sequence is a routed target, so the positions predicting those tokens get the
 * word's mask index. Partial matches route nothing. Later-listed words win where matches overlap.
 */
public final class ConceptRule implements SequenceRule {
  private record Word(long[] tokens, int mask) {}

  private final List<Word> words = new ArrayList<>();
  private final int noMaskIndex;

  public ConceptRule(int noMaskIndex) {
    this.noMaskIndex = noMaskIndex;
  }

  /** Adds one tokenization of a concept word (add each variant: "forest", " Forest", ...). */
  public ConceptRule add(long[] wordTokens, int maskIndex) {
    if (wordTokens.length == 0) throw new IllegalArgumentException("a concept word must have at least one token");
    words.add(new Word(wordTokens.clone(), maskIndex));
    return this;
  }

  @Override
  public long[] forSequence(long[] tokens) {
    long[] out = new long[tokens.length];
    Arrays.fill(out, noMaskIndex);
    for (Word w : words) {
      int k = w.tokens.length;
      for (int s = 0; s + k <= tokens.length; s++) {
        if (!Arrays.equals(tokens, s, s + k, w.tokens, 0, k)) continue;
        // tokens s..s+k-1 are predicted at positions s-1..s+k-2
        for (int p = Math.max(0, s - 1); p <= s + k - 2; p++) out[p] = w.mask;
      }
    }
    return out;
  }
}
