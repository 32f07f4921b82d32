package gradroute.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.hooks.GradientCache;
import gradroute.hooks.HookScope;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.GptHooks;
import gradroute.model.TinyModels;
import gradroute.runtime.TorchRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Edge patching and edge attribution on small random {@link Gpt}s, classic and modern (grouped-query, rotary). */
class GptCircuitsTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static List<GptConfig> configs() {
    return List.of(TinyModels.config(), GptConfig.modern(2, 16, 4, 2, 23, 12));
  }

  private static void close(Tensor a, Tensor b, double tol, String what) {
    float d = TinyModels.maxAbsDiff(a, b);
    assertTrue(d <= tol, what + ": max |diff| " + d);
  }

  @Test
  void splitInputsAndPerHeadResultsChangeNoOutput() {
    for (GptConfig c : configs()) {
      try (PointerScope s = new PointerScope(); Gpt m = Gpt.create(c, 1); NoGradGuard g = new NoGradGuard()) {
        Tensor tokens = TinyModels.tokens(2, 3, 6, c.vocab());
        Tensor plain = m.forward(tokens);
        try (HookScope scope = m.hooks().scope()) {
          for (int l = 0; l < c.nLayers(); l++) {
            for (char w : new char[] {'q', 'k', 'v'}) scope.add(GptHooks.qkvInput(l, w), x -> x);
            scope.add(GptHooks.result(l), x -> x);
            scope.add(GptHooks.mlpIn(l), x -> x);
          }
          close(plain, m.forward(tokens), 1e-5, c + " with the split paths");
        }
        assertTrue(m.hooks().isEmpty());
      }
    }
  }

  @Test
  void allEdgesGiveTheCleanOutputAndNoneTheAblatedOne() {
    for (GptConfig c : configs()) {
      try (PointerScope s = new PointerScope(); Gpt m = Gpt.create(c, 2); NoGradGuard g = new NoGradGuard()) {
        PatchableModel pm = GptGraphs.patchable(m);
        int all = pm.graph().edgeCount();
        Tensor clean = TinyModels.tokens(3, 3, 6, c.vocab()), corrupt = TinyModels.tokens(4, 3, 6, c.vocab());
        Tensor cleanOut = m.forward(clean), corruptOut = m.forward(corrupt);
        EdgeScores any = Scorers.random(1).score(pm, new ScoringTask(clean, corrupt, Ablation.RESAMPLE, Metrics.klToClean(cleanOut)));
        List<Tensor> tree = Circuits.runCircuits(pm, clean, corrupt, new int[] {0, all}, any, PatchType.TREE_PATCH, Ablation.RESAMPLE);
        close(corruptOut, tree.get(0), 1e-4, c + " tree, no edge");
        close(cleanOut, tree.get(1), 1e-4, c + " tree, all edges");
        List<Tensor> edge = Circuits.runCircuits(pm, clean, corrupt, new int[] {0, all}, any, PatchType.EDGE_PATCH, Ablation.RESAMPLE);
        close(corruptOut, edge.get(0), 1e-4, c + " edge, no edge");
        close(cleanOut, edge.get(1), 1e-4, c + " edge, all edges");

        // zero ablation of every edge = every source zeroed at its hook point
        Tensor zeroed;
        try (HookScope scope = m.hooks().scope()) {
          scope.add(GptHooks.residPre(0), torch::zeros_like);
          for (int l = 0; l < c.nLayers(); l++) {
            scope.add(GptHooks.result(l), torch::zeros_like);
            scope.add(GptHooks.mlpOut(l), torch::zeros_like);
          }
          zeroed = m.forward(clean);
        }
        close(zeroed, Circuits.runCircuits(pm, clean, null, new int[] {0}, any, PatchType.TREE_PATCH, Ablation.ZERO).get(0), 1e-4,
            c + " zero ablation");

        List<Circuits.CurvePoint> curve = Circuits.faithfulnessCurve(pm, clean, corrupt, new int[] {0, all}, any, PatchType.TREE_PATCH,
            Ablation.RESAMPLE, Metrics.klToClean(cleanOut));
        assertEquals(0, curve.get(0).faithfulness(), 1e-6);
        assertEquals(100, curve.get(1).faithfulness(), 1e-3);
        assertEquals(0, curve.get(1).metric(), 1e-5, "KL of the clean output to itself");
      }
    }
  }

  @Test
  void aNodeAblatedThroughItsOutEdgesEqualsTheNodeAblated() {
    for (GptConfig c : configs()) {
      try (PointerScope s = new PointerScope(); Gpt m = Gpt.create(c, 3); NoGradGuard g = new NoGradGuard()) {
        PatchableModel pm = GptGraphs.patchable(m);
        Tensor clean = TinyModels.tokens(5, 2, 6, c.vocab());
        Tensor direct;
        try (HookScope scope = m.hooks().scope()) {
          scope.add(GptHooks.result(0), x -> {
            Tensor y = x.clone();
            y.select(2, 1).zero_();
            return y;
          });
          scope.add(GptHooks.mlpOut(0), torch::zeros_like);
          direct = m.forward(clean);
        }
        Tensor viaEdges = Circuits.ablateComponents(pm, clean, null, Ablation.ZERO, List.of(GptGraphs.head(0, 1), GptGraphs.mlp(0)));
        close(direct, viaEdges, 1e-4, c + " A0.1 and MLP0 ablated");
      }
    }
  }

  @Test
  void maskGradientEqualsTheHookBasedEapFormula() {
    for (GptConfig c : configs()) {
      try (PointerScope s = new PointerScope(); Gpt m = Gpt.create(c, 4)) {
        PatchableModel pm = GptGraphs.patchable(m);
        CircuitGraph graph = pm.graph();
        Tensor clean = TinyModels.tokens(6, 3, 6, c.vocab()), corrupt = TinyModels.tokens(7, 3, 6, c.vocab());
        Metric metric = Metrics.logitDiff(Tensor.create(new long[] {1, 2, 3}, 3), Tensor.create(new long[] {4, 5, 6}, 3));
        EdgeScores eap = Scorers.eap().score(pm, new ScoringTask(clean, corrupt, Ablation.RESAMPLE, metric));

        List<String> dests = new ArrayList<>();
        for (CircuitGraph.Point p : graph.destPoints()) dests.add(p.point());
        try (SourceValues a = pm.sourceOutputs(clean); SourceValues p = pm.sourceOutputs(corrupt)) {
          double maxErr = 0, maxAbs = 0;
          try (GradientCache grads = GradientCache.record(m, dests)) {
            metric.apply(m.forward(clean)).backward();
            for (Edge e : graph.edges()) {
              Tensor diff = node(p, e.src()).sub(node(a, e.src()));
              Tensor gd = e.dest().head() < 0 ? grads.grad(e.dest().point()) : grads.grad(e.dest().point()).select(2, e.dest().head());
              double expected = diff.mul(gd).sum().item_double();
              maxErr = Math.max(maxErr, Math.abs(expected - eap.get(e)));
              maxAbs = Math.max(maxAbs, Math.abs(expected));
            }
          }
          m.zeroGrad();
          assertTrue(maxAbs > 1e-3, "the scores are not all zero");
          assertTrue(maxErr <= 1e-5 + 1e-4 * maxAbs, c + ": mask gradient vs (p−a)·∂L/∂x, max error " + maxErr + " of " + maxAbs);
        }

        // first order: a small mask on one edge changes the metric by about its score times the mask
        Edge top = eap.top(1).get(0);
        double eps = 1e-2;
        try (NoGradGuard g = new NoGradGuard(); SourceValues abl = pm.ablations(Ablation.RESAMPLE, clean, corrupt)) {
          double[] v = new double[graph.edgeCount()];
          double base;
          try (EdgeMasks zero = EdgeMasks.of(graph, v, false, null)) {
            base = metric.apply(pm.patched(clean, abl, zero)).item_double();
          }
          v[top.index()] = eps;
          try (EdgeMasks one = EdgeMasks.of(graph, v, false, null)) {
            double fd = (metric.apply(pm.patched(clean, abl, one)).item_double() - base) / eps;
            assertEquals(eap.get(top), fd, 0.05 * Math.abs(eap.get(top)) + 1e-4, c + ": finite difference on " + top);
          }
        }
        assertTrue(m.hooks().isEmpty());
      }
    }
  }

  private static Tensor node(SourceValues v, Node n) {
    Tensor t = v.get(n.point());
    return n.head() < 0 ? t : t.select(2, n.head());
  }

  @Test
  void scopedHooksAreRemovedEvenWhenTheBodyThrows() {
    GptConfig c = TinyModels.config();
    try (PointerScope s = new PointerScope(); Gpt m = Gpt.create(c, 5); NoGradGuard g = new NoGradGuard()) {
      Tensor tokens = TinyModels.tokens(8, 1, 4, c.vocab());
      UnaryOperator<Tensor> boom = x -> {
        throw new IllegalStateException("boom");
      };
      assertThrows(IllegalStateException.class, () -> m.hooks().with(Map.of(GptHooks.mlpIn(1), boom), () -> m.forward(tokens)));
      assertTrue(m.hooks().isEmpty(), "the failing hook was removed");
      Tensor out = m.hooks().with(Map.of(GptHooks.mlpOut(0), torch::zeros_like), () -> m.forward(tokens));
      assertTrue(m.hooks().isEmpty());
      assertTrue(TinyModels.maxAbsDiff(out, m.forward(tokens)) > 0, "the temporary hook acted");
      assertThrows(IllegalArgumentException.class, () -> m.hooks().with(Map.of("blocks.9.hook_mlp_in", x -> x), () -> 0));
    }
  }

  @Test
  void gradientCacheHoldsTheGradientAtAPoint() {
    GptConfig c = TinyModels.config();
    try (PointerScope s = new PointerScope(); Gpt m = Gpt.create(c, 6)) {
      Tensor tokens = TinyModels.tokens(9, 2, 5, c.vocab());
      String point = GptHooks.residMid(1);
      Tensor[] leaf = new Tensor[1];
      try (HookScope scope = m.hooks().scope()) {
        scope.add(point, x -> {
          leaf[0] = x.detach().requires_grad_(true);
          return leaf[0];
        });
        m.forward(tokens).pow(new org.bytedeco.pytorch.Scalar(2)).mean().backward();
      }
      Tensor expected = leaf[0].grad().clone();
      try (GradientCache cache = GradientCache.record(m, List.of(point))) {
        assertThrows(IllegalStateException.class, () -> cache.grad(point));
        m.forward(tokens).pow(new org.bytedeco.pytorch.Scalar(2)).mean().backward();
        close(expected, cache.grad(point), 1e-6, "gradient at " + point);
      }
      m.zeroGrad();
      assertTrue(m.hooks().isEmpty());
    }
  }
}
