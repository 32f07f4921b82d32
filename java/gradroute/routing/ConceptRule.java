package gradroute.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Concept masking for words that tokenize into several tokens: every token covered by a full match
 * of a word's token sequence is a routed target, so the positions predicting those tokens get the
 * word's mask index. Partial matches route nothing. Matches do not overlap: a longer token sequence
 * wins, then the one added first. {@code gradroute.text.ConceptMatcher} builds one from words.
 */
public final class ConceptRule implements SequenceRule {
  private record Word(long[] tokens, int mask, int order) {}

  private final List<Word> words = new ArrayList<>();
  private final int noMaskIndex;

  public ConceptRule(int noMaskIndex) {
    this.noMaskIndex = noMaskIndex;
  }

  /** Adds one tokenization of a concept word (add each variant: "forest", " Forest", ...). */
  public ConceptRule add(long[] wordTokens, int maskIndex) {
    if (wordTokens.length == 0) throw new IllegalArgumentException("a concept word must have at least one token");
    words.add(new Word(wordTokens.clone(), maskIndex, words.size()));
    words.sort(Comparator.comparingInt((Word w) -> -w.tokens.length).thenComparingInt(Word::order));
    return this;
  }

  public int noMaskIndex() {
    return noMaskIndex;
  }

  /** The mask index of each token position itself (not shifted): the match covering it, or no-mask. */
  public long[] covered(long[] tokens) {
    long[] out = new long[tokens.length];
    Arrays.fill(out, noMaskIndex);
    boolean[] taken = new boolean[tokens.length];
    for (Word w : words) {
      int k = w.tokens.length;
      for (int s = 0; s + k <= tokens.length; s++) {
        if (!Arrays.equals(tokens, s, s + k, w.tokens, 0, k) || anyTaken(taken, s, k)) continue;
        Arrays.fill(out, s, s + k, w.mask);
        Arrays.fill(taken, s, s + k, true);
      }
    }
    return out;
  }

  @Override
  public long[] forSequence(long[] tokens) {
    long[] covered = covered(tokens);
    long[] out = new long[tokens.length];
    // position t predicts token t+1; the last position predicts nothing
    for (int t = 0; t + 1 < tokens.length; t++) out[t] = covered[t + 1];
    if (tokens.length > 0) out[tokens.length - 1] = noMaskIndex;
    return out;
  }

  private static boolean anyTaken(boolean[] taken, int from, int length) {
    for (int i = from; i < from + length; i++) if (taken[i]) return true;
    return false;
  }
}
