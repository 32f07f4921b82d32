package gradroute.model;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * Linear layers whose matrix products use all of libtorch's intra-op threads while BLAS runs one
 * thread ({@code native/linear_ops.h}): each product of the forward and backward pass is split
 * into row blocks, one per thread. With one intra-op thread (every job of
 * {@link gradroute.runtime.SideBySide}), or a product too small to gain (under 2<sup>22</sup>
 * multiply-adds when idle pool threads spin first, as the launcher sets; 2<sup>24</sup> when they
 * sleep at once), they are
 * libtorch's own ops, bit for bit; split, they equal them up to float rounding, and the rounding
 * then depends on the thread count.
 */
public final class Linear {
  private Linear() {}

  /** {@code x @ weight + bias} over x's last dimension, {@code weight [in, out]}; {@code bias} may be null. */
  public static Tensor inOut(Tensor x, Tensor weight, Tensor bias) {
    return NativeLinear.linear(x, weight, bias == null ? new Tensor() : bias, false);
  }

  /** {@code x @ weight^T + bias} over x's last dimension, {@code weight [out, in]}; {@code bias} may be null. */
  public static Tensor outIn(Tensor x, Tensor weight, Tensor bias) {
    return NativeLinear.linear(x, weight, bias == null ? new Tensor() : bias, true);
  }

  /** The layer applied to {@code x}: {@code x @ weight^T + bias} with the layer's own parameters. */
  public static Tensor of(LinearImpl layer, Tensor x) {
    return NativeLinear.linear(x, layer.weight(), layer.bias(), true);
  }

  /** Whether an input of {@code rows} rows through an {@code in × out} weight is split now (on this thread's settings). */
  public static boolean splits(long rows, long in, long out) {
    return NativeLinear.linear_splits(rows, in, out);
  }
}
