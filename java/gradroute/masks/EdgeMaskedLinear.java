package gradroute.masks;

import gradroute.model.Linear;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A linear layer with one mask entry per edge (per weight {@code W[j, i]}, input i to output j).
 * Output j receives {@code Σ_i W[j,i]·(m[j,i]·x_i + (1 − m[j,i])·μ_i) + b_j}: an ablated edge carries
 * the mean input μ_i (or 0 without a mean, which makes it a plain weight mask). The layer's own
 * weights are read, not trained: gradient reaches the mask only.
 *
 * <p>With every mask entry 1 the output equals the layer's, bit for bit; with every entry 0 it is
 * the layer applied to the mean input, whatever the input.
 */
public final class EdgeMaskedLinear {
  private final LinearImpl layer;
  private final LearnedMask mask;
  private final Tensor mean;

  /**
   * @param mean the mean input per input unit, shape {@code [in]}, or null to ablate to 0
   */
  public EdgeMaskedLinear(LinearImpl layer, LearnedMask mask, Tensor mean) {
    long out = layer.weight().size(0), in = layer.weight().size(1);
    long[] s = mask.shape();
    if (s.length != 2 || s[0] != out || s[1] != in) {
      throw new IllegalArgumentException("edge mask shape " + java.util.Arrays.toString(s) + " does not match the layer's weight [" + out + ", " + in + "]");
    }
    if (mean != null && (mean.dim() != 1 || mean.size(0) != in)) {
      throw new IllegalArgumentException("mean input must have shape [" + in + "], got " + java.util.Arrays.toString(mean.shape()));
    }
    this.layer = layer;
    this.mask = mask;
    this.mean = mean == null ? null : mean.detach().clone().retainReference();
  }

  public LearnedMask mask() {
    return mask;
  }

  /** Number of edges (weights) the mask covers. */
  public long edges() {
    return mask.size();
  }

  /** The forward pass with the mask's training values. */
  public Tensor forward(Tensor x) {
    return forward(x, mask.values());
  }

  /** The forward pass with explicit mask values {@code m} (e.g. a discretised mask), shape {@code [out, in]}. */
  public Tensor forward(Tensor x, Tensor m) {
    Tensor w = layer.weight().detach();
    Tensor bias = layer.bias() == null || !layer.bias().defined() ? null : layer.bias().detach();
    if (mean != null) {
      Tensor meanOut = torch.mv(w.mul(m.neg().add(new Scalar(1.0))), mean);
      bias = bias == null ? meanOut : bias.add(meanOut);
    }
    return Linear.outIn(x, w.mul(m), bias);
  }

  /** Frees the kept mean (the mask and layer belong to the caller). */
  public void release() {
    if (mean != null) mean.releaseReference();
  }
}
