package gradroute.circuits;

import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.GptHooks;

/**
 * The factorised edge graph of the project's {@link Gpt}, on its hook points. Sources: the
 * embedding ({@code Embed}, read at {@code blocks.0.hook_resid_pre}, positions included), every
 * head's result ({@code A{l}.{h}} at {@code attn.hook_result}) and every MLP's output ({@code
 * MLP{l}} at {@code hook_mlp_out}). Destinations: every head's query, key and value input ({@code
 * A{l}.{h}.q/k/v} at {@code attn.hook_{q,k,v}_input}; with grouped-query attention one key/value
 * destination per key/value head), every MLP's input ({@code MLP{l}} at {@code hook_mlp_in}) and
 * the final residual ({@code Resid End} at the last block's {@code hook_resid_post}). Biases (b_O,
 * b_out) stay in every destination's input, as in AutoCircuit.
 */
public final class GptGraphs {
  private GptGraphs() {}

  public static final String EMBED = "Embed";
  public static final String RESID_END = "Resid End";

  /** The node-level name of head {@code head} of block {@code layer}. */
  public static String head(int layer, int head) {
    return "A" + layer + "." + head;
  }

  /** The node-level name of block {@code layer}'s MLP. */
  public static String mlp(int layer) {
    return "MLP" + layer;
  }

  public static CircuitGraph graph(GptConfig c) {
    CircuitGraph.Builder b = CircuitGraph.builder().source(GptHooks.residPre(0), 0, EMBED);
    for (int l = 0; l < c.nLayers(); l++) {
      for (char which : new char[] {'q', 'k', 'v'}) {
        int heads = which == 'q' ? c.nHeads() : c.nKvHeads();
        String[] names = new String[heads], comps = new String[heads];
        for (int h = 0; h < heads; h++) {
          comps[h] = head(l, which == 'q' ? h : h * (c.nHeads() / c.nKvHeads()));
          names[h] = head(l, h) + "." + which;
        }
        b.headDests(GptHooks.qkvInput(l, which), l, names, comps);
      }
      String[] heads = new String[c.nHeads()];
      for (int h = 0; h < heads.length; h++) heads[h] = head(l, h);
      b.headSources(GptHooks.result(l), l, heads);
      b.dest(GptHooks.mlpIn(l), l, mlp(l), mlp(l));
      b.source(GptHooks.mlpOut(l), l, mlp(l));
    }
    return b.dest(GptHooks.residPost(c.nLayers() - 1), c.nLayers(), RESID_END, RESID_END).build();
  }

  /** {@code gpt} with its edge graph; inputs are token ids {@code [batch, pos]}, outputs logits. */
  public static PatchableModel patchable(Gpt gpt) {
    return new PatchableModel(gpt, gpt::forward, graph(gpt.config()), gpt.device());
  }
}
