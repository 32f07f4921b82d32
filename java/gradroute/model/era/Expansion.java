package gradroute.model.era;

import gradroute.model.GptHooks;
import gradroute.hooks.HookHandle;
import gradroute.model.ComponentAblation;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expand and Ablate: growing a {@link Gpt} by new dims appended after the original ones, and
 * cutting it back to the original shape.
 *
 * <p>Every parameter of the expanded model holds the original's values in its leading slice
 * {@code [0:size]} along each dim (copies: changing the original later does not change it). New
 * entries are {@code coeff ×} the default init in {@link ExpansionSpec#initLayers()} and zero
 * elsewhere, so with zero new weights an MLP or head expansion computes exactly the original
 * function, and with nonzero ones zero-ablating the new units gives the original function back.
 */
public final class Expansion {
  private static final Logger log = LoggerFactory.getLogger(Expansion.class);

  private Expansion() {}

  /** The configuration {@code spec} turns {@code config} into. */
  public static GptConfig expandedConfig(GptConfig config, ExpansionSpec spec) {
    int[] dMlp = config.dMlp();
    for (int l : spec.mlpLayers()) {
      if (l < 0 || l >= config.nLayers()) {
        throw new IllegalArgumentException("cannot expand MLP of layer " + l + ": the model has layers 0.." + (config.nLayers() - 1));
      }
      dMlp[l] += spec.mlpNeurons();
    }
    for (int l : spec.initLayers()) {
      if (l < 0 || l >= config.nLayers()) {
        throw new IllegalArgumentException("init layer " + l + " is outside 0.." + (config.nLayers() - 1));
      }
    }
    return new GptConfig(config.nLayers(), config.dModel() + spec.dModel(), config.nHeads() + spec.heads(),
        config.dHead() + spec.dHead(), dMlp, config.vocab(), config.nCtx(), config.attnScale(), config.lnEps(),
        config.initStd());
  }

  /** Expand: a new model, {@code model}'s weights copied into the leading slices. */
  public static Gpt expand(Gpt model, ExpansionSpec spec) {
    GptConfig big = expandedConfig(model.config(), spec);
    if (spec.dHead() > 0 && model.config().attnScale()) {
      log.warn("expanding d_head changes the attention scale 1/sqrt(d_head), so the model's function");
    }
    if (spec.dModel() > 0) log.warn("expanding d_model changes LayerNorm statistics, so the model's function");
    Gpt out = Gpt.zeros(big, model.device());
    SplittableRandom rng = new SplittableRandom(spec.seed());
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, long[]> e : Gpt.parameterShapes(big).entrySet()) {
        String name = e.getKey();
        SplittableRandom own = rng.split(); // one stream per parameter, in order
        Tensor target = out.parameter(name);
        int layer = layerOf(name);
        if (layer >= 0 && spec.initLayers().contains(layer) && spec.coeff() != 0) {
          float[] v = Gpt.initialValues(name, e.getValue(), big.initStd(), own);
          for (int i = 0; i < v.length; i++) v[i] *= (float) spec.coeff();
          target.copy_(Tensor.create(v, e.getValue()));
        }
        Tensor source = model.parameter(name);
        leadingSlice(target, source.shape()).copy_(source);
      }
    }
    return out;
  }

  /**
   * Ablate: a model of the {@code original} configuration holding every parameter's leading slice
   * {@code [0:size]} along each dim; the expanded dims are dropped. Its shapes equal the
   * original's exactly.
   */
  public static Gpt ablate(Gpt expanded, GptConfig original) {
    GptConfig c = expanded.config();
    if (c.nLayers() != original.nLayers() || c.vocab() != original.vocab() || c.nCtx() != original.nCtx()) {
      throw new IllegalArgumentException("cannot contract " + c + " to " + original
          + ": layers, vocabulary and context must agree");
    }
    Gpt out = Gpt.zeros(original, expanded.device());
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, long[]> e : Gpt.parameterShapes(original).entrySet()) {
        Tensor source = expanded.parameter(e.getKey());
        long[] have = source.shape();
        long[] want = e.getValue();
        for (int d = 0; d < want.length; d++) {
          if (want[d] > have[d]) {
            out.close();
            throw new IllegalArgumentException("cannot contract '" + e.getKey() + "' of shape " + Arrays.toString(have)
                + " to the larger " + Arrays.toString(want));
          }
        }
        out.parameter(e.getKey()).copy_(leadingSlice(source, want));
      }
    }
    return out;
  }

  /**
   * Zero-ablates the MLP units from {@code keep} on in block {@code layer} (a hook on {@code
   * mlp.hook_post}); the model itself is unchanged. Close the handle to undo.
   */
  public static HookHandle zeroAblateMlp(Gpt model, int layer, int keep) {
    int width = model.config().dMlp(layer);
    if (keep < 0 || keep > width) throw new IllegalArgumentException("keep must be in 0.." + width + ", got " + keep);
    float[] mask = new float[width];
    Arrays.fill(mask, 0, keep, 1f);
    return ComponentAblation.zeroAblate(model, new ComponentAblation.Edit(GptHooks.mlpPost(layer), mask));
  }

  /** The block index of a parameter or hook name ({@code blocks.{i}....}), or -1. */
  public static int layerOf(String name) {
    if (!name.startsWith("blocks.")) return -1;
    int end = name.indexOf('.', 7);
    return Integer.parseInt(name.substring(7, end));
  }

  static Tensor leadingSlice(Tensor t, long[] sizes) {
    Tensor s = t;
    for (int d = 0; d < sizes.length; d++) if (s.size(d) != sizes[d]) s = s.narrow(d, 0, sizes[d]);
    return s;
  }
}
