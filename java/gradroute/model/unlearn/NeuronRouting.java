package gradroute.model.unlearn;

import gradroute.model.GptHooks;
import gradroute.hooks.HookHandle;
import gradroute.hooks.MaskApplier;
import gradroute.hooks.MaskRule;
import gradroute.model.Gpt;
import gradroute.model.LmRouting;
import gradroute.model.TokenBatch;
import gradroute.routing.MaskTable;
import gradroute.routing.SequenceRule;
import gradroute.routing.TokenRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Routing into a few existing MLP neurons, without expansion (the paper's virology run): at {@code blocks.{l}.mlp.hook_post} of the routed blocks, a position whose mask
 * index is 0 gets gradient weight {@code wOn} on the chosen neurons (the paper: 0..k−1) and {@code wOff} on
 * the others (the paper: 1 and −5e-8); every other position gets all ones. An optional L1 term
 * {@code l1 · Σ|h'| / (batch · positions)} over the masked activations {@code h'} of the routed
 * blocks only is summed during the forward pass; its hooks run after the masks, so its gradient is
 * masked like the loss's.
 *
 * <p>With {@code wOn = 0, wOff = 1} and index 0 everywhere ({@link #setEverywhere}) the same class
 * blocks the gradient into the chosen neurons' input weights, as the coherence fine-tune does
 * after they are ablated.
 *
 * <p>As an {@link LmRouting}, a batch is routed at the positions whose target is one of the routed
 * tokens given to the constructor (at every position without them); the L1 term is its penalty.
 */
public final class NeuronRouting implements LmRouting, AutoCloseable {
  public static final String HOOK_TYPE = "mlp.hook_post";

  /**
   * @param layers the routed blocks
   * @param neurons the neurons of each routed block that receive the routed gradient (the paper: 0..k−1)
   * @param wOn gradient weight on those neurons at routed positions
   * @param wOff gradient weight on the other neurons at routed positions
   * @param l1 coefficient of the L1 term on the masked activations (0: none)
   */
  public record Spec(int[] layers, int[] neurons, double wOn, double wOff, double l1) {
    public Spec {
      layers = layers.clone();
      neurons = neurons.clone();
      if (layers.length == 0) throw new IllegalArgumentException("no routed layers");
      if (neurons.length == 0) throw new IllegalArgumentException("no routed neurons");
      if (!Double.isFinite(wOn) || !Double.isFinite(wOff)) throw new IllegalArgumentException("mask weights must be finite");
      if (!(l1 >= 0)) throw new IllegalArgumentException("l1 must be >= 0, got " + l1);
    }

    @Override
    public int[] layers() {
      return layers.clone();
    }

    @Override
    public int[] neurons() {
      return neurons.clone();
    }

    /** The paper's mask on neurons 0..k−1: w_on 1, w_off −5e-8. */
    public static Spec paper(int[] layers, int k, double l1) {
      return new Spec(layers, MaskTable.range(0, k), 1.0, -5e-8, l1);
    }

    /** No gradient into {@code neurons} of each block (after they are ablated), all ones elsewhere. */
    public static Spec blocking(int[] layers, int[] neurons) {
      return new Spec(layers, neurons, 0.0, 1.0, 0.0);
    }

    @Override
    public String toString() {
      return "NeuronRouting.Spec[layers=" + java.util.Arrays.toString(layers) + ", neurons=" + java.util.Arrays.toString(neurons)
          + ", wOn=" + wOn + ", wOff="
          + wOff + ", l1=" + l1 + "]";
    }
  }

  /** The mask index of routed positions. */
  public static final int ROUTED = 0;

  private final Spec spec;
  private final Gpt model;
  private final MaskApplier masks;
  private final List<HookHandle> l1Hooks = new ArrayList<>();
  private final int noMask;
  private final SequenceRule rule;
  private Tensor l1Sum;
  private long positions = 1;
  private boolean active;

  /** Routes every position of a batch set through {@link #set(TokenBatch, boolean[])}. */
  public NeuronRouting(Gpt model, Spec spec) {
    this(model, spec, null);
  }

  /**
   * @param routedTargets the tokens whose predicting positions a batch set through {@link
   *     #set(TokenBatch, boolean[])} routes (null: every position)
   */
  public NeuronRouting(Gpt model, Spec spec, int[] routedTargets) {
    this.spec = spec;
    this.model = model;
    Map<String, MaskTable> tables = new LinkedHashMap<>();
    int rows = 0;
    for (int l : spec.layers()) {
      if (l < 0 || l >= model.config().nLayers()) {
        throw new IllegalArgumentException("routed layer " + l + " is outside the model's " + model.config().nLayers() + " blocks");
      }
      int width = model.config().dMlp(l);
      for (int n : spec.neurons()) {
        if (n < 0 || n >= width) throw new IllegalArgumentException("routed neuron " + n + " is outside layer " + l + "'s " + width + " MLP neurons");
      }
      MaskTable t = MaskTable.builder(width).dims(spec.neurons(), spec.wOn(), spec.wOff()).build();
      tables.put(GptHooks.block(l, HOOK_TYPE), t);
      rows = t.size();
    }
    this.noMask = rows - 1;
    if (routedTargets == null) {
      this.rule = null;
    } else {
      Map<Long, Integer> table = new HashMap<>();
      for (int id : routedTargets) table.put((long) id, ROUTED);
      this.rule = new TokenRule(table, noMask);
    }
    masks = MaskApplier.apply(model, tables.keySet(), MaskRule.byPoint(tables), model.device());
    if (spec.l1() > 0) {
      for (String point : tables.keySet()) {
        l1Hooks.add(model.hooks().add(point, x -> {
          if (!active) return x;
          Tensor s = x.abs().sum();
          l1Sum = l1Sum == null ? s : l1Sum.add(s);
          return x;
        }));
      }
    }
  }

  public Spec spec() {
    return spec;
  }

  /** The index every unrouted position gets (all ones). */
  public int noMaskIndex() {
    return noMask;
  }

  /** Routes the next forward pass by the constructor's routed tokens (the labels are not used). */
  @Override
  public void set(TokenBatch batch, boolean[] routed) {
    if (rule == null) setEverywhere(batch);
    else set(batch, rule);
  }

  /** Routes the next forward pass: {@code rule} gives index {@link #ROUTED} at the positions to route. */
  public void set(TokenBatch batch, SequenceRule rule) {
    set(batch, rule.indexTensor(batch.sequences(), batch.positions()));
  }

  /** Index {@link #ROUTED} at every position of the next forward pass. */
  public void setEverywhere(TokenBatch batch) {
    set(batch, org.bytedeco.pytorch.global.torch.zeros(new long[] {batch.size(), batch.positions()},
        new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Long)));
  }

  private void set(TokenBatch batch, Tensor index) {
    if (!model.device().is_cpu()) index = index.to(model.device(), org.bytedeco.pytorch.global.torch.ScalarType.Long);
    masks.set(index, null);
    l1Sum = null;
    positions = (long) batch.size() * batch.positions();
    active = true;
  }

  /** The L1 term of the last forward pass (null when L1 is off or nothing ran) and resets it. */
  @Override
  public Tensor penalty() {
    if (spec.l1() <= 0 || l1Sum == null) return null;
    Tensor out = l1Sum.mul(new Scalar(spec.l1() / positions));
    l1Sum = null;
    return out;
  }

  /** Drops the batch's indices: the hooks pass activations through (evaluation). */
  @Override
  public void clear() {
    masks.clear();
    l1Sum = null;
    active = false;
  }

  @Override
  public void close() {
    for (HookHandle h : l1Hooks) h.remove();
    l1Hooks.clear();
    masks.close();
  }
}
