package gradroute.model;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Linear layers with ReLU between them (none after the last), PyTorch's default initialisation.
 * {@code sizes} are the widths from input to output, e.g. {784, 2048, 512, 32}. The products go
 * through {@link Linear}, split across the intra-op threads where that pays.
 */
public final class Mlp extends org.bytedeco.pytorch.Module {
  private final LinearImpl[] layers;

  public Mlp(int[] sizes, boolean lastBias) {
    if (sizes.length < 2) throw new IllegalArgumentException("an MLP needs at least an input and an output width");
    layers = new LinearImpl[sizes.length - 1];
    for (int i = 0; i < layers.length; i++) {
      if (sizes[i] <= 0 || sizes[i + 1] <= 0) throw new IllegalArgumentException("MLP widths must be positive: " + java.util.Arrays.toString(sizes));
      LinearOptions options = new LinearOptions(sizes[i], sizes[i + 1]);
      options.bias().put(i < layers.length - 1 || lastBias);
      layers[i] = register_module("layer" + i, new LinearImpl(options));
    }
  }

  public Tensor forward(Tensor x) {
    for (int i = 0; i < layers.length; i++) {
      x = Linear.of(layers[i], x);
      if (i < layers.length - 1) x = torch.relu(x);
    }
    return x;
  }

  public LinearImpl layer(int i) {
    return layers[i];
  }

  public int depth() {
    return layers.length;
  }
}
