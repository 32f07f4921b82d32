package gradroute.circuits;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The factorised edge graph of a residual model (AutoCircuit's {@code factorized} graph): every
 * source to every destination downstream of it. Sources and destinations sit at hook points, in the
 * order the points fire in a forward pass; a point with a head dim ({@code [batch, pos, head, d]})
 * holds one node per head, one without ({@code [batch, pos, d]}) a single node. A destination's
 * upstream sources are all sources declared before it.
 *
 * <p>The node-level graph is {@link #components()}: a head's result and its q/k/v inputs are one
 * component, an MLP's output and input another; {@link EdgeScores#byComponent()} aggregates edge
 * scores onto it.
 */
public final class CircuitGraph {
  /** A hook point that sources or destinations sit at; {@code heads} is 0 when it has no head dim. */
  public record Point(String point, int heads, boolean source, List<Node> nodes, int upstream) {}

  private final List<Point> points;
  private final List<Node> sources;
  private final List<Node> dests;
  private final List<Edge> edges;
  private final Map<String, Point> destPoints = new LinkedHashMap<>();
  private final Map<String, List<Edge>> edgesByDestPoint = new LinkedHashMap<>();

  private CircuitGraph(List<Point> points) {
    this.points = List.copyOf(points);
    List<Node> src = new ArrayList<>(), dst = new ArrayList<>();
    List<Edge> e = new ArrayList<>();
    for (Point p : points) {
      if (p.source()) {
        src.addAll(p.nodes());
        continue;
      }
      dst.addAll(p.nodes());
      destPoints.put(p.point(), p);
      List<Edge> here = new ArrayList<>();
      for (Node d : p.nodes()) {
        for (int s = 0; s < p.upstream(); s++) {
          Edge edge = new Edge(src.get(s), d, e.size());
          e.add(edge);
          here.add(edge);
        }
      }
      edgesByDestPoint.put(p.point(), List.copyOf(here));
    }
    this.sources = List.copyOf(src);
    this.dests = List.copyOf(dst);
    this.edges = List.copyOf(e);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Source and destination points in forward order. */
  public List<Point> points() {
    return points;
  }

  public List<Node> sources() {
    return sources;
  }

  public List<Node> destinations() {
    return dests;
  }

  /** Every edge, grouped by destination point in forward order, then by destination, then by source. */
  public List<Edge> edges() {
    return edges;
  }

  public int edgeCount() {
    return edges.size();
  }

  /** The destination points, in forward order. */
  public List<Point> destPoints() {
    return List.copyOf(destPoints.values());
  }

  /** The edges into the nodes of destination point {@code point}. */
  public List<Edge> edgesInto(String point) {
    List<Edge> e = edgesByDestPoint.get(point);
    if (e == null) throw new IllegalArgumentException("no destination point '" + point + "' in the graph (destinations: " + destPoints.keySet() + ")");
    return e;
  }

  /** The edge named {@code src->dest}. */
  public Edge edge(String name) {
    for (Edge e : edges) if (e.name().equals(name)) return e;
    throw new IllegalArgumentException("no edge '" + name + "' (edges look like " + edges.stream().limit(3).map(Edge::name).toList() + ")");
  }

  /** The node-level graph's nodes: every component, in forward order of first appearance. */
  public List<String> components() {
    Set<String> c = new LinkedHashSet<>();
    for (Point p : points) for (Node n : p.nodes()) c.add(n.component());
    return List.copyOf(c);
  }

  /** The edges leaving the sources of {@code component} (ablating them all ablates the component). */
  public List<Edge> outEdges(String component) {
    List<Edge> out = new ArrayList<>();
    for (Edge e : edges) if (e.src().component().equals(component)) out.add(e);
    if (out.isEmpty()) throw new IllegalArgumentException("component '" + component + "' has no outgoing edges (components: " + components() + ")");
    return Collections.unmodifiableList(out);
  }

  @Override
  public String toString() {
    return "CircuitGraph[" + sources.size() + " sources, " + dests.size() + " destinations, " + edges.size() + " edges]";
  }

  /** Declares points in forward order. */
  public static final class Builder {
    private final List<Point> points = new ArrayList<>();
    private int nSources, nDests;

    /** A source point without head dim, {@code [batch, pos, d]}. */
    public Builder source(String point, int layer, String component) {
      return add(point, 0, true, layer, new String[] {component}, new String[] {component});
    }

    /** A source point with a head dim {@code [batch, pos, head, d]}: one source per head, named by {@code components}. */
    public Builder headSources(String point, int layer, String... components) {
      return add(point, components.length, true, layer, components, components);
    }

    /** A destination point without head dim. */
    public Builder dest(String point, int layer, String name, String component) {
      return add(point, 0, false, layer, new String[] {name}, new String[] {component});
    }

    /** A destination point with a head dim: one destination per head. */
    public Builder headDests(String point, int layer, String[] names, String[] components) {
      if (names.length != components.length) throw new IllegalArgumentException(point + ": " + names.length + " names for " + components.length + " components");
      return add(point, names.length, false, layer, names, components);
    }

    private Builder add(String point, int heads, boolean source, int layer, String[] names, String[] components) {
      if (names.length == 0) throw new IllegalArgumentException("point '" + point + "' has no nodes");
      for (Point p : points) if (p.point().equals(point)) throw new IllegalArgumentException("point '" + point + "' declared twice");
      if (!source && nSources == 0) throw new IllegalArgumentException("destination '" + point + "' has no source upstream of it");
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < names.length; i++) {
        nodes.add(new Node(names[i], components[i], point, heads == 0 ? -1 : i, layer, source ? nSources++ : nDests++));
      }
      points.add(new Point(point, heads, source, List.copyOf(nodes), source ? 0 : nSources));
      return this;
    }

    public CircuitGraph build() {
      if (nDests == 0) throw new IllegalArgumentException("the graph has no destination");
      return new CircuitGraph(points);
    }
  }
}
