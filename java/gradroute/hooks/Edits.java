package gradroute.hooks;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Activation edits at hook points: zero-ablation (multiply by a keep-mask) and steering (add a
 * multiple of a direction). The tensor given is retained until the handle is closed, so it may be
 * built inside a {@code PointerScope}; close the handle to undo the edit.
 */
public final class Edits {
  private Edits() {}

  /**
   * Multiplies the activation at {@code point} by {@code keep}, which broadcasts against it (e.g.
   * {@code [d_mlp]} with 0 on the units to remove, 1 elsewhere).
   */
  public static HookHandle ablate(HookedModel model, String point, Tensor keep) {
    if (keep == null) throw new IllegalArgumentException("keep-mask for '" + point + "' is null");
    Tensor retained = keep.retainReference();
    return releasing(model.hooks().add(point, x -> x.mul(retained)), retained);
  }

  /** Adds {@code alpha · direction} to the activation at {@code point} (direction broadcasts against it). */
  public static HookHandle steer(HookedModel model, String point, Tensor direction, double alpha) {
    if (direction == null) throw new IllegalArgumentException("steering direction for '" + point + "' is null");
    if (!Double.isFinite(alpha)) throw new IllegalArgumentException("steering coefficient must be finite, got " + alpha);
    Tensor scaled = direction.mul(new Scalar(alpha)).retainReference();
    return releasing(model.hooks().add(point, x -> x.add(scaled)), scaled);
  }

  private static HookHandle releasing(HookHandle hook, Tensor held) {
    return new HookHandle() {
      private boolean removed;

      @Override
      public String name() {
        return hook.name();
      }

      @Override
      public void remove() {
        hook.remove();
        if (!removed) held.releaseReference();
        removed = true;
      }
    };
  }
}
