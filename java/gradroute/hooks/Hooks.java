package gradroute.hooks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * Named hook points of a model, TransformerLens style. A hook is a callback {@code Tensor ->
 * Tensor} registered on a point's name: it sees the activation as it is computed in the forward
 * pass and returns the value the model continues with (the same tensor to only read or cache it,
 * a new one to replace it, e.g. a routed or ablated activation). Several hooks on one point run in
 * registration order, each getting the previous one's result; across points, hooks fire in forward
 * order. Points without hooks cost nothing.
 *
 * <p>Hooks run on the forward thread inside whatever {@code PointerScope} the caller opened: a
 * tensor a hook keeps beyond the step must be detached/cloned and {@code retainReference()}d.
 */
public final class Hooks {
  private final Set<String> points;
  private final Map<String, List<Entry>> hooks = new LinkedHashMap<>();

  private final class Entry implements HookHandle {
    final String name;
    final UnaryOperator<Tensor> fn;

    Entry(String name, UnaryOperator<Tensor> fn) {
      this.name = name;
      this.fn = fn;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void remove() {
      List<Entry> list = hooks.get(name);
      if (list != null) {
        list.remove(this);
        if (list.isEmpty()) hooks.remove(name);
      }
    }
  }

  /** @param points every hook point name, in forward order */
  public Hooks(List<String> points) {
    this.points = Collections.unmodifiableSet(new LinkedHashSet<>(points));
  }

  /** Every hook point name, in the order they fire in a forward pass. */
  public List<String> points() {
    return List.copyOf(points);
  }

  public boolean hasPoint(String name) {
    return points.contains(name);
  }

  /** @throws IllegalArgumentException if the model has no point {@code name} (the message lists near matches) */
  public void requirePoint(String name) {
    if (!points.contains(name)) {
      throw new IllegalArgumentException("no hook point '" + name + "'; the nearest are " + suggestions(name));
    }
  }

  /**
   * Registers {@code hook} on point {@code name}.
   *
   * @throws IllegalArgumentException if the model has no such point (the message lists near
   *     matches)
   */
  public HookHandle add(String name, UnaryOperator<Tensor> hook) {
    if (hook == null) throw new IllegalArgumentException("hook for '" + name + "' is null");
    requirePoint(name);
    Entry e = new Entry(name, hook);
    hooks.computeIfAbsent(name, k -> new ArrayList<>()).add(e);
    return e;
  }

  /** Removes every hook. */
  public void clear() {
    hooks.clear();
  }

  /** Names of the points that have hooks, in registration order of their first hook. */
  public Set<String> active() {
    return Set.copyOf(hooks.keySet());
  }

  public boolean isEmpty() {
    return hooks.isEmpty();
  }

  /** Whether point {@code name} has at least one hook (models compute optional activations only then). */
  public boolean isActive(String name) {
    return hooks.containsKey(name);
  }

  /**
   * A scope of temporary hooks: every hook added through it is removed when it closes, in reverse
   * order, also when the body threw.
   *
   * <pre>{@code
   * try (HookScope scope = model.hooks().scope()) {
   *   scope.add("blocks.0.hook_mlp_in", x -> x.mul(keep));
   *   logits = model.forward(tokens);
   * }
   * }</pre>
   */
  public HookScope scope() {
    return new HookScope(this);
  }

  /** Runs {@code body} with {@code temporary} hooks (point to hook) added, and removes them afterwards, also on exception. */
  public <T> T with(Map<String, UnaryOperator<Tensor>> temporary, java.util.function.Supplier<T> body) {
    try (HookScope scope = scope()) {
      for (Map.Entry<String, UnaryOperator<Tensor>> e : temporary.entrySet()) scope.add(e.getKey(), e.getValue());
      return body.get();
    }
  }

  /** Runs the hooks of {@code name} on {@code x}; returns x itself when there are none. */
  public Tensor fire(String name, Tensor x) {
    if (hooks.isEmpty()) return x;
    List<Entry> list = hooks.get(name);
    if (list == null) return x;
    Tensor out = x;
    for (Entry e : List.copyOf(list)) {
      out = e.fn.apply(out);
      if (out == null) throw new IllegalStateException("hook on '" + name + "' returned null");
    }
    return out;
  }

  /** The points nearest to {@code name} by edit distance (a typo's intended point first). */
  private String suggestions(String name) {
    List<String> near = new ArrayList<>(points);
    near.sort(java.util.Comparator.comparingInt((String p) -> editDistance(name, p)).thenComparing(p -> p));
    return near.subList(0, Math.min(4, near.size())) + " (" + points.size() + " in all)";
  }

  /** Levenshtein distance: insertions, deletions and substitutions. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
