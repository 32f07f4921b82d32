package gradroute.hooks;

import gradroute.runtime.TensorChecks;
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
   *
   * @throws IllegalArgumentException for an unknown point (naming near matches) or a null mask;
   *     a mask that does not broadcast against the activation fails at the forward pass with an
   *     error naming the point and both shapes
   * @throws IllegalStateException for a closed mask
   */
  public static HookHandle ablate(HookedModel model, String point, Tensor keep) {
    TensorChecks.requireOpen("keep-mask for '" + point + "'", keep);
    model.hooks().requirePoint(point);
    long[] keepShape = keep.shape();
    Tensor retained = keep.retainReference();
    return releasing(model.hooks().add(point, x -> {
      TensorChecks.requireBroadcastsInto("keep-mask", keepShape, x.shape(), "hook point '" + point + "' (Edits.ablate)");
      return x.mul(retained);
    }), retained);
  }

  /**
   * Adds {@code alpha · direction} to the activation at {@code point} (direction broadcasts against it).
   *
   * @throws IllegalStateException for a closed direction
   */
  public static HookHandle steer(HookedModel model, String point, Tensor direction, double alpha) {
    TensorChecks.requireOpen("steering direction for '" + point + "'", direction);
    if (!Double.isFinite(alpha)) throw new IllegalArgumentException("steering coefficient must be finite, got " + alpha);
    model.hooks().requirePoint(point);
    long[] shape = direction.shape();
    Tensor scaled = direction.mul(new Scalar(alpha)).retainReference();
    return releasing(model.hooks().add(point, x -> {
      TensorChecks.requireBroadcastsInto("steering direction", shape, x.shape(), "hook point '" + point + "' (Edits.steer)");
      return x.add(scaled);
    }), scaled);
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
