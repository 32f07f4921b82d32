package gradroute.model.era;

import gradroute.model.GptHooks;
import gradroute.hooks.HookHandle;
import gradroute.hooks.MaskApplier;
import gradroute.hooks.MaskRule;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmRouting;
import gradroute.model.TokenBatch;
import gradroute.routing.MaskTable;
import gradroute.routing.SequenceRule;
import gradroute.routing.SoftTokenRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Route: the ERA gradient masks on the MLP hidden units ({@code blocks.{l}.mlp.hook_post}) of an
 * expanded model, applied by one {@link MaskApplier} over the routed layers.
 *
 * <p>Each routed layer has a mask table of three rows over its {@code d_mlp + added} units:
 * <ol start="0">
 *   <li>target: {@code lrTargetOriginal} on the original units, {@code lrTargetExpanded} on the added ones;
 *   <li>off-target: 1 on the original units, {@code lrOffTargetExpanded} on the added ones;
 *   <li>no masking: all ones.
 * </ol>
 * Positions of stories that are not routed get the off-target row (the no-mask row when {@code
 * lrOffTargetExpanded == 1}, as in the TinyStories experiment). Positions of routed stories get the
 * target row, softened by a per-token weight {@code w} (0 = fully routed, 1 = no mask): the gate is
 * {@code (1 - w)·target + w·ones}, i.e. {@code 1.75·w − 0.75} on the original units for {@code
 * lrTargetOriginal = −0.75}, or hard by a {@link SequenceRule} (index 0 = target).
 *
 * <p>An optional L1 penalty on the hooked activations (all positions, padding included, not
 * routed; all units of the routed layers as in the paper, or only the added ones) is accumulated
 * during the forward pass; read it with {@link #penalty()}.
 */
public final class EraRouting implements LmRouting, AutoCloseable {
  /**
   * @param layers the blocks whose MLP units are routed (the expanded ones)
   * @param lrTargetOriginal gate on the original units at target positions (TinyStories: −0.75)
   * @param lrTargetExpanded gate on the added units at target positions (TinyStories: 1)
   * @param lrOffTargetExpanded gate on the added units elsewhere (TinyStories: 1; core default 0)
   * @param l1 L1 coefficient on the hooked activations (TinyStories: 1e-4), 0 for none
   * @param l1AddedOnly penalise only the added units (false: every unit of the routed layers, as
   *     the TinyStories experiment does)
   */
  public record Spec(int[] layers, double lrTargetOriginal, double lrTargetExpanded, double lrOffTargetExpanded, double l1,
      boolean l1AddedOnly) {
    public Spec {
      layers = layers.clone();
    }

    public Spec(int[] layers, double lrTargetOriginal, double lrTargetExpanded, double lrOffTargetExpanded, double l1) {
      this(layers, lrTargetOriginal, lrTargetExpanded, lrOffTargetExpanded, l1, false);
    }

    /** The TinyStories experiment's mask: α_orig = −0.75, added units always 1, L1 1e-4 on all units. */
    public static Spec tinyStories(int[] layers) {
      return new Spec(layers, -0.75, 1.0, 1.0, 1e-4, false);
    }

    @Override
    public int[] layers() {
      return layers.clone();
    }

    public Spec withL1(double coefficient, boolean addedOnly) {
      return new Spec(layers, lrTargetOriginal, lrTargetExpanded, lrOffTargetExpanded, coefficient, addedOnly);
    }
  }

  /** The routed hook type: the MLP hidden units after the nonlinearity. */
  public static final String HOOK_TYPE = "mlp.hook_post";

  private static final int TARGET = 0;
  private static final int OFF_TARGET = 1;
  private static final int NO_MASK = 2;

  private final Spec spec;
  private final Device device;
  private final List<MaskTable> tables = new ArrayList<>();
  private final List<HookHandle> l1Hooks = new ArrayList<>();
  private final MaskApplier masks;
  private final SoftTokenRule weights;
  private Tensor l1Sum;
  private long l1Positions = 1;

  /**
   * Attaches the masks to {@code expanded}.
   *
   * @param original the configuration before expansion (its {@code d_mlp} marks the original units)
   * @param routing false for the ERA control: hooks stay (for L1) but nothing is routed
   */
  public EraRouting(Gpt expanded, GptConfig original, Spec spec, boolean routing) {
    this(expanded, original, spec, routing, null);
  }

  /**
   * @param weights the per-token routing weights of routed stories in {@link #set(TokenBatch,
   *     boolean[])} (null: every position of a routed story fully routed)
   */
  public EraRouting(Gpt expanded, GptConfig original, Spec spec, boolean routing, SoftTokenRule weights) {
    this.spec = spec;
    this.weights = weights == null ? new SoftTokenRule(new float[expanded.config().vocab()]) : weights;
    this.device = expanded.device();
    Map<String, MaskTable> tableOf = new LinkedHashMap<>();
    for (int l : spec.layers()) {
      if (l < 0 || l >= original.nLayers()) throw new IllegalArgumentException("routed layer " + l + " does not exist");
      int orig = original.dMlp(l);
      int total = expanded.config().dMlp(l);
      if (total <= orig) {
        throw new IllegalArgumentException("layer " + l + " has no added MLP units to route to (" + total + " units, "
            + orig + " originally)");
      }
      MaskTable table = MaskTable.builder(total)
          .values(row(orig, total, spec.lrTargetOriginal(), spec.lrTargetExpanded()))
          .values(row(orig, total, 1.0, spec.lrOffTargetExpanded()))
          .build();
      tables.add(table);
      String point = GptHooks.block(l, HOOK_TYPE);
      tableOf.put(point, table);
      if (spec.l1() > 0) {
        // registered before the masks, so the penalty's own gradient is not routed
        l1Hooks.add(expanded.hooks().add(point, x -> {
          Tensor s = (spec.l1AddedOnly() ? x.narrow(-1, orig, total - orig) : x).abs().sum();
          l1Sum = l1Sum == null ? s : l1Sum.add(s);
          return x;
        }));
      }
    }
    masks = MaskApplier.apply(expanded, spec.layers(), List.of(HOOK_TYPE),
        MaskRule.byPoint(tableOf), device);
    masks.setEnabled(routing);
  }

  private static float[] row(int orig, int total, double original, double added) {
    float[] r = new float[total];
    Arrays.fill(r, 0, orig, (float) original);
    Arrays.fill(r, orig, total, (float) added);
    return r;
  }

  public Spec spec() {
    return spec;
  }

  /** The mask table of the i-th routed layer (rows: target, off-target, no mask). */
  public MaskTable table(int i) {
    return tables.get(i);
  }

  public void setRouting(boolean on) {
    masks.setEnabled(on);
  }

  /**
   * Soft routing for the next forward pass by the constructor's token weights; no labels (null)
   * routes no story.
   */
  @Override
  public void set(TokenBatch batch, boolean[] routed) {
    set(batch, routed == null ? new boolean[batch.size()] : routed, weights);
  }

  /**
   * Soft routing for the next forward pass: stories with {@code routed[b]} get the target row
   * weighted by {@code weights} (the predicted token's weight, {@link SoftTokenRule}); the others
   * get the off-target row.
   */
  public void set(TokenBatch batch, boolean[] routed, SoftTokenRule weights) {
    int p = batch.positions();
    long[][] seqs = batch.sequences();
    checkSize(batch, routed);
    long[] index = new long[seqs.length * p];
    float[] weight = new float[seqs.length * p];
    long offIndex = spec.lrOffTargetExpanded() == 1.0 ? NO_MASK : OFF_TARGET;
    for (int b = 0; b < seqs.length; b++) {
      if (routed[b]) {
        float[] w = weights.forSequence(seqs[b]);
        for (int t = 0; t < p; t++) {
          index[b * p + t] = TARGET;
          weight[b * p + t] = w[t];
        }
      } else {
        Arrays.fill(index, b * p, (b + 1) * p, offIndex);
      }
    }
    setIndices(batch, index, weight);
  }

  /**
   * Hard routing for the next forward pass: in stories with {@code routed[b]}, positions the rule
   * gives index 0 get the target row; every other position gets the off-target row. A {@code
   * ConceptRule} or {@code TokenRule} mapping the forget words to 0 fits here.
   */
  public void set(TokenBatch batch, boolean[] routed, SequenceRule rule) {
    int p = batch.positions();
    long[][] seqs = batch.sequences();
    checkSize(batch, routed);
    long[] index = new long[seqs.length * p];
    long offIndex = spec.lrOffTargetExpanded() == 1.0 ? NO_MASK : OFF_TARGET;
    for (int b = 0; b < seqs.length; b++) {
      long[] r = routed[b] ? rule.forSequence(seqs[b]) : null;
      for (int t = 0; t < p; t++) index[b * p + t] = r != null && r[t] == 0 ? TARGET : offIndex;
    }
    setIndices(batch, index, null);
  }

  private void setIndices(TokenBatch batch, long[] index, float[] weight) {
    int n = batch.size(), p = batch.positions();
    Tensor idx = Tensor.create(index, n, p);
    Tensor w = weight == null ? null : Tensor.create(weight, n, p);
    if (!device.is_cpu()) {
      idx = idx.to(device, ScalarType.Long);
      if (w != null) w = w.to(device, ScalarType.Float);
    }
    masks.set(idx, w);
    l1Sum = null;
    l1Positions = (long) n * p;
  }

  private static void checkSize(TokenBatch batch, boolean[] routed) {
    if (routed.length != batch.size()) {
      throw new IllegalArgumentException("routed flags: " + routed.length + " for a batch of " + batch.size());
    }
  }

  /**
   * The L1 term of the last forward pass, {@code l1 · Σ|h| / (batch · positions)} over the routed
   * layers (null when L1 is off or nothing ran), and resets the accumulator.
   */
  @Override
  public Tensor penalty() {
    if (spec.l1() <= 0 || l1Sum == null) return null;
    Tensor out = l1Sum.mul(new org.bytedeco.pytorch.Scalar(spec.l1() / l1Positions));
    l1Sum = null;
    return out;
  }

  /** Drops the batch's indices (evaluation runs unrouted) and the L1 accumulator. */
  @Override
  public void clear() {
    masks.clear();
    l1Sum = null;
  }

  /** Detaches the hooks. */
  @Override
  public void close() {
    for (HookHandle h : l1Hooks) h.remove();
    l1Hooks.clear();
    masks.close();
  }
}
