/**
 * Circuit discovery by edge patching (after AutoCircuit, Miller et al. 2024).
 * <ul>
 *   <li>{@link gradroute.circuits.CircuitGraph}: the factorised edge graph over a model's hook points
 *       (sources write to the residual stream, destinations read from it), and its node-level graph;
 *       {@link gradroute.circuits.GptGraphs} builds it for {@link gradroute.model.Gpt}.</li>
 *   <li>{@link gradroute.circuits.PatchableModel} with {@link gradroute.circuits.EdgeMasks}: any set of
 *       edges patched in one pass (destination input = clean input − Σ mask·(current − ablated));
 *       ablation values {@link gradroute.circuits.Ablation} zero, resample, token-wise mean.</li>
 *   <li>{@link gradroute.circuits.Circuits}: edge and tree patching over edge counts, faithfulness
 *       curves; {@link gradroute.circuits.Metrics}: KL to clean, logit difference, answer log-prob,
 *       faithfulness percent.</li>
 *   <li>{@link gradroute.circuits.Scorers}: mask-gradient EAP, EAP with integrated gradients, activation
 *       magnitude, random, behind {@link gradroute.circuits.EdgeScorer}; {@link
 *       gradroute.circuits.NeuronAttribution} scores single MLP neurons.</li>
 * </ul>
 */
package gradroute.circuits;
