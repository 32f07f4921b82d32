package gradroute.circuits;

import gradroute.hooks.ActivationCache;
import gradroute.hooks.GradientCache;
import gradroute.model.Gpt;
import gradroute.model.GptHooks;
import gradroute.runtime.TensorArrays;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Attribution patching at the level of MLP neurons ({@code mlp.hook_post}): each neuron's score is
 * {@code Σ_{batch,pos} (p − a)·∂L/∂a}, the first-order change of the metric when the neuron's
 * activation {@code a} is replaced by its ablated value {@code p}. The node-level counterpart of
 * {@link Scorers#eap()}, fine enough to find single routed neurons.
 */
public final class NeuronAttribution {
  private NeuronAttribution() {}

  /** Scores {@code [layer][neuron]} of every MLP neuron of {@code gpt} on {@code task}. */
  public static double[][] scores(Gpt gpt, ScoringTask task) {
    int layers = gpt.config().nLayers();
    List<String> points = new ArrayList<>();
    for (int l = 0; l < layers; l++) points.add(GptHooks.mlpPost(l));
    List<Tensor> ablated = new ArrayList<>();
    try (NoGradGuard g = new NoGradGuard(); ActivationCache cache = ActivationCache.record(gpt, points)) {
      Tensor source = switch (task.ablation()) {
        case RESAMPLE -> task.corrupt();
        case ZERO -> task.clean();
        case TOKENWISE_MEAN -> task.corrupt() == null ? task.clean() : torch.cat(new org.bytedeco.pytorch.TensorVector(task.clean(), task.corrupt()), 0);
      };
      gpt.forward(source);
      for (String p : points) {
        Tensor a = cache.get(p);
        ablated.add(switch (task.ablation()) {
          case RESAMPLE -> a.clone();
          case ZERO -> torch.zeros_like(a);
          case TOKENWISE_MEAN -> a.mean(new long[] {0}, true, new ScalarTypeOptional());
        });
      }
    }
    double[][] out = new double[layers][];
    try (ActivationCache clean = ActivationCache.record(gpt, points); GradientCache grads = GradientCache.record(gpt, points)) {
      Tensor metric = task.metric().apply(gpt.forward(task.clean()));
      metric.backward();
      try (NoGradGuard g = new NoGradGuard()) {
        for (int l = 0; l < layers; l++) {
          Tensor a = clean.get(points.get(l));
          Tensor s = ablated.get(l).sub(a).mul(grads.grad(points.get(l))).reshape(-1, a.size(-1)).sum(new long[] {0}, false, new ScalarTypeOptional());
          out[l] = TensorArrays.toDoubles(s);
        }
      }
    } finally {
      gpt.zeroGrad();
    }
    return out;
  }
}
