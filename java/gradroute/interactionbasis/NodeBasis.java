package gradroute.interactionbasis;

import org.bytedeco.pytorch.Tensor;

/**
 * The basis of one node layer: features {@code f̂ = f · c} of the folded activation {@code f}, and back
 * {@code f ≈ f̂ · cPinv}. Directions are sorted by {@code lambda}, largest first.
 *
 * @param position the node position in the {@link MlpStack}
 * @param gram {@code E[f fᵀ]} over the build data, {@code [width, width]}
 * @param c {@code [width, k]}
 * @param cPinv {@code [k, width]}, with {@code c · cPinv} the projection onto the kept directions
 * @param lambda {@code [k]}: for the jacobian basis the eigenvalues of the rotated interaction
 *     matrix (equal to {@code diag(cᵀ G c)}); for PCA the Gram eigenvalues
 */
public record NodeBasis(int position, Tensor gram, Tensor c, Tensor cPinv, Tensor lambda) {
  public int directions() {
    return (int) c.size(1);
  }

  /** The features of folded activations {@code f [batch, width]}: {@code [batch, k]}. */
  public Tensor features(Tensor f) {
    return f.matmul(c);
  }
}
