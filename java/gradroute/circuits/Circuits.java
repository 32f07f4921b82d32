package gradroute.circuits;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Running circuits: the model with only some edges kept, by edge patching or tree patching
 * (AutoCircuit's {@code run_circuits}), and faithfulness curves over edge counts.
 */
public final class Circuits {
  private Circuits() {}

  /** One point of a faithfulness curve: the metric with the top {@code edges} edges kept. */
  public record CurvePoint(int edges, double metric, double faithfulness) {}

  /**
   * The outputs with the top-{@code k} edges by |score| kept, for each {@code k} of {@code
   * edgeCounts}. EDGE_PATCH runs {@code corrupt} and patches clean source values onto the kept
   * edges ({@code ablation} is not used); TREE_PATCH runs {@code clean} and patches {@code
   * ablation} values onto every other edge. Outputs are detached.
   */
  public static List<Tensor> runCircuits(PatchableModel model, Tensor clean, Tensor corrupt, int[] edgeCounts, EdgeScores scores,
      PatchType type, Ablation ablation) {
    if (scores.graph() != model.graph()) throw new IllegalArgumentException("the scores belong to another graph");
    if (type == PatchType.EDGE_PATCH && corrupt == null) throw new IllegalArgumentException("edge patching runs the corrupt batch: none given");
    List<Tensor> outs = new ArrayList<>();
    try (NoGradGuard g = new NoGradGuard();
        SourceValues patch = type == PatchType.EDGE_PATCH ? model.sourceOutputs(clean) : model.ablations(ablation, clean, corrupt)) {
      for (int k : edgeCounts) {
        List<Edge> kept = scores.top(k);
        boolean edge = type == PatchType.EDGE_PATCH;
        try (EdgeMasks masks = EdgeMasks.on(model.graph(), kept, edge ? 1 : 0, edge ? 0 : 1, model.device())) {
          outs.add(model.patched(edge ? corrupt : clean, patch, masks).detach());
        }
      }
    }
    return outs;
  }

  /**
   * The output with every out-edge of the given node-level components ablated ({@code ablation}
   * values on the clean input): the components removed, the rest intact.
   */
  public static Tensor ablateComponents(PatchableModel model, Tensor clean, Tensor corrupt, Ablation ablation, Collection<String> components) {
    List<Edge> out = new ArrayList<>();
    for (String c : components) out.addAll(model.graph().outEdges(c));
    try (NoGradGuard g = new NoGradGuard(); SourceValues patch = model.ablations(ablation, clean, corrupt);
        EdgeMasks masks = EdgeMasks.on(model.graph(), out, 1, 0, model.device())) {
      return model.patched(clean, patch, masks).detach();
    }
  }

  /**
   * The metric and its faithfulness (percent of the way from no edges to all edges) for each
   * edge count: keeping every edge gives 100, none 0.
   */
  public static List<CurvePoint> faithfulnessCurve(PatchableModel model, Tensor clean, Tensor corrupt, int[] edgeCounts, EdgeScores scores,
      PatchType type, Ablation ablation, Metric metric) {
    int all = model.graph().edgeCount();
    int[] counts = new int[edgeCounts.length + 2];
    counts[0] = 0;
    counts[1] = all;
    System.arraycopy(edgeCounts, 0, counts, 2, edgeCounts.length);
    List<Tensor> outs = runCircuits(model, clean, corrupt, counts, scores, type, ablation);
    double none, full;
    List<CurvePoint> curve = new ArrayList<>();
    try (NoGradGuard g = new NoGradGuard()) {
      none = metric.apply(outs.get(0)).item_double();
      full = metric.apply(outs.get(1)).item_double();
      for (int i = 0; i < edgeCounts.length; i++) {
        double m = metric.apply(outs.get(i + 2)).item_double();
        curve.add(new CurvePoint(edgeCounts[i], m, Metrics.faithfulness(m, full, none)));
      }
    }
    return curve;
  }

  /** {@code n} edge counts from 0 to {@code edges}, evenly spaced on a square-root scale (dense where few edges are kept). */
  public static int[] edgeCountSchedule(int edges, int n) {
    if (n < 2) throw new IllegalArgumentException("need at least 2 edge counts, got " + n);
    java.util.TreeSet<Integer> s = new java.util.TreeSet<>();
    for (int i = 0; i < n; i++) {
      double f = (double) i / (n - 1);
      s.add((int) Math.round(f * f * edges));
    }
    return s.stream().mapToInt(Integer::intValue).toArray();
  }
}
