package gradroute.circuits;

import gradroute.runtime.TensorArrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Per-edge patch masks (AutoCircuit's {@code patch_mask}): for each destination point a float
 * tensor {@code [upstream sources, heads]} (heads 1 for a point without head dim). Patching uses
 * the one-pass rule: destination input = clean input − Σ_src mask·(current_src − ablated_src). A
 * mask of 1 replaces the edge's contribution, 0 leaves it; values in between interpolate, and the
 * gradient with respect to the masks is edge attribution patching. Retained until {@link #close()}.
 */
public final class EdgeMasks implements AutoCloseable {
  private final CircuitGraph graph;
  private final Map<String, Tensor> masks = new LinkedHashMap<>();

  private EdgeMasks(CircuitGraph graph, double[] perEdge, boolean requiresGrad, Device device) {
    this.graph = graph;
    for (CircuitGraph.Point p : graph.destPoints()) {
      int cols = Math.max(1, p.heads());
      float[] m = new float[p.upstream() * cols];
      for (Edge e : graph.edgesInto(p.point())) m[e.src().index() * cols + Math.max(0, e.dest().head())] = (float) perEdge[e.index()];
      Tensor t = Tensor.create(m, p.upstream(), cols);
      if (device != null && !device.is_cpu()) t = t.to(device, ScalarType.Float);
      if (requiresGrad) t.requires_grad_(true);
      masks.put(p.point(), t.retainReference());
    }
  }

  /** Masks from one value per edge, in {@link CircuitGraph#edges()} order. */
  public static EdgeMasks of(CircuitGraph graph, double[] perEdge, boolean requiresGrad, Device device) {
    if (perEdge.length != graph.edgeCount()) throw new IllegalArgumentException("got " + perEdge.length + " mask values for " + graph.edgeCount() + " edges");
    return new EdgeMasks(graph, perEdge, requiresGrad, device);
  }

  /** Every mask {@code value}. */
  public static EdgeMasks filled(CircuitGraph graph, double value, boolean requiresGrad, Device device) {
    double[] v = new double[graph.edgeCount()];
    java.util.Arrays.fill(v, value);
    return new EdgeMasks(graph, v, requiresGrad, device);
  }

  /** {@code inside} on the given edges, {@code outside} on the rest. */
  public static EdgeMasks on(CircuitGraph graph, Collection<Edge> edges, double inside, double outside, Device device) {
    double[] v = new double[graph.edgeCount()];
    java.util.Arrays.fill(v, outside);
    for (Edge e : edges) v[e.index()] = inside;
    return new EdgeMasks(graph, v, false, device);
  }

  public CircuitGraph graph() {
    return graph;
  }

  /** The mask of destination point {@code point}, {@code [upstream, heads]}. */
  public Tensor mask(String point) {
    Tensor t = masks.get(point);
    if (t == null) throw new IllegalArgumentException("no mask for destination point '" + point + "'");
    return t;
  }

  /** The masks in destination-point order (the inputs to differentiate with respect to). */
  public TensorVector tensors() {
    return new TensorVector(masks.values().toArray(new Tensor[0]));
  }

  /**
   * Edge attribution: the gradient of the scalar {@code metric} (computed from a pass patched with
   * these masks) with respect to every mask, as edge scores. Only the masks are differentiated
   * (no parameter gradient is touched); an edge the metric does not depend on scores 0.
   */
  public EdgeScores gradient(Tensor metric) {
    TensorVector grads = torch.grad(new TensorVector(metric), tensors(), new TensorVector(), new BoolOptional(), false, true);
    double[] v = new double[graph.edgeCount()];
    int i = 0;
    for (CircuitGraph.Point p : graph.destPoints()) {
      Tensor g = grads.get(i++);
      if (g == null || !g.defined()) continue;
      int cols = Math.max(1, p.heads());
      float[] f = TensorArrays.toFloats(g);
      for (Edge e : graph.edgesInto(p.point())) v[e.index()] = f[e.src().index() * cols + Math.max(0, e.dest().head())];
    }
    return new EdgeScores(graph, v);
  }

  @Override
  public void close() {
    for (Tensor t : masks.values()) t.releaseReference();
    masks.clear();
  }
}
