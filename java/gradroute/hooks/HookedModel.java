package gradroute.hooks;

/**
 * A model with named hook points, as TransformerLens's {@code HookedRootModule}: every activation
 * worth reading, replacing or routing passes through {@link Hooks#fire} under a stable name, and
 * everything that acts on activations (gradient routing with {@link MaskApplier}, ablation and
 * steering with {@link Edits}, caching with {@link ActivationCache}) attaches there, never through
 * extra arguments of {@code forward}.
 */
public interface HookedModel {
  /** The model's hook registry; its {@link Hooks#points()} name every point in forward order. */
  Hooks hooks();
}
