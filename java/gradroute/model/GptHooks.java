package gradroute.model;

/**
 * Names of {@link Gpt}'s hook points, so that no caller concatenates {@code "blocks." + l + ...}
 * by hand. Every name here is one of {@link Gpt#hookPoints}.
 */
public final class GptHooks {
  private GptHooks() {}

  /** The embedding (token, before positions). */
  public static final String EMBED = "hook_embed";
  /** The learned position embedding. */
  public static final String POS_EMBED = "hook_pos_embed";
  /** The final norm's output. */
  public static final String LN_FINAL = "ln_final.hook_normalized";

  /** {@code blocks.{layer}.{suffix}}, e.g. {@code block(2, "mlp.hook_post")}. */
  public static String block(int layer, String suffix) {
    if (layer < 0) throw new IllegalArgumentException("layer must be >= 0, got " + layer);
    return "blocks." + layer + "." + suffix;
  }

  /** The residual stream entering block {@code layer}. */
  public static String residPre(int layer) {
    return block(layer, "hook_resid_pre");
  }

  /** The residual stream after the block's attention. */
  public static String residMid(int layer) {
    return block(layer, "hook_resid_mid");
  }

  /** The residual stream leaving block {@code layer}. */
  public static String residPost(int layer) {
    return block(layer, "hook_resid_post");
  }

  /** The block's attention output {@code [batch, pos, d_model]}. */
  public static String attnOut(int layer) {
    return block(layer, "hook_attn_out");
  }

  /** Per-head attention values {@code attn.hook_z [batch, pos, head, d_head]}. */
  public static String z(int layer) {
    return block(layer, "attn.hook_z");
  }

  /** Per-head queries, keys or values ({@code which} is q, k or v) {@code [batch, pos, head, d_head]}, before rotary. */
  public static String qkv(int layer, char which) {
    if (which != 'q' && which != 'k' && which != 'v') throw new IllegalArgumentException("which must be q, k or v, got " + which);
    return block(layer, "attn.hook_" + which);
  }

  /** The attention pattern {@code [batch, head, query, key]}. */
  public static String pattern(int layer) {
    return block(layer, "attn.hook_pattern");
  }

  /** Per-head outputs written to the residual stream {@code attn.hook_result [batch, pos, head, d_model]} (without {@code b_O}). */
  public static String result(int layer) {
    return block(layer, "attn.hook_result");
  }

  /** A per-head copy of the residual stream read by the queries, keys or values ({@code which} is q, k or v): {@code [batch, pos, head, d_model]}. */
  public static String qkvInput(int layer, char which) {
    if (which != 'q' && which != 'k' && which != 'v') throw new IllegalArgumentException("which must be q, k or v, got " + which);
    return block(layer, "attn.hook_" + which + "_input");
  }

  /** The residual stream read by the MLP (before its norm). */
  public static String mlpIn(int layer) {
    return block(layer, "hook_mlp_in");
  }

  /** MLP pre-activations {@code [batch, pos, d_mlp]}. */
  public static String mlpPre(int layer) {
    return block(layer, "mlp.hook_pre");
  }

  /** MLP activations after the nonlinearity {@code [batch, pos, d_mlp]}: the neurons. */
  public static String mlpPost(int layer) {
    return block(layer, "mlp.hook_post");
  }

  /** The MLP's output {@code [batch, pos, d_model]}. */
  public static String mlpOut(int layer) {
    return block(layer, "hook_mlp_out");
  }
}
