package gradroute.routing;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Per-example masking: each example's label picks its mask row (MNIST: digits 0–4 → A, 5–9 → B). */
public final class ExampleRule {
  private static final int NO_DEFAULT = -1;

  private final int[] maskOfLabel;
  private final int defaultIndex;

  /**
   * @param labelToMask mask index per label (labels are >= 0)
   * @param defaultIndex mask index of labels not listed, or -1: a label not listed is an error
   */
  public ExampleRule(Map<Integer, Integer> labelToMask, int defaultIndex) {
    int max = labelToMask.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
    this.maskOfLabel = new int[max + 1];
    java.util.Arrays.fill(maskOfLabel, NO_DEFAULT);
    labelToMask.forEach((label, mask) -> {
      if (label < 0) throw new IllegalArgumentException("negative label " + label);
      if (mask < 0) throw new IllegalArgumentException("negative mask index " + mask + " for label " + label);
      maskOfLabel[label] = mask;
    });
    if (defaultIndex < NO_DEFAULT) throw new IllegalArgumentException("default mask index must be >= 0 or -1, got " + defaultIndex);
    this.defaultIndex = defaultIndex;
  }

  /** Labels {@code 0 .. threshold-1} → {@code below}, {@code threshold .. numLabels-1} → {@code atOrAbove}; others are errors. */
  public static ExampleRule split(int threshold, int numLabels, int below, int atOrAbove) {
    if (numLabels < 1) throw new IllegalArgumentException("numLabels must be >= 1, got " + numLabels);
    Map<Integer, Integer> m = new java.util.HashMap<>();
    for (int l = 0; l < numLabels; l++) m.put(l, l < threshold ? below : atOrAbove);
    return new ExampleRule(m, NO_DEFAULT);
  }

  /**
   * @throws IllegalArgumentException naming the label and its position when a label is negative,
   *     or not one of the rule's labels and the rule has no default
   */
  public long[] indices(int[] labels) {
    long[] out = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      int l = labels[i];
      int mask = l >= 0 && l < maskOfLabel.length ? maskOfLabel[l] : NO_DEFAULT;
      if (mask == NO_DEFAULT && l >= 0) mask = defaultIndex;
      if (mask == NO_DEFAULT) {
        throw new IllegalArgumentException("label " + l + " at position " + i + " is not one of this rule's labels "
            + (defaultIndex == NO_DEFAULT ? "(0.." + (maskOfLabel.length - 1) + ")" : "(labels are >= 0)"));
      }
      out[i] = mask;
    }
    return out;
  }

  public Tensor indexTensor(int[] labels) {
    return Tensor.create(indices(labels), labels.length);
  }
}
