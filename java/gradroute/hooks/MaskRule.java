package gradroute.hooks;

import gradroute.routing.MaskTable;
import java.util.Map;

/**
 * What a gradient mask is at each hooked point: the {@link MaskTable} whose rows the batch's mask
 * indices pick, built for the point's row shape (the activation's dims after the index's, e.g.
 * {@code [d_model]} at {@code hook_resid_post}, {@code [d_mlp]} at {@code mlp.hook_post}, {@code
 * [n_heads, d_head]} at {@code attn.hook_z}). One rule thereby serves many layers and hook types, as
 * the official {@code MaskSpec.mask_lookup} does; which index a batch position gets is the
 * caller's (a {@code TokenRule}, {@code ConceptRule}, {@code ExampleRule}, ...), given to {@link
 * MaskApplier#set}.
 */
@FunctionalInterface
public interface MaskRule {
  /**
   * @param point the hook point's full name
   * @param rowShape the activation's dims after the index dims (the table's rows must have this shape)
   */
  MaskTable table(String point, long[] rowShape);

  /**
   * The same table at every point. ({@link MaskApplier} rejects a table whose rows do not fit a
   * point, naming the point and both shapes.)
   */
  static MaskRule of(MaskTable table) {
    if (table == null) throw new IllegalArgumentException("mask table is null");
    return (point, rowShape) -> table;
  }

  /** A table of its own at each point (e.g. per layer). */
  static MaskRule byPoint(Map<String, MaskTable> tables) {
    Map<String, MaskTable> copy = Map.copyOf(tables);
    return (point, rowShape) -> {
      MaskTable t = copy.get(point);
      if (t == null) throw new IllegalArgumentException("no mask table for hook point '" + point + "'; tables are for " + copy.keySet());
      return t;
    };
  }
}
