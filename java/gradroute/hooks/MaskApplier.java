package gradroute.hooks;

import gradroute.routing.MaskTable;
import gradroute.routing.Router;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * One gradient-masking rule applied at many hook points in one call, in the spirit of the official
 * {@code MaskApplier}: each point keeps its forward value and its gradient at batch position
 * {@code p} is multiplied by {@code scale · table[index[p]]} (or, with soft weights, {@code scale ·
 * ((1 − w[p])·table[index[p]] + w[p]·table[noMask])}), the table coming from the {@link MaskRule}
 * for that point's row shape. The same batch indices drive every point.
 *
 * <pre>{@code
 * try (MaskApplier routing = MaskApplier.apply(gpt, new int[] {0, 1, 2, 3},
 *     List.of("mlp.hook_post", "attn.hook_z", "hook_resid_post"), rule, device)) {
 *   routing.set(index, null);            // [batch, pos] int64, before each forward
 *   gpt.forward(tokens) ... backward();
 * }
 * }</pre>
 *
 * <p>Without indices ({@link #clear()}) or when {@link #setEnabled disabled} the points pass their
 * activations through untouched. Tables are built on first use at each point, on the model's
 * {@code device}, and freed by {@link #close()}, which also detaches the hooks.
 */
public final class MaskApplier implements AutoCloseable {
  private final Router router;
  private final Device device;
  private final MaskRule rule;
  private final Map<String, RoutingHook> routes = new LinkedHashMap<>();
  private final List<HookHandle> handles = new ArrayList<>();
  private final List<String> points;
  private boolean enabled = true;
  private Tensor index;
  private Tensor weight;
  private double scale = 1.0;

  private MaskApplier(Hooks hooks, List<String> points, MaskRule rule, Device device, Router router) {
    if (rule == null) throw new IllegalArgumentException("mask rule is null");
    if (router == null) throw new IllegalArgumentException("router is null");
    if (points.isEmpty()) throw new IllegalArgumentException("no hook points to mask");
    this.router = router;
    this.device = device;
    this.rule = rule;
    this.points = List.copyOf(points);
    for (String p : this.points) hooks.requirePoint(p);
    for (String p : this.points) handles.add(hooks.add(p, x -> route(p, x)));
  }

  /** Masks {@code blocks.{l}.{type}} for every layer {@code l} of {@code layers} and every type of {@code hookTypes}. */
  public static MaskApplier apply(HookedModel model, int[] layers, Collection<String> hookTypes, MaskRule rule, Device device) {
    return apply(model, blockPoints(layers, hookTypes), rule, device);
  }

  /** Masks the named points through the native core. */
  public static MaskApplier apply(HookedModel model, Collection<String> points, MaskRule rule, Device device) {
    return apply(model, points, rule, device, Router.NATIVE);
  }

  /** Masks the named points with {@code router} (e.g. {@link Router#REFERENCE} to check the native op). */
  public static MaskApplier apply(HookedModel model, Collection<String> points, MaskRule rule, Device device, Router router) {
    if (model == null) throw new IllegalArgumentException("model is null");
    return new MaskApplier(model.hooks(), new ArrayList<>(points), rule, device, router);
  }

  /** {@code blocks.{l}.{type}} for every layer and type, layer-major (the order they fire in). */
  public static List<String> blockPoints(int[] layers, Collection<String> hookTypes) {
    if (layers == null || layers.length == 0) throw new IllegalArgumentException("no layers given");
    if (hookTypes == null || hookTypes.isEmpty()) throw new IllegalArgumentException("no hook types given");
    List<String> out = new ArrayList<>();
    for (int l : layers) {
      if (l < 0) throw new IllegalArgumentException("layer " + l + " is negative");
      for (String t : hookTypes) out.add("blocks." + l + "." + t);
    }
    return out;
  }

  /**
   * The mask indices (int64, the activation's leading dims: {@code [batch]} or {@code [batch, pos]})
   * and optional soft weights (float, same shape, or null) of the next forward pass. They must
   * live until its backward pass has run.
   */
  public MaskApplier set(Tensor index, Tensor weight) {
    if (index == null) throw new IllegalArgumentException("mask index is null (use clear() to stop masking)");
    this.index = index;
    this.weight = weight;
    return this;
  }

  /** The global mask weight (e.g. annealed from 0 to 1). */
  public MaskApplier scale(double scale) {
    if (!Double.isFinite(scale)) throw new IllegalArgumentException("mask scale must be finite, got " + scale);
    this.scale = scale;
    return this;
  }

  /** Forgets the batch's indices: the points pass activations through until the next {@link #set}. */
  public void clear() {
    index = null;
    weight = null;
  }

  /** Off: the hooks stay attached (and other hooks on the points keep running) but nothing is masked. */
  public void setEnabled(boolean on) {
    enabled = on;
  }

  public boolean enabled() {
    return enabled;
  }

  /** The masked points, in the order given. */
  public List<String> points() {
    return points;
  }

  /** The table used at {@code point}, or null before the point first ran with indices. */
  public MaskTable table(String point) {
    RoutingHook r = routes.get(point);
    return r == null ? null : r.table();
  }

  /** The tables built so far, by point. */
  public Map<String, MaskTable> tables() {
    Map<String, MaskTable> out = new LinkedHashMap<>();
    routes.forEach((p, r) -> out.put(p, r.table()));
    return Collections.unmodifiableMap(out);
  }

  private Tensor route(String point, Tensor x) {
    if (!enabled || index == null) return x;
    RoutingHook r = routes.get(point);
    if (r == null) {
      long lead = index.dim();
      if (x.dim() <= lead) {
        throw new IllegalArgumentException("hook point '" + point + "': activation " + Arrays.toString(x.shape())
            + " has no dims after the mask index " + Arrays.toString(index.shape()));
      }
      long[] rowShape = Arrays.copyOfRange(x.shape(), (int) lead, (int) x.dim());
      MaskTable table = rule.table(point, rowShape);
      if (table == null) throw new IllegalStateException("mask rule gave no table for '" + point + "'");
      if (!Arrays.equals(table.rowShape(), rowShape)) {
        throw new IllegalArgumentException("mask rows " + Arrays.toString(table.rowShape()) + " do not fit hook point '"
            + point + "', whose rows are " + Arrays.toString(rowShape));
      }
      r = new RoutingHook(router, table, device);
      routes.put(point, r);
    }
    return r.set(index, weight).scale(scale).apply(x);
  }

  /** Detaches the hooks and frees the tables. */
  @Override
  public void close() {
    for (HookHandle h : handles) h.remove();
    handles.clear();
    for (RoutingHook r : routes.values()) r.release();
    routes.clear();
    clear();
  }
}
