package gradroute.hooks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Run with cache (TransformerLens's {@code run_with_cache}): while open, every forward pass stores a
 * detached copy of the activation at each chosen point, replacing the previous pass's. Copies are
 * retained (they outlive the forward pass's {@code PointerScope}) until the next pass or {@link
 * #close()}; the model's outputs are unchanged.
 *
 * <pre>{@code
 * try (ActivationCache cache = ActivationCache.record(gpt, List.of("blocks.1.hook_resid_post"))) {
 *   gpt.forward(tokens);
 *   Tensor resid = cache.get("blocks.1.hook_resid_post");
 * }
 * }</pre>
 */
public final class ActivationCache implements AutoCloseable {
  private final Map<String, Tensor> cached = new LinkedHashMap<>();
  private final List<HookHandle> handles = new ArrayList<>();

  private ActivationCache(Hooks hooks, Collection<String> points) {
    for (String p : points) hooks.requirePoint(p);
    for (String p : points) {
      handles.add(hooks.add(p, x -> {
        Tensor copy = x.detach().clone().retainReference();
        Tensor old = cached.put(p, copy);
        if (old != null) old.releaseReference();
        return x;
      }));
    }
  }

  /** Caches the named points of {@code model}. */
  public static ActivationCache record(HookedModel model, Collection<String> points) {
    if (points == null || points.isEmpty()) throw new IllegalArgumentException("no hook points to cache");
    return new ActivationCache(model.hooks(), points);
  }

  /** Caches every point of {@code model}. */
  public static ActivationCache recordAll(HookedModel model) {
    return new ActivationCache(model.hooks(), model.hooks().points());
  }

  /** The last activation at {@code point}; an error naming the point when it has not run yet. */
  public Tensor get(String point) {
    Tensor t = cached.get(point);
    if (t == null) throw new IllegalStateException("nothing cached at '" + point + "' (not cached, or no forward pass yet)");
    return t;
  }

  /** Every cached activation, by point, in the order they were first stored. */
  public Map<String, Tensor> all() {
    return Collections.unmodifiableMap(cached);
  }

  /** Detaches the hooks and frees the copies. */
  @Override
  public void close() {
    for (HookHandle h : handles) h.remove();
    handles.clear();
    for (Tensor t : cached.values()) t.releaseReference();
    cached.clear();
  }
}
