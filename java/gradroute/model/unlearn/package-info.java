/**
 * Unlearning baselines and attacks: {@link gradroute.model.unlearn.Rmu} (representation
 * misdirection) and {@link gradroute.model.unlearn.RetrainingAttack} (fine-tune on a few forget
 * examples and follow the forget loss).
 */
package gradroute.model.unlearn;
