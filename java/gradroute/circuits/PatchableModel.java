package gradroute.circuits;

import gradroute.hooks.HookScope;
import gradroute.hooks.HookedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A {@link HookedModel} with a {@link CircuitGraph} over its hook points: reads every source's
 * output and runs the model with edges patched, each in one forward pass, through temporary hooks
 * (the model carries no hooks afterwards, also when a pass fails).
 */
public final class PatchableModel {
  private final HookedModel model;
  private final UnaryOperator<Tensor> forward;
  private final CircuitGraph graph;
  private final Device device;

  /**
   * @param forward runs {@code model} on an input (e.g. {@code gpt::forward})
   * @param device where masks are made
   */
  public PatchableModel(HookedModel model, UnaryOperator<Tensor> forward, CircuitGraph graph, Device device) {
    for (CircuitGraph.Point p : graph.points()) model.hooks().requirePoint(p.point());
    this.model = model;
    this.forward = forward;
    this.graph = graph;
    this.device = device == null ? new Device("cpu") : device;
  }

  public CircuitGraph graph() {
    return graph;
  }

  public HookedModel model() {
    return model;
  }

  public Device device() {
    return device;
  }

  /** The model's plain output. */
  public Tensor forward(Tensor input) {
    return forward.apply(input);
  }

  /** Every source point's output on {@code input} (no gradients). */
  public SourceValues sourceOutputs(Tensor input) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (NoGradGuard g = new NoGradGuard(); HookScope scope = model.hooks().scope()) {
      for (CircuitGraph.Point p : graph.points()) {
        if (p.source()) scope.add(p.point(), x -> {
          out.put(p.point(), x.detach().clone());
          return x;
        });
      }
      forward.apply(input);
    }
    return new SourceValues(out);
  }

  /** Ablation values of {@code type} for every source: zeros, the corrupt batch's outputs, or the token-wise mean over both batches. */
  public SourceValues ablations(Ablation type, Tensor clean, Tensor corrupt) {
    return switch (type) {
      case RESAMPLE -> {
        if (corrupt == null) throw new IllegalArgumentException("resample ablation needs a corrupt batch");
        yield sourceOutputs(corrupt);
      }
      case ZERO -> {
        try (SourceValues c = sourceOutputs(clean)) {
          Map<String, Tensor> z = new LinkedHashMap<>();
          c.all().forEach((p, t) -> z.put(p, torch.zeros_like(t)));
          yield new SourceValues(z);
        }
      }
      case TOKENWISE_MEAN -> {
        Tensor both = corrupt == null ? clean : torch.cat(new org.bytedeco.pytorch.TensorVector(clean, corrupt), 0);
        try (SourceValues c = sourceOutputs(both)) {
          Map<String, Tensor> m = new LinkedHashMap<>();
          c.all().forEach((p, t) -> m.put(p, t.mean(new long[] {0}, true, new org.bytedeco.pytorch.ScalarTypeOptional())));
          yield new SourceValues(m);
        }
      }
    };
  }

  /**
   * Runs {@code input} with every edge patched by its mask: each destination's input becomes
   * {@code x_d + Σ_s m[s,d]·(p_s − a_s)}, {@code a_s} the source's output in this pass and {@code
   * p_s} its value in {@code patch}. Gradients flow into the masks when they require them.
   */
  public Tensor patched(Tensor input, SourceValues patch, EdgeMasks masks) {
    if (masks.graph() != graph) throw new IllegalArgumentException("the masks belong to another graph");
    List<Tensor> diffs = new ArrayList<>(); // one [B, T, n, D] per source point fired so far
    int[] fired = {0};
    try (HookScope scope = model.hooks().scope()) {
      for (CircuitGraph.Point p : graph.points()) {
        if (p.source()) {
          Tensor value = patch.get(p.point());
          scope.add(p.point(), x -> {
            Tensor d = value.sub(x);
            diffs.add(p.heads() == 0 ? d.unsqueeze(2) : d);
            fired[0] += p.nodes().size();
            return x;
          });
        } else {
          Tensor mask = masks.mask(p.point());
          scope.add(p.point(), x -> {
            if (fired[0] != p.upstream()) {
              throw new IllegalStateException("destination '" + p.point() + "' fired after " + fired[0] + " sources, the graph expects "
                  + p.upstream() + ": the graph's point order does not match the model's forward order");
            }
            Tensor all = diffs.size() == 1 ? diffs.get(0) : torch.cat(new org.bytedeco.pytorch.TensorVector(diffs.toArray(new Tensor[0])), 2);
            Tensor delta = all.transpose(2, 3).matmul(mask).transpose(2, 3); // [B, T, heads or 1, D]
            return x.add(p.heads() == 0 ? delta.squeeze(2) : delta);
          });
        }
      }
      return forward.apply(input);
    }
  }
}
