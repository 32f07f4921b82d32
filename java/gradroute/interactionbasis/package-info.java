/**
 * The local interaction basis (LIB) of MLP stacks, after Bushnaq et al. 2024: per node layer a basis in
 * which features interact sparsely with the next layer (whitening by the Gram matrix, then the
 * eigenbasis of integrated-gradient Jacobians), squared integrated-gradient edges between consecutive
 * node layers, a PCA baseline, and node/edge ablations. Everything is float64.
 *
 * <pre>{@code
 * MlpStack stack = MlpStack.of(false, encoder, decoder);
 * InteractionGraph lib = InteractionBasis.build(stack, new int[] {2, 3, 4}, images, InteractionBasis.Options.jacobian());
 * Tensor reconstruction = stack.output(images, Map.of(3, Ablation.keepDirections(lib.atPosition(3), Ablation.top(8))));
 * }</pre>
 */
package gradroute.interactionbasis;
