package gradroute.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which tokens belong to a topic, scored as the gradient-routing paper picks its routed tokens:
 * over a forget corpus F, a topic corpus W and a retain corpus R, each
 * token's frequencies f_F, f_W, f_R (count / corpus length) give
 *
 * <pre>  s(v) = min(f_F(v), f_W(v)) / f_R(v)</pre>
 *
 * for every token seen in F, with f_W = 0 where W lacks the token and f_R = {@code retainDefault}
 * (0.1 in the paper, far above any real frequency, so that tokens R lacks drop to the bottom) where
 * R lacks it.
 */
public final class TokenScores {
  /** The paper's f_R for tokens the retain corpus lacks. */
  public static final double RETAIN_DEFAULT = 0.1;

  /** One scored token. */
  public record Score(int id, double score, double forgetFrequency, double topicFrequency, double retainFrequency) {}

  private TokenScores() {}

  /** Every token seen in {@code forget}, highest score first (ties by id); frequencies over {@code vocab} ids. */
  public static List<Score> score(int[] forget, int[] topic, int[] retain, int vocab, double retainDefault) {
    if (forget.length == 0) throw new IllegalArgumentException("the forget corpus has no tokens");
    if (topic.length == 0) throw new IllegalArgumentException("the topic corpus has no tokens");
    if (retain.length == 0) throw new IllegalArgumentException("the retain corpus has no tokens");
    if (!(retainDefault > 0)) throw new IllegalArgumentException("retainDefault must be > 0, got " + retainDefault);
    long[] f = counts(forget, vocab, "forget"), w = counts(topic, vocab, "topic"), r = counts(retain, vocab, "retain");
    List<Score> out = new ArrayList<>();
    for (int v = 0; v < vocab; v++) {
      if (f[v] == 0) continue;
      double ff = (double) f[v] / forget.length, fw = (double) w[v] / topic.length;
      double fr = r[v] == 0 ? retainDefault : (double) r[v] / retain.length;
      out.add(new Score(v, Math.min(ff, fw) / fr, ff, fw, r[v] == 0 ? 0 : fr));
    }
    out.sort(Comparator.comparingDouble(Score::score).reversed().thenComparingInt(Score::id));
    return out;
  }

  private static long[] counts(int[] ids, int vocab, String corpus) {
    long[] c = new long[vocab];
    for (int i = 0; i < ids.length; i++) {
      int t = ids[i];
      if (t < 0 || t >= vocab) throw new IllegalArgumentException(corpus + " corpus: token " + t + " at " + i + " is outside the vocabulary of " + vocab);
      c[t]++;
    }
    return c;
  }

  /**
   * The token id of each word, which must encode to exactly one token (the routed list's rule);
   * otherwise an error naming the word and its pieces.
   */
  public static int[] singleTokenIds(BpeTokenizer tokenizer, List<String> words) {
    int[] ids = new int[words.size()];
    for (int i = 0; i < ids.length; i++) {
      String w = words.get(i);
      if (w == null || w.isEmpty()) throw new IllegalArgumentException("routed word " + i + " is empty");
      int[] pieces = tokenizer.encodeOrdinary(w);
      if (pieces.length != 1) {
        List<String> texts = new ArrayList<>();
        for (int p : pieces) texts.add("'" + tokenizer.tokenText(p) + "'");
        throw new IllegalArgumentException("routed word '" + w + "' is " + pieces.length + " tokens " + texts
            + ", not one; routed words must be single tokens (with or without the leading space)");
      }
      ids[i] = pieces[0];
    }
    return ids;
  }
}
