package gradroute.hooks;

import gradroute.routing.MaskTable;
import java.util.Arrays;

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
   * @param rowShape the activation's dims after the index dims
   */
  MaskTable table(String point, long[] rowShape);

  /** The same table at every point; a point whose rows have another shape is an error naming it. */
  static MaskRule of(MaskTable table) {
    return (point, rowShape) -> {
      if (!Arrays.equals(rowShape, table.rowShape())) {
        throw new IllegalArgumentException("mask rows " + Arrays.toString(table.rowShape()) + " do not fit hook point '"
            + point + "', whose rows are " + Arrays.toString(rowShape));
      }
      return table;
    };
  }
}
