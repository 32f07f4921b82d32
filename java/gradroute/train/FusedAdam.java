package gradroute.train;

import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamW;

/**
 * The step of libtorch's {@link Adam} and {@link AdamW} in one native call (native/optim_ops.h):
 * every parameter updated by ATen's fused Adam kernel, one pass over parameter, gradient and
 * moments, instead of the ten or so elementwise ops {@code optimizer.step()} runs per parameter.
 * The result equals {@code optimizer.step()}'s up to float rounding, and the optimiser keeps its
 * own state, so {@code save}/{@code load} checkpoints, parameter groups and learning-rate
 * changes work as before. The training loops of gradroute use it in place of {@code step()}.
 *
 * <p>A sparse gradient, a non-contiguous parameter, or a gradient or moment of another dtype,
 * device or shape is a RuntimeException from the native core naming the parameter.
 */
public final class FusedAdam {
  private FusedAdam() {}

  /** One step of Adam (L2 weight decay added to the gradient, AMSGrad when set). */
  public static void step(Adam optimizer) {
    NativeOptim.fused_adam_step(optimizer);
  }

  /** One step of AdamW (decoupled weight decay). */
  public static void step(AdamW optimizer) {
    NativeOptim.fused_adamw_step(optimizer);
  }
}
