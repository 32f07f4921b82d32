package gradroute.model.era;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * What Expand grows, appended after the original dims.
 *
 * @param mlpLayers the blocks whose MLP gets {@code mlpNeurons} new hidden units (the main case)
 * @param mlpNeurons new MLP units per chosen block
 * @param heads new attention heads in every block (changes nothing while their {@code W_O} rows are zero)
 * @param dHead new dims per head in every block (with {@code attnScale} this changes the function)
 * @param dModel new residual stream dims (changes LayerNorm statistics, so the function)
 * @param initLayers blocks whose new parameters get {@code coeff ×} the default init; new
 *     parameters elsewhere (and outside blocks) start at zero
 * @param coeff the init multiplier in {@code initLayers}
 * @param seed seed of the new parameters' random values
 */
public record ExpansionSpec(int[] mlpLayers, int mlpNeurons, int heads, int dHead, int dModel,
    Set<Integer> initLayers, double coeff, long seed) {

  public ExpansionSpec {
    mlpLayers = mlpLayers == null ? new int[0] : mlpLayers.clone();
    if (mlpNeurons < 0 || heads < 0 || dHead < 0 || dModel < 0) {
      throw new IllegalArgumentException("expansion sizes must be >= 0: mlpNeurons=" + mlpNeurons + ", heads=" + heads
          + ", dHead=" + dHead + ", dModel=" + dModel);
    }
    if (mlpNeurons > 0 && mlpLayers.length == 0) throw new IllegalArgumentException("mlpNeurons > 0 but no mlpLayers chosen");
    if (!Double.isFinite(coeff)) throw new IllegalArgumentException("coeff must be finite, got " + coeff);
    initLayers = Set.copyOf(initLayers == null ? Set.of() : initLayers);
    if (Arrays.stream(mlpLayers).distinct().count() != mlpLayers.length) {
      throw new IllegalArgumentException("mlpLayers has duplicates: " + Arrays.toString(mlpLayers));
    }
  }

  /**
   * {@code neurons} new MLP units in each of {@code layers}, initialised with {@code coeff ×} the
   * default init in those same layers (coeff 0: the expanded model computes the original function).
   */
  public static ExpansionSpec mlp(int[] layers, int neurons, double coeff, long seed) {
    Set<Integer> init = new TreeSet<>();
    for (int l : layers) init.add(l);
    return new ExpansionSpec(layers, neurons, 0, 0, 0, init, coeff, seed);
  }

  @Override
  public int[] mlpLayers() {
    return mlpLayers.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExpansionSpec s && Arrays.equals(mlpLayers, s.mlpLayers) && mlpNeurons == s.mlpNeurons
        && heads == s.heads && dHead == s.dHead && dModel == s.dModel && initLayers.equals(s.initLayers)
        && Double.compare(coeff, s.coeff) == 0 && seed == s.seed;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(Arrays.hashCode(mlpLayers), mlpNeurons, heads, dHead, dModel, initLayers, coeff, seed);
  }

  @Override
  public String toString() {
    return "ExpansionSpec[mlpLayers=" + Arrays.toString(mlpLayers) + ", mlpNeurons=" + mlpNeurons + ", heads=" + heads
        + ", dHead=" + dHead + ", dModel=" + dModel + ", initLayers=" + new TreeSet<>(initLayers) + ", coeff=" + coeff
        + ", seed=" + seed + "]";
  }
}
