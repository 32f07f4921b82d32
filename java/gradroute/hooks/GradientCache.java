package gradroute.hooks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Gradients at named hook points (the backward counterpart of {@link ActivationCache}). While open,
 * each forward pass adds a zero leaf tensor to the activation at every chosen point; after {@code
 * backward()} the leaf's gradient is the gradient of the loss with respect to that activation. The
 * forward values are unchanged and no native callback is registered, so any number of points may
 * be captured. A new forward pass replaces the previous pass's leaves.
 */
public final class GradientCache implements AutoCloseable {
  private final Map<String, Tensor> leaves = new LinkedHashMap<>();
  private final List<HookHandle> handles = new ArrayList<>();

  private GradientCache(Hooks hooks, Collection<String> points) {
    for (String p : points) hooks.requirePoint(p);
    for (String p : points) {
      handles.add(hooks.add(p, x -> {
        Tensor leaf = torch.zeros_like(x).requires_grad_(true).retainReference();
        Tensor old = leaves.put(p, leaf);
        if (old != null) old.releaseReference();
        return x.add(leaf);
      }));
    }
  }

  /** Captures gradients at the named points of {@code model}. */
  public static GradientCache record(HookedModel model, Collection<String> points) {
    if (points == null || points.isEmpty()) throw new IllegalArgumentException("no hook points to capture gradients at");
    return new GradientCache(model.hooks(), points);
  }

  /**
   * The gradient of the last backward pass at {@code point} (shape of the activation).
   *
   * @throws IllegalStateException naming the point when no forward or backward pass reached it
   */
  public Tensor grad(String point) {
    Tensor leaf = leaves.get(point);
    if (leaf == null) throw new IllegalStateException("no activation captured at '" + point + "' (not recorded, or no forward pass yet)");
    Tensor g = leaf.grad();
    if (!g.defined()) throw new IllegalStateException("no gradient at '" + point + "' (no backward pass yet, or the loss does not depend on it)");
    return g;
  }

  /** Detaches the hooks and frees the leaves. */
  @Override
  public void close() {
    for (HookHandle h : handles) h.remove();
    handles.clear();
    for (Tensor t : leaves.values()) t.releaseReference();
    leaves.clear();
  }
}
