package gradroute.routing;

import org.bytedeco.pytorch.Tensor;

/**
 * The three routing ops. {@link #NATIVE} is the libtorch core every model uses; {@link #REFERENCE}
 * computes the same values with the paper's formula {@code g*x + (1-g)*stop_grad(x)} and serves as
 * the oracle in tests and the baseline in benchmarks.
 *
 * <p>Semantics (see native/route_ops.h): forward values are {@code x} ({@code x*keep} for
 * {@link #routeAblate}); the gradient reaching {@code x} is {@code grad * gate} ({@code grad * keep *
 * gate}). Gates are never differentiated.
 */
public interface Router {
  Router NATIVE = new NativeRouter();
  Router REFERENCE = new ReferenceRouter();

  /** Forward: x itself (shared storage). Backward: grad * gate; gate broadcastable to x. */
  Tensor route(Tensor x, Tensor gate);

  /**
   * Per-position routing with a mask table: x is {@code [index.shape..., row.shape...]}, the gate at
   * position p is {@code scale * table[index[p]]}, or with a weight tensor (index's shape, values in
   * [0, 1]) {@code scale * ((1 - w) * table[index[p]] + w * table[last row])}.
   *
   * @param weight soft-mask weights, or null for hard indices
   */
  Tensor routeIndexed(Tensor x, Tensor table, Tensor index, Tensor weight, double scale);

  /** Routing and zero-ablation in one op: forward x * keep, backward grad * keep * gate. */
  Tensor routeAblate(Tensor x, Tensor gate, Tensor keep);

  static Router named(String name) {
    switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "native": return NATIVE;
      case "reference": return REFERENCE;
      default: throw new IllegalArgumentException("unknown router '" + name + "' (expected native or reference)");
    }
  }
}
