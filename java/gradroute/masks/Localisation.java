package gradroute.masks;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import gradroute.runtime.TensorArrays;

/**
 * Which units (or edges) a localisation method picked out of {@code total}, e.g. the top-k units by an
 * attribution score, or a learned mask's ablated entries; {@link #against} scores the pick against a
 * region (the units gradient routing sent the forget data to).
 *
 * @param method what picked them, for reports
 * @param picked the picked indices, ascending
 */
public record Localisation(String method, int[] picked, int total) {
  /** How a pick overlaps a region: precision |picked ∩ region| / |picked|, recall |picked ∩ region| / |region|. */
  public record Overlap(int picked, int region, int both, double precision, double recall) {}

  public Localisation {
    picked = picked.clone();
    Arrays.sort(picked);
    for (int i = 0; i < picked.length; i++) {
      if (picked[i] < 0 || picked[i] >= total) throw new IllegalArgumentException(method + ": picked index " + picked[i] + " is outside 0.." + (total - 1));
      if (i > 0 && picked[i] == picked[i - 1]) throw new IllegalArgumentException(method + ": index " + picked[i] + " is picked twice");
    }
  }

  @Override
  public int[] picked() {
    return picked.clone();
  }

  /** The {@code k} indices with the largest scores (ties to the lower index). */
  public static Localisation topK(String method, double[] scores, int k) {
    if (k < 0 || k > scores.length) throw new IllegalArgumentException(method + ": k must be in 0.." + scores.length + ", got " + k);
    int[] order = IntStream.range(0, scores.length).boxed()
        .sorted((a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : Integer.compare(a, b))
        .mapToInt(Integer::intValue).toArray();
    return new Localisation(method, Arrays.copyOf(order, k), scores.length);
  }

  /** The entries a hard mask ablates (its zeros), flattened. */
  public static Localisation ablatedBy(String method, Tensor hard) {
    float[] v = TensorArrays.toFloats(hard.detach().reshape(-1));
    return new Localisation(method, IntStream.range(0, v.length).filter(i -> v[i] == 0f).toArray(), v.length);
  }

  /**
   * Attribution scores per unit of the last dimension: mean over all other dimensions of
   * {@code |a·∂L/∂a|} (attribution patching against a zero activation).
   */
  public static double[] attributionScores(Tensor activation, Tensor gradient) {
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor s = activation.mul(gradient).abs().reshape(-1, activation.size(-1)).mean(new long[] {0}, false, null);
      return TensorArrays.toDoubles(s.to(org.bytedeco.pytorch.global.torch.ScalarType.Double));
    }
  }

  /** The overlap of this pick with {@code region} (indices in 0..total-1). */
  public Overlap against(int[] region) {
    boolean[] in = new boolean[total];
    int regionSize = 0;
    for (int r : region) {
      if (r < 0 || r >= total) throw new IllegalArgumentException("region index " + r + " is outside 0.." + (total - 1));
      if (!in[r]) regionSize++;
      in[r] = true;
    }
    int both = 0;
    for (int p : picked) if (in[p]) both++;
    return new Overlap(picked.length, regionSize, both, picked.length == 0 ? Double.NaN : (double) both / picked.length,
        regionSize == 0 ? Double.NaN : (double) both / regionSize);
  }
}
