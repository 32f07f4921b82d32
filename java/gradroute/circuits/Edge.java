package gradroute.circuits;

/**
 * A path from a source to a destination through the residual stream; patching it replaces the
 * source's contribution to that one destination's input.
 *
 * @param index the edge's position in {@link CircuitGraph#edges()}
 */
public record Edge(Node src, Node dest, int index) {
  /** {@code src->dest}, as AutoCircuit names edges. */
  public String name() {
    return src.name() + "->" + dest.name();
  }

  /** Whether either end belongs to node-level component {@code component}. */
  public boolean touches(String component) {
    return src.component().equals(component) || dest.component().equals(component);
  }

  @Override
  public String toString() {
    return name();
  }
}
