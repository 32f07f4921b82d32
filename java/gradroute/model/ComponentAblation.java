package gradroute.model;

import gradroute.hooks.Edits;
import gradroute.hooks.HookHandle;
import gradroute.hooks.HookScope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * "Where does the knowledge live?": zero-ablates one component of a {@link Gpt} at a time (a
 * block's attention output, its MLP output, or chosen MLP units) and measures the model with it
 * removed. Ablation goes through {@link Edits#ablate} hooks, so the weights are never touched.
 */
public final class ComponentAblation {
  private ComponentAblation() {}

  /** One zero-ablation at a hook point: {@code keep} multiplies the activation (null: zero it all). */
  public record Edit(String point, float[] keep) {}

  /** A named component: the edits that remove it, applied together. */
  public record Component(String name, List<Edit> edits) {
    public Component {
      if (edits.isEmpty()) throw new IllegalArgumentException("component '" + name + "' removes nothing");
      edits = List.copyOf(edits);
    }
  }

  /**
   * The components of a model, in forward order: per block its attention output ({@code
   * blocks.{i}.hook_attn_out}) and MLP output ({@code blocks.{i}.hook_mlp_out}); where a block's
   * MLP is wider than {@code originalWidths[i]}, also the added units alone ({@code
   * mlp.hook_post} units {@code originalWidths[i]..}), and finally all added units of every
   * block together (ERA's ablation).
   *
   * @param originalWidths the MLP widths before expansion, or null when the model is not expanded
   */
  public static List<Component> standard(GptConfig config, int[] originalWidths) {
    if (originalWidths != null && originalWidths.length != config.nLayers()) {
      throw new IllegalArgumentException("originalWidths has " + originalWidths.length + " entries for a model of "
          + config.nLayers() + " layers");
    }
    List<Component> out = new ArrayList<>();
    List<Edit> allAdded = new ArrayList<>();
    for (int l = 0; l < config.nLayers(); l++) {
      out.add(new Component("L" + l + " attn", List.of(new Edit(GptHooks.attnOut(l), null))));
      out.add(new Component("L" + l + " mlp", List.of(new Edit(GptHooks.mlpOut(l), null))));
      if (originalWidths == null) continue;
      int width = config.dMlp(l), original = originalWidths[l];
      if (original > width || original < 0) {
        throw new IllegalArgumentException("layer " + l + ": original MLP width " + original + " exceeds the model's " + width);
      }
      if (original == width) continue;
      float[] keep = new float[width];
      for (int i = 0; i < original; i++) keep[i] = 1f;
      Edit edit = new Edit(GptHooks.mlpPost(l), keep);
      out.add(new Component("L" + l + " added", List.of(edit)));
      allAdded.add(edit);
    }
    if (allAdded.size() > 1) out.add(new Component("all added", allAdded));
    return out;
  }

  /** Runs {@code measure} with {@code component} zero-ablated, then removes the edits. */
  public static <T> T measureWithout(Gpt model, Component component, Supplier<T> measure) {
    try (HookScope scope = model.hooks().scope()) {
      for (Edit e : component.edits()) scope.adopt(zeroAblate(model, e));
      return measure.get();
    }
  }

  /** Applies one edit through {@link Edits#ablate}; close the handle to undo. */
  public static HookHandle zeroAblate(Gpt model, Edit edit) {
    model.hooks().requirePoint(edit.point());
    try (PointerScope scope = new PointerScope()) {
      float[] keep = edit.keep() == null ? new float[] {0f} : edit.keep();
      Tensor mask = TokenBatch.onDevice(Tensor.create(keep, keep.length), model.device(), ScalarType.Float);
      return Edits.ablate(model, edit.point(), mask);
    }
  }

  /** The measurement with nothing removed, then with each component removed in turn. */
  public record Scan<T>(T intact, List<Component> components, List<T> ablated) {}

  public static <T> Scan<T> scan(Gpt model, List<Component> components, Supplier<T> measure) {
    T intact = measure.get();
    List<T> ablated = new ArrayList<>(components.size());
    for (Component c : components) ablated.add(measureWithout(model, c, measure));
    return new Scan<>(intact, List.copyOf(components), ablated);
  }
}
