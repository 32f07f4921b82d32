package gradroute.rl.agent;

import gradroute.hooks.HookedModel;
import gradroute.hooks.Hooks;
import gradroute.rl.env.Gridworld;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * The baseline: 1×1 conv 4→16, flatten, 400→256→32→1, with no nonlinearities (as the reference
 * has it, so it is a linear function of the observation). Hook point: {@link #HOOK_FEATURES}, the
 * 32 features {@code [B, 32]} the last layer reads.
 */
public final class ValueNetwork extends org.bytedeco.pytorch.Module implements HookedModel {
  public static final int CONV_CHANNELS = 16;
  public static final String HOOK_FEATURES = "hook_features";

  private final Hooks hooks = new Hooks(List.of(HOOK_FEATURES));

  private final PointwiseConv conv;
  private final LinearImpl fc1;
  private final LinearImpl fc2;
  private final LinearImpl fc3;

  public ValueNetwork(int channels, int size) {
    conv = register_module("conv", new PointwiseConv(channels, CONV_CHANNELS));
    fc1 = register_module("fc1", Layers.linear((long) CONV_CHANNELS * size * size, 256));
    fc2 = register_module("fc2", Layers.linear(256, 32));
    fc3 = register_module("fc3", Layers.linear(32, 1));
  }

  public static ValueNetwork forGrid(int size) {
    return new ValueNetwork(Gridworld.CHANNELS, size);
  }

  /** Values {@code [B]} of observations {@code [B, 4, size, size]}. */
  public Tensor values(Tensor observations) {
    Tensor h = conv.forwardFlat(observations);
    return fc3.forward(hooks.fire(HOOK_FEATURES, fc2.forward(fc1.forward(h)))).view(-1);
  }

  @Override
  public Hooks hooks() {
    return hooks;
  }
}
