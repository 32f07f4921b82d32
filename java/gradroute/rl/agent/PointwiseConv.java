package gradroute.rl.agent;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A 1×1 convolution over {@code [B, C, S, S]} observations followed by a flatten, computed as one
 * linear map of each cell's channel vector (the same function and the same default init as
 * {@code Conv2d(C, out, 1)}, at about half the CPU time). The flattened output is cell-major
 * ({@code [B, S·S·out]}, channels fastest) rather than channel-major; the layer that reads it sees a
 * fixed permutation of its inputs, which changes neither the function class nor its init.
 */
final class PointwiseConv extends org.bytedeco.pytorch.Module {
  private final LinearImpl mix;

  PointwiseConv(long in, long out) {
    mix = register_module("mix", Layers.linear(in, out));
  }

  /** {@code [B, C, S, S]} → {@code [B, S·S·out]}. */
  Tensor forwardFlat(Tensor observations) {
    return mix.forward(observations.permute(0, 2, 3, 1)).flatten(1, -1);
  }
}
