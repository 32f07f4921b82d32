package gradroute.circuits;

import gradroute.hooks.HookedModel;
import gradroute.hooks.Hooks;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * AutoCircuit's MicroModel: a residual stream of width 2; each block has two "heads", head h
 * multiplying its own copy of the residual element-wise by row h of [[1,2],[3,4]]; the block adds
 * both heads' outputs to the stream. Clean input [1,1] gives [25,49], corrupt [-1,-1] gives [-25,-49].
 */
final class MicroModel implements HookedModel {
  private final int layers;
  private final Hooks hooks;
  private final Tensor weights = Tensor.create(new float[] {1, 2, 3, 4}, 2, 2).retainReference();

  MicroModel(int layers) {
    this.layers = layers;
    List<String> p = new ArrayList<>();
    p.add("input");
    for (int l = 0; l < layers; l++) {
      p.add("blocks." + l + ".head_inputs");
      p.add("blocks." + l + ".head_outputs");
    }
    p.add("output");
    hooks = new Hooks(p);
  }

  @Override
  public Hooks hooks() {
    return hooks;
  }

  /** {@code x [batch, pos, 2]} to {@code [batch, pos, 2]}. */
  Tensor forward(Tensor x) {
    x = hooks.fire("input", x);
    for (int l = 0; l < layers; l++) {
      Tensor in = hooks.fire("blocks." + l + ".head_inputs", x.unsqueeze(2).expand(x.size(0), x.size(1), 2, 2));
      Tensor out = hooks.fire("blocks." + l + ".head_outputs", in.mul(weights));
      x = x.add(out.sum(new long[] {2}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
    }
    return hooks.fire("output", x);
  }

  /** AutoCircuit's factorised graph of the micro model: Input, B{l}.{h} (sources and destinations), Output. */
  CircuitGraph graph() {
    CircuitGraph.Builder b = CircuitGraph.builder().source("input", 0, "Input");
    for (int l = 0; l < layers; l++) {
      String[] names = {"B" + l + ".0", "B" + l + ".1"};
      b.headDests("blocks." + l + ".head_inputs", l, names, names);
      b.headSources("blocks." + l + ".head_outputs", l, names);
    }
    return b.dest("output", layers, "Output", "Output").build();
  }

  PatchableModel patchable() {
    return new PatchableModel(this, this::forward, graph(), null);
  }

  /** {@code batch} sequences of {@code len} positions, every position {@code [v, v]}. */
  static Tensor input(float v, int batch, int len) {
    float[] a = new float[batch * len * 2];
    java.util.Arrays.fill(a, v);
    return Tensor.create(a, batch, len, 2);
  }
}
