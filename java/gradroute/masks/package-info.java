/**
 * Post-hoc localisation and removal of a behaviour, the baselines gradient routing is compared with:
 * learned masks (circuit breaking, Li, Davies and Nadeau; the weight masks of mechanistic unlearning,
 * Guo et al.) and localised fine-tuning (only the parameters a localisation picked are trained).
 *
 * <p>A {@link gradroute.masks.LearnedMask} holds values in [0,1] (1 keeps, 0 ablates), either clamped
 * ({@link gradroute.masks.ClampedMask}) or a hard-concrete relaxation ({@link
 * gradroute.masks.HardConcreteMask}). It is placed on the edges of a linear layer ({@link
 * gradroute.masks.EdgeMaskedLinear}) or on units ({@link gradroute.masks.UnitMask}); an ablated
 * edge or unit carries its mean activation (or 0) instead. {@link gradroute.masks.MaskTraining}
 * trains masks against an {@link gradroute.masks.UnlearningObjective} on the one {@link
 * gradroute.train.TrainingLoop}; {@link gradroute.masks.MaskDiscretisation} snaps them to {0,1}.
 * {@link gradroute.masks.Localisation} picks units by score and compares them with a routed region;
 * {@link gradroute.masks.LocalisedFineTuning} trains only a {@link gradroute.masks.ParameterSelection}.
 */
package gradroute.masks;
