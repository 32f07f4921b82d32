package gradroute.model.unlearn;

import gradroute.model.GptHooks;
import gradroute.model.ComponentAblation;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Deleting chosen MLP neurons of chosen blocks, two equivalent ways: in the weights ({@link
 * #zeroWeights}: the neurons' {@code W_in} columns, {@code b_in} entries and {@code W_out} rows, so
 * that h = GELU(0) = 0 and nothing is written out), or at forward time ({@link #component}, applied
 * with {@link ComponentAblation#measureWithout}: h ← h ⊙ keep at {@code mlp.hook_post}). Every
 * listed neuron is removed; the official eval script's {@code [:79]} slices spare neuron 79 of
 * 0..79 and zero only column 0 of {@code c_fc}.
 */
public final class NeuronAblation {
  private NeuronAblation() {}

  /** Neurons {@code neurons[l]} of block {@code layers[l]}. */
  public record Selection(int[] layers, int[][] neurons) {
    public Selection {
      if (layers.length != neurons.length) throw new IllegalArgumentException(layers.length + " layers but " + neurons.length + " neuron lists");
      layers = layers.clone();
      neurons = Arrays.stream(neurons).map(int[]::clone).toArray(int[][]::new);
    }

    /** The same neurons in every listed block. */
    public static Selection of(int[] layers, int[] neurons) {
      int[][] n = new int[layers.length][];
      for (int i = 0; i < layers.length; i++) n[i] = neurons.clone();
      return new Selection(layers, n);
    }

    @Override
    public int[] layers() {
      return layers.clone();
    }

    @Override
    public int[][] neurons() {
      return Arrays.stream(neurons).map(int[]::clone).toArray(int[][]::new);
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("Selection[");
      for (int i = 0; i < layers.length; i++) b.append(i == 0 ? "" : ", ").append("L").append(layers[i]).append(Arrays.toString(neurons[i]));
      return b.append(']').toString();
    }
  }

  /** Zeroes the selected neurons' input and output weights in place. */
  public static void zeroWeights(Gpt model, Selection s) {
    GptConfig c = model.config();
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (int i = 0; i < s.layers.length; i++) {
        int l = s.layers[i];
        check(c, l, s.neurons[i]);
        String b = "blocks." + l + ".mlp.";
        Tensor wIn = model.parameter(b + "W_in"), bIn = model.parameter(b + "b_in"), wOut = model.parameter(b + "W_out");
        for (int n : s.neurons[i]) {
          wIn.select(1, n).zero_();
          bIn.select(0, n).zero_();
          wOut.select(0, n).zero_();
        }
      }
    }
  }

  /** The forward-time ablation of the selection, as a {@link ComponentAblation.Component}. */
  public static ComponentAblation.Component component(GptConfig c, String name, Selection s) {
    List<ComponentAblation.Edit> edits = new ArrayList<>();
    for (int i = 0; i < s.layers.length; i++) {
      int l = s.layers[i];
      check(c, l, s.neurons[i]);
      float[] keep = new float[c.dMlp(l)];
      Arrays.fill(keep, 1f);
      for (int n : s.neurons[i]) keep[n] = 0f;
      edits.add(new ComponentAblation.Edit(GptHooks.block(l, NeuronRouting.HOOK_TYPE), keep));
    }
    return new ComponentAblation.Component(name, edits);
  }

  private static void check(GptConfig c, int layer, int[] neurons) {
    if (layer < 0 || layer >= c.nLayers()) throw new IllegalArgumentException("ablated layer " + layer + " is outside the model's " + c.nLayers() + " blocks");
    for (int n : neurons) {
      if (n < 0 || n >= c.dMlp(layer)) {
        throw new IllegalArgumentException("ablated neuron " + n + " of layer " + layer + " is outside its " + c.dMlp(layer) + " neurons");
      }
    }
  }
}
