package gradroute.circuits;

import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** The edge-scoring methods: mask-gradient EAP, EAP with integrated gradients, activation magnitude, random. */
public final class Scorers {
  private Scorers() {}

  /**
   * Edge attribution patching as a mask gradient (AutoCircuit's {@code mask_gradient_prune_scores}):
   * masks 0, the clean input in patch mode, the gradient of the metric with respect to each mask,
   * which equals {@code (p_s − a_s)·∂L/∂x_d}. Two forward passes and one backward.
   */
  public static EdgeScorer eap() {
    return named("eap", (model, task) -> integrated(model, task, new double[] {0}));
  }

  /** EAP with integrated gradients: the mask gradient averaged over masks {@code k/steps}, k = 0..steps. */
  public static EdgeScorer eapIntegratedGradients(int steps) {
    if (steps < 1) throw new IllegalArgumentException("integrated gradients need at least 1 step, got " + steps);
    double[] alphas = new double[steps + 1];
    for (int k = 0; k <= steps; k++) alphas[k] = (double) k / steps;
    return named("eap_ig", (model, task) -> integrated(model, task, alphas));
  }

  /** Every edge scores its source's mean L2 norm on the clean batch (per position). */
  public static EdgeScorer activationMagnitude() {
    return named("act_mag", (model, task) -> {
      CircuitGraph graph = model.graph();
      double[] perSource = new double[graph.sources().size()];
      try (NoGradGuard g = new NoGradGuard(); SourceValues outs = model.sourceOutputs(task.clean())) {
        for (CircuitGraph.Point p : graph.points()) {
          if (!p.source()) continue;
          Tensor x = outs.get(p.point());
          Tensor norms = x.mul(x).sum(new long[] {-1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).sqrt();
          for (Node n : p.nodes()) {
            Tensor own = p.heads() == 0 ? norms : norms.select(2, n.head());
            perSource[n.index()] = own.mean().item_double();
          }
        }
      }
      double[] v = new double[graph.edgeCount()];
      for (Edge e : graph.edges()) v[e.index()] = perSource[e.src().index()];
      return new EdgeScores(graph, v);
    });
  }

  /** Uniform random scores (a baseline), reproducible in {@code seed}. */
  public static EdgeScorer random(long seed) {
    return named("random", (model, task) -> {
      SplittableRandom r = new SplittableRandom(seed);
      double[] v = new double[model.graph().edgeCount()];
      for (int i = 0; i < v.length; i++) v[i] = r.nextDouble();
      return new EdgeScores(model.graph(), v);
    });
  }

  private static EdgeScores integrated(PatchableModel model, ScoringTask task, double[] alphas) {
    CircuitGraph graph = model.graph();
    double[] sum = new double[graph.edgeCount()];
    try (SourceValues ablated = model.ablations(task.ablation(), task.clean(), task.corrupt())) {
      for (double a : alphas) {
        try (EdgeMasks masks = EdgeMasks.filled(graph, a, true, model.device())) {
          Tensor metric = task.metric().apply(model.patched(task.clean(), ablated, masks));
          double[] g = masks.gradient(metric).values();
          for (int i = 0; i < sum.length; i++) sum[i] += g[i];
        }
      }
    }
    for (int i = 0; i < sum.length; i++) sum[i] /= alphas.length;
    return new EdgeScores(graph, sum);
  }

  private static EdgeScorer named(String name, java.util.function.BiFunction<PatchableModel, ScoringTask, EdgeScores> f) {
    return new EdgeScorer() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public EdgeScores score(PatchableModel model, ScoringTask task) {
        return f.apply(model, task);
      }
    };
  }
}
