package gradroute.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * Temporary hooks ({@link Hooks#scope()}): hooks added or adopted here are removed when the scope
 * closes, last first, so a run with patching, caching or gradient capture leaves the model as it
 * found it even when it fails half way.
 */
public final class HookScope implements AutoCloseable {
  private final Hooks hooks;
  private final List<HookHandle> handles = new ArrayList<>();

  HookScope(Hooks hooks) {
    this.hooks = hooks;
  }

  /** Adds {@code hook} on point {@code name} for the life of the scope. */
  public HookHandle add(String name, UnaryOperator<Tensor> hook) {
    return adopt(hooks.add(name, hook));
  }

  /** Takes over a handle made elsewhere (e.g. by {@link Edits}), to remove it with the scope. */
  public HookHandle adopt(HookHandle handle) {
    handles.add(handle);
    return handle;
  }

  /** Removes every hook of the scope. Idempotent. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (int i = handles.size() - 1; i >= 0; i--) {
      try {
        handles.get(i).remove();
      } catch (RuntimeException e) {
        if (failure == null) failure = e;
      }
    }
    handles.clear();
    if (failure != null) throw failure;
  }
}
