package gradroute.routing;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Per-example masking: each example's label picks its mask row (MNIST: digits 0–4 → A, 5–9 → B). */
public final class ExampleRule {
  private final int[] maskOfLabel;
  private final int defaultIndex;

  /** @param labelToMask mask index per label; labels not listed get {@code defaultIndex} */
  public ExampleRule(Map<Integer, Integer> labelToMask, int defaultIndex) {
    int max = labelToMask.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
    this.maskOfLabel = new int[max + 1];
    java.util.Arrays.fill(maskOfLabel, defaultIndex);
    labelToMask.forEach((label, mask) -> {
      if (label < 0) throw new IllegalArgumentException("negative label " + label);
      maskOfLabel[label] = mask;
    });
    this.defaultIndex = defaultIndex;
  }

  /** Labels {@code < threshold} → {@code below}, the rest → {@code atOrAbove}. */
  public static ExampleRule split(int threshold, int numLabels, int below, int atOrAbove) {
    Map<Integer, Integer> m = new java.util.HashMap<>();
    for (int l = 0; l < numLabels; l++) m.put(l, l < threshold ? below : atOrAbove);
    return new ExampleRule(m, atOrAbove);
  }

  public long[] indices(int[] labels) {
    long[] out = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      int l = labels[i];
      out[i] = l >= 0 && l < maskOfLabel.length ? maskOfLabel[l] : defaultIndex;
    }
    return out;
  }

  public Tensor indexTensor(int[] labels) {
    return Tensor.create(indices(labels), labels.length);
  }
}
