package gradroute.model;

import org.bytedeco.pytorch.Tensor;

/** Small models and inputs shared by the model tests. */
public final class TinyModels {
  private TinyModels() {}

  public static GptConfig config() {
    return GptConfig.of(2, 16, 2, 8, 32, 23, 12, false);
  }

  public static Tensor tokens(long seed, int batch, int len, int vocab) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    long[] t = new long[batch * len];
    for (int i = 0; i < t.length; i++) t[i] = r.nextInt(vocab);
    return Tensor.create(t, batch, len);
  }

  public static float maxAbsDiff(Tensor a, Tensor b) {
    return a.sub(b).abs().max().item_float();
  }
}
