package gradroute.rl.agent;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;

/** Layer constructors of the agent networks: libtorch's default weight init, biases zeroed. */
final class Layers {
  private Layers() {}

  static LinearImpl linear(long in, long out) {
    LinearImpl layer = new LinearImpl(in, out);
    try (NoGradGuard guard = new NoGradGuard()) {
      layer.bias().zero_();
    }
    return layer;
  }

}
