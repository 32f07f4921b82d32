package gradroute.circuits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One score per edge of a {@link CircuitGraph} (AutoCircuit's {@code PruneScores}); larger |score|
 * means more important. Scores of any method (EAP, integrated gradients, activation magnitude,
 * random, learned masks) take this one form, so {@link Circuits} can prune by any of them.
 */
public final class EdgeScores {
  private final CircuitGraph graph;
  private final double[] values;

  /** @param values one per edge, in {@link CircuitGraph#edges()} order (copied) */
  public EdgeScores(CircuitGraph graph, double[] values) {
    if (values.length != graph.edgeCount()) {
      throw new IllegalArgumentException("got " + values.length + " scores for a graph of " + graph.edgeCount() + " edges");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) throw new IllegalArgumentException("score of edge " + graph.edges().get(i) + " is " + values[i]);
    }
    this.graph = graph;
    this.values = values.clone();
  }

  /** Scores set edge by edge, 0 elsewhere (e.g. hand-made scores in tests). */
  public static EdgeScores of(CircuitGraph graph, Map<Edge, Double> scores) {
    double[] v = new double[graph.edgeCount()];
    scores.forEach((e, s) -> v[e.index()] = s);
    return new EdgeScores(graph, v);
  }

  public CircuitGraph graph() {
    return graph;
  }

  public double get(Edge e) {
    return values[e.index()];
  }

  /** A copy of the scores, in edge order. */
  public double[] values() {
    return values.clone();
  }

  /** The {@code k} edges of largest |score|, largest first (ties by edge order, so the choice is deterministic). */
  public List<Edge> top(int k) {
    if (k < 0 || k > values.length) throw new IllegalArgumentException("edge count must be in 0.." + values.length + ", got " + k);
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -Math.abs(values[i])).thenComparingInt(i -> i));
    List<Edge> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) out.add(graph.edges().get(order[i]));
    return out;
  }

  /** Node-level scores: for each component, Σ|score| over the edges touching it (as source or destination). */
  public Map<String, Double> byComponent() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String c : graph.components()) out.put(c, 0.0);
    for (Edge e : graph.edges()) {
      double a = Math.abs(values[e.index()]);
      out.merge(e.src().component(), a, Double::sum);
      if (!e.dest().component().equals(e.src().component())) out.merge(e.dest().component(), a, Double::sum);
    }
    return out;
  }

  /** Σ|score| over all edges. */
  public double totalAbs() {
    double t = 0;
    for (double v : values) t += Math.abs(v);
    return t;
  }
}
