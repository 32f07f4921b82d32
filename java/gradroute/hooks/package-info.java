/**
 * Named hook points and what attaches to them, for every model of the library.
 * <ul>
 *   <li>{@link gradroute.hooks.HookedModel} and {@link gradroute.hooks.Hooks}: a model's named points
 *       (TransformerLens's {@code HookedRootModule}/{@code HookPoint}); a hook sees an activation and
 *       returns the value the forward pass continues with.</li>
 *   <li>{@link gradroute.hooks.MaskApplier} with a {@link gradroute.hooks.MaskRule}: one gradient mask
 *       rule over many layers × hook types (residual stream, MLP units, attention heads
 *       {@code attn.hook_z}), through the native core's {@code routeIndexed}
 *       ({@link gradroute.hooks.RoutingHook} at one point).</li>
 *   <li>{@link gradroute.hooks.Edits}: zero-ablation and steering; {@link gradroute.hooks.ActivationCache}:
 *       run with cache.</li>
 * </ul>
 */
package gradroute.hooks;
