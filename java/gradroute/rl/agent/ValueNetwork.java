package gradroute.rl.agent;

import gradroute.rl.env.Gridworld;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * The baseline: 1×1 conv 4→16, flatten, 400→256→32→1, with no nonlinearities (as the reference
 * has it, so it is a linear function of the observation).
 */
public final class ValueNetwork extends org.bytedeco.pytorch.Module {
  public static final int CONV_CHANNELS = 16;

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
    return fc3.forward(fc2.forward(fc1.forward(h))).view(-1);
  }
}
