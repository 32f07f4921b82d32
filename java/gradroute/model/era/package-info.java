/**
 * Expand, Route, Ablate (ERA) on a {@link gradroute.model.Gpt}.
 *
 * <ol>
 *   <li><b>Expand</b>: {@link gradroute.model.era.Expansion#expand} with an {@link
 *       gradroute.model.era.ExpansionSpec} (MLP units in chosen layers; heads, d_head and d_model
 *       too) appends new dims after the original ones;
 *   <li><b>Route</b>: {@link gradroute.model.era.EraRouting} puts per-position gradient masks on
 *       the expanded layers' {@code mlp.hook_post} (the TinyStories masks: added units 1, original units
 *       {@code 1.75·w(y_t) − 0.75} in labelled forget stories, all ones elsewhere), plus an optional
 *       L1 term;
 *   <li><b>Ablate</b>: {@link gradroute.model.era.Expansion#ablate} returns a model of the original
 *       shape holding the leading slices; {@link gradroute.model.era.Coherence#tune} then fine-tunes
 *       on retain data keeping the best step.
 * </ol>
 */
package gradroute.model.era;
