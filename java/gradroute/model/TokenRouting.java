package gradroute.model;

import gradroute.hooks.HookHandle;
import gradroute.hooks.RoutingHook;
import gradroute.routing.MaskTable;
import gradroute.routing.SequenceRule;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-position routing through one {@link RoutingHook} attached at several hook points of a model:
 * each batch's mask indices come from its tokens (a {@link SequenceRule}) or from any other {@link
 * Indices}. {@link #close} detaches the hook.
 *
 * <pre>{@code
 * try (TokenRouting r = TokenRouting.byRule(model, List.of(GptHooks.residPost(1)), table, rule)) {
 *   new LmTrainer(model, settings, schedule, batches, r, null) ...
 * }
 * }</pre>
 */
public final class TokenRouting implements LmRouting, AutoCloseable {
  /** The {@code [batch, positions]} int64 mask indices of a batch. */
  @FunctionalInterface
  public interface Indices {
    Tensor of(TokenBatch batch, boolean[] routed);
  }

  private final RoutingHook hook;
  private final Indices indices;
  private final List<HookHandle> handles = new ArrayList<>();

  public TokenRouting(Gpt model, List<String> points, MaskTable table, Indices indices) {
    this.hook = new RoutingHook(table, model.device());
    this.indices = indices;
    for (String point : points) handles.add(model.hooks().add(point, hook));
  }

  /** Each position gets the index {@code rule} gives the token it predicts. */
  public static TokenRouting byRule(Gpt model, List<String> points, MaskTable table, SequenceRule rule) {
    return new TokenRouting(model, points, table, (b, routed) -> rule.indexTensor(b.sequences(), b.positions()));
  }

  @Override
  public void set(TokenBatch batch, boolean[] routed) {
    hook.set(indices.of(batch, routed), null);
  }

  @Override
  public void clear() {
    hook.clear();
  }

  /** Detaches the hook from every point and frees its table. */
  @Override
  public void close() {
    for (HookHandle h : handles) h.remove();
    handles.clear();
    hook.release();
  }
}
