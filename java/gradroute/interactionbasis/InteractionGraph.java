package gradroute.interactionbasis;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * What {@link InteractionBasis#build} finds: a basis per node layer, in the order of the node
 * positions, and the squared edges between consecutive node layers.
 *
 * @param edges {@code edges.get(i)} is {@code [k of node i+1, k of node i]}: entry (a, b) is how much
 *     feature b of node i feeds feature a of node i+1 (squared integrated-gradient attributions,
 *     averaged over the data; all ≥ 0)
 */
public record InteractionGraph(InteractionBasis.Options options, List<NodeBasis> nodes, List<Tensor> edges) {
  public NodeBasis node(int index) {
    return nodes.get(index);
  }

  /** The node layer at a stack position. */
  public NodeBasis atPosition(int position) {
    for (NodeBasis n : nodes) if (n.position() == position) return n;
    throw new IllegalArgumentException("no node layer at position " + position + "; the graph has "
        + nodes.stream().map(NodeBasis::position).toList());
  }

  /** The edges from the node layer at {@code position} to the next node layer. */
  public Tensor edgesFrom(int position) {
    for (int i = 0; i + 1 < nodes.size(); i++) if (nodes.get(i).position() == position) return edges.get(i);
    throw new IllegalArgumentException("no edges leave position " + position + " (the last node layer, or not a node layer)");
  }
}
