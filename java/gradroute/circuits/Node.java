package gradroute.circuits;

/**
 * One end of an edge: a source (writes to the residual stream: the embedding, a head's result, an
 * MLP's output) or a destination (reads from it: a head's query/key/value input, an MLP's input,
 * the final residual).
 *
 * @param name unique among the graph's sources (or destinations), e.g. {@code A1.3} or {@code A1.3.q}
 * @param component the node of the node-level graph it belongs to ({@code A1.3} for a head's result
 *     and its q/k/v inputs alike, {@code MLP1}, {@code Embed}, {@code Resid End})
 * @param point the hook point it is read or patched at
 * @param head its index along the point's head dim, or -1 when the point has none
 * @param layer the block it belongs to (the embedding is layer 0, the final residual {@code n_layers})
 * @param index its position among the graph's sources (or destinations), in forward order
 */
public record Node(String name, String component, String point, int head, int layer, int index) {
  @Override
  public String toString() {
    return name;
  }
}
