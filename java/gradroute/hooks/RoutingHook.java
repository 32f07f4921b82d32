package gradroute.hooks;

import gradroute.routing.MaskTable;
import gradroute.routing.Router;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-position gradient routing at a hook point through the native core's {@link
 * Router#routeIndexed}: the activation {@code [batch, pos, d...]} keeps its forward value and its
 * gradient at position {@code p} is scaled by {@code scale * table[index[p]]}, or with soft weights
 * {@code scale * ((1 - w[p]) * table[index[p]] + w[p] * table[last])}.
 *
 * <p>The table is fixed; the batch's indices and weights are set before each forward with {@link
 * #set}. Without indices the hook passes the activation through unchanged (evaluation).
 */
public final class RoutingHook implements UnaryOperator<Tensor> {
  private final Router router;
  private final MaskTable maskTable;
  private final Tensor table;
  private final long[] rowShape;
  private double scale = 1.0;
  private Tensor index;
  private Tensor weight;

  public RoutingHook(MaskTable table, Device device) {
    this(Router.NATIVE, table, device);
  }

  public RoutingHook(Router router, MaskTable table, Device device) {
    this.router = router;
    this.maskTable = table;
    this.table = table.tensor(device).retainReference();
    this.rowShape = table.rowShape();
  }

  public MaskTable table() {
    return maskTable;
  }

  /**
   * The mask indices {@code [batch, pos]} (int64) and optional soft weights (float, same shape, or
   * null) of the next forward pass. They must live until the backward pass has run.
   */
  public RoutingHook set(Tensor index, Tensor weight) {
    this.index = index;
    this.weight = weight;
    return this;
  }

  /** The global mask weight (e.g. annealed from 0 to 1). */
  public RoutingHook scale(double scale) {
    this.scale = scale;
    return this;
  }

  /** Forgets the batch's indices: the hook becomes a no-op until the next {@link #set}. */
  public void clear() {
    index = null;
    weight = null;
  }

  @Override
  public Tensor apply(Tensor x) {
    if (index == null) return x;
    long trailing = x.dim() - index.dim();
    if (trailing != rowShape.length) {
      throw new IllegalArgumentException("routing table rows have " + rowShape.length + " dims but the activation "
          + java.util.Arrays.toString(x.shape()) + " has " + trailing + " dims after the index's "
          + java.util.Arrays.toString(index.shape()));
    }
    for (int i = 0; i < index.dim(); i++) {
      if (index.size(i) != x.size(i)) {
        throw new IllegalArgumentException("routing index " + java.util.Arrays.toString(index.shape())
            + " does not match the activation " + java.util.Arrays.toString(x.shape()));
      }
    }
    // a masking rule builds its indices on the CPU; the native op wants them on the activation's device
    org.bytedeco.pytorch.Device device = x.device();
    Tensor onDevice = index.device().equals(device) ? index : index.to(device, org.bytedeco.pytorch.global.torch.ScalarType.Long);
    Tensor w = weight == null || weight.device().equals(device) ? weight : weight.to(device, weight.scalar_type());
    return router.routeIndexed(x, table, onDevice, w, scale);
  }

  /** Frees the table. */
  public void release() {
    table.releaseReference();
  }
}
