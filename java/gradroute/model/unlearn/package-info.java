/**
 * Unlearning: {@link gradroute.model.unlearn.NeuronRouting} (route a topic's gradient into a few
 * existing MLP neurons, with an L1 term on them) and {@link gradroute.model.unlearn.NeuronAblation}
 * (delete those neurons, in the weights or at forward time), the baselines and attacks {@link
 * gradroute.model.unlearn.Rmu} (representation misdirection) and {@link
 * gradroute.model.unlearn.RetrainingAttack} (fine-tune on a few forget examples and follow the
 * forget loss).
 */
package gradroute.model.unlearn;
