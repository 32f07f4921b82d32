package gradroute.model;

import gradroute.runtime.TensorArrays;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** Greedy and sampled (temperature, top-k) text generation from a {@link Gpt}. */
public final class Generation {
  /**
   * How the next token is picked. {@code temperature == 0} is greedy (argmax; ties go to the
   * lowest id); otherwise logits are divided by the temperature and, with {@code topK > 0}, all but
   * the {@code topK} largest are dropped before sampling.
   */
  public record Sampling(double temperature, int topK) {
    public static final Sampling GREEDY = new Sampling(0, 0);

    public Sampling {
      if (!(temperature >= 0) || Double.isInfinite(temperature)) {
        throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
      }
      if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
    }

    public static Sampling of(double temperature, int topK) {
      return new Sampling(temperature, topK);
    }

    public boolean greedy() {
      return temperature == 0;
    }
  }

  private Generation() {}

  /**
   * Extends {@code prompt} by up to {@code maxNewTokens} tokens, stopping after {@code stopToken}
   * (pass -1 for none). The model sees at most its last {@code n_ctx} tokens. Deterministic in
   * {@code seed}.
   *
   * @return the new tokens only
   */
  public static long[] generate(Gpt model, long[] prompt, int maxNewTokens, Sampling sampling, long seed, long stopToken) {
    if (prompt.length == 0) throw new IllegalArgumentException("the prompt needs at least one token (e.g. BOS)");
    if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
    int vocab = model.config().vocab();
    for (long t : prompt) {
      if (t < 0 || t >= vocab) throw new IllegalArgumentException("prompt token " + t + " is outside the vocabulary of " + vocab);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    long[] seq = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
    int len = prompt.length;
    int ctx = model.config().nCtx();
    for (int i = 0; i < maxNewTokens; i++) {
      float[] logits;
      try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
        int from = Math.max(0, len - ctx);
        Tensor input = Tensor.create(Arrays.copyOfRange(seq, from, len), 1, len - from);
        Tensor out = model.forward(input);
        logits = TensorArrays.toFloats(out.select(0, 0).select(0, len - from - 1));
      }
      long next = pick(logits, sampling, rng);
      seq[len++] = next;
      if (next == stopToken) break;
    }
    return Arrays.copyOfRange(seq, prompt.length, len);
  }

  /** The next token from one position's logits. */
  static long pick(float[] logits, Sampling s, SplittableRandom rng) {
    if (s.greedy()) {
      int best = 0;
      for (int v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
      return best;
    }
    double[] z = new double[logits.length];
    for (int v = 0; v < z.length; v++) z[v] = logits[v] / s.temperature();
    if (s.topK() > 0 && s.topK() < z.length) {
      double[] sorted = z.clone();
      Arrays.sort(sorted);
      double cut = sorted[z.length - s.topK()];
      int kept = 0;
      for (int v = 0; v < z.length; v++) {
        if (z[v] >= cut && kept < s.topK()) kept++;
        else z[v] = Double.NEGATIVE_INFINITY;
      }
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double x : z) max = Math.max(max, x);
    double sum = 0;
    for (int v = 0; v < z.length; v++) {
      z[v] = Math.exp(z[v] - max);
      sum += z[v];
    }
    double u = rng.nextDouble() * sum;
    for (int v = 0; v < z.length; v++) {
      u -= z[v];
      if (u < 0) return v;
    }
    for (int v = z.length - 1; v >= 0; v--) if (z[v] > 0) return v;
    return 0;
  }
}
