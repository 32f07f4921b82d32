package gradroute.interactionbasis;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The local interaction basis (LIB, Bushnaq et al. 2024) of an {@link MlpStack}, in float64. For each
 * chosen node layer, from the output backwards:
 *
 * <ol>
 *   <li>whiten: the Gram matrix {@code G = E[f fᵀ] = U D Uᵀ}, eigenvalues below the truncation dropped,
 *       {@code R = U D^-½}, {@code R⁺ = D^½ Uᵀ};
 *   <li>the interaction matrix {@code M' = E Σ_i g_i g_iᵀ}, where {@code g_i} is the integrated gradient
 *       of the next node layer's feature {@code i} with respect to this layer's activation;
 *   <li>rotate: {@code R⁺ M' R⁺ᵀ = V Λ Vᵀ}; the basis {@code C = R V Λ^½}, {@code C⁺ = Λ^-½ Vᵀ R⁺}.
 * </ol>
 *
 * The last node layer is left unrotated or given its PCA basis. {@link Basis#PCA} gives every layer
 * the eigenbasis of its Gram matrix instead (the baseline). Edges between consecutive node layers
 * are squared integrated-gradient attributions: {@code E_ab = E_x (Σ_α w_α ∂f̂'_a(α f̂)/∂f̂_b · f̂_b)²}.
 */
public final class InteractionBasis {
  /** Which basis the non-final node layers get. */
  public enum Basis { JACOBIAN, PCA }

  /**
   * @param truncation eigenvalues (of the Gram matrix, then of the rotated interaction matrix) at or
   *     below this fraction of the largest are dropped
   * @param rotateFinal give the last node layer its PCA basis (else it stays in the neuron basis)
   * @param batchSize rows per chunk of data
   */
  public record Options(Basis basis, Integration integration, double truncation, boolean rotateFinal, int batchSize) {
    public Options {
      if (basis == null || integration == null) throw new IllegalArgumentException("options need a basis and an integration rule");
      if (!(truncation >= 0 && truncation < 1)) throw new IllegalArgumentException("truncation must be in [0, 1), got " + truncation);
      if (batchSize < 1) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }

    public static Options jacobian() {
      return new Options(Basis.JACOBIAN, Integration.singlePoint(), 1e-10, false, 500);
    }

    public static Options pca() {
      return new Options(Basis.PCA, Integration.singlePoint(), 1e-10, false, 500);
    }

    public Options with(Integration integration) {
      return new Options(basis, integration, truncation, rotateFinal, batchSize);
    }

    public Options withRotateFinal(boolean rotate) {
      return new Options(basis, integration, truncation, rotate, batchSize);
    }
  }

  private static final long CHUNK_ELEMENTS = 1L << 24; // doubles per Jacobian chunk: 128 MiB

  private final MlpStack stack;
  private final int[] positions;
  private final Options options;

  private InteractionBasis(MlpStack stack, int[] positions, Options options) {
    this.stack = stack;
    this.positions = positions.clone();
    this.options = options;
    if (positions.length == 0) throw new IllegalArgumentException("name at least one node position");
    for (int i = 0; i < positions.length; i++) {
      stack.width(positions[i]); // range check
      if (i > 0 && positions[i] <= positions[i - 1]) {
        throw new IllegalArgumentException("node positions must increase, got " + java.util.Arrays.toString(positions));
      }
    }
  }

  /**
   * Builds the bases and edges of the node layers at {@code positions} (increasing) from the inputs
   * {@code data [n, width(0)]} (any float type; one pass per node layer, in chunks of the batch size).
   */
  public static InteractionGraph build(MlpStack stack, int[] positions, Tensor data, Options options) {
    if (data.dim() != 2 || data.size(1) != stack.width(0)) {
      throw new IllegalArgumentException("data must be [n, " + stack.width(0) + "], got " + data.dim() + " dims, width "
          + (data.dim() == 2 ? data.size(1) : -1));
    }
    if (data.size(0) == 0) throw new IllegalArgumentException("data has no rows");
    if (!data.isfinite().all().item_bool()) throw new IllegalArgumentException("data holds NaN or infinite values");
    return new InteractionBasis(stack, positions, options).build(Activation.asDouble(data.detach().cpu()));
  }

  private InteractionGraph build(Tensor data) {
    try (NoGradGuard g = new NoGradGuard(); PointerScope scope = new PointerScope()) {
      int last = positions.length - 1;
      List<Tensor> activations = new ArrayList<>();
      for (int p : positions) activations.add(activationsAt(data, p));
      NodeBasis[] nodes = new NodeBasis[positions.length];
      nodes[last] = finalBasis(positions[last], gram(activations.get(last)));
      for (int i = last - 1; i >= 0; i--) {
        Tensor gram = gram(activations.get(i));
        nodes[i] = options.basis() == Basis.PCA ? pcaBasis(positions[i], gram)
            : jacobianBasis(positions[i], gram, activations.get(i), positions[i + 1], nodes[i + 1]);
      }
      List<Tensor> edges = new ArrayList<>();
      for (int i = 0; i < last; i++) edges.add(edges(nodes[i], nodes[i + 1], activations.get(i)).retainReference());
      for (NodeBasis n : nodes) retain(n);
      return new InteractionGraph(options, List.of(nodes), List.copyOf(edges));
    }
  }

  private Tensor activationsAt(Tensor data, int position) {
    List<Tensor> chunks = new ArrayList<>();
    for (long start = 0; start < data.size(0); start += options.batchSize()) {
      long n = Math.min(options.batchSize(), data.size(0) - start);
      chunks.add(stack.forward(MlpStack.fold(data.narrow(0, start, n)), 0, position));
    }
    return torch.cat(new org.bytedeco.pytorch.TensorVector(chunks.toArray(new Tensor[0])), 0);
  }

  private static Tensor gram(Tensor f) {
    return f.t().matmul(f).div(new Scalar((double) f.size(0)));
  }

  /** Eigenvalues (descending) and eigenvectors (columns) of a symmetric matrix, truncated. */
  private record Eigen(Tensor values, Tensor vectors) {}

  private Eigen eigenDescending(Tensor symmetric, String what, int position) {
    Tensor sym = symmetric.add(symmetric.t()).mul(new Scalar(0.5));
    T_TensorTensor_T e = torch.linalg_eigh(sym);
    Tensor values = e.get0().flip(0);
    Tensor vectors = e.get1().flip(1);
    double max = values.select(0, 0).item_double();
    if (!(max > 0)) throw new IllegalStateException("the " + what + " at node position " + position + " is zero: nothing to build a basis from");
    double[] v = gradroute.runtime.TensorArrays.toDoubles(values);
    int keep = 0;
    while (keep < v.length && v[keep] > options.truncation() * max) keep++;
    return new Eigen(values.narrow(0, 0, keep), vectors.narrow(1, 0, keep));
  }

  private NodeBasis finalBasis(int position, Tensor gram) {
    if (options.rotateFinal()) return pcaBasis(position, gram);
    Tensor eye = torch.eye(gram.size(0)).to(ScalarType.Double);
    return new NodeBasis(position, gram, eye, eye, torch.diag(gram).clone());
  }

  private NodeBasis pcaBasis(int position, Tensor gram) {
    Eigen e = eigenDescending(gram, "Gram matrix", position);
    return new NodeBasis(position, gram, e.vectors().contiguous(), e.vectors().t().contiguous(), e.values());
  }

  private NodeBasis jacobianBasis(int position, Tensor gram, Tensor f, int nextPosition, NodeBasis next) {
    Eigen d = eigenDescending(gram, "Gram matrix", position);
    Tensor sqrtD = d.values().sqrt();
    Tensor r = d.vectors().div(sqrtD.unsqueeze(0));             // U D^-½
    Tensor rPinv = d.vectors().t().mul(sqrtD.unsqueeze(1));     // D^½ Uᵀ
    Tensor m = interactionMatrix(f, position, nextPosition, next.c());
    Eigen l = eigenDescending(rPinv.matmul(m).matmul(rPinv.t()), "interaction matrix", position);
    Tensor sqrtL = l.values().sqrt();
    Tensor c = r.matmul(l.vectors()).mul(sqrtL.unsqueeze(0));
    Tensor cPinv = l.vectors().t().matmul(rPinv).div(sqrtL.unsqueeze(1));
    return new NodeBasis(position, gram, c.contiguous(), cPinv.contiguous(), l.values());
  }

  /** {@code M' = E_x Σ_i g_i g_iᵀ}, g_i the integrated gradient of next feature i with respect to f. */
  private Tensor interactionMatrix(Tensor f, int position, int nextPosition, Tensor nextC) {
    long width = f.size(1);
    Tensor m = torch.zeros(width, width).to(ScalarType.Double);
    long chunk = chunkRows(nextC.size(1), width);
    for (long start = 0; start < f.size(0); start += chunk) {
      try (PointerScope scope = new PointerScope()) {
        long n = Math.min(chunk, f.size(0) - start);
        Tensor x = f.narrow(0, start, n);
        Tensor g = integratedJacobian(x, position, nextPosition, nextC);
        Tensor add = g.dim() == 2 ? g.t().matmul(g).mul(new Scalar((double) n)) : flatRows(g).t().matmul(flatRows(g));
        m.add_(add);
      }
    }
    return m.div(new Scalar((double) f.size(0)));
  }

  /** Σ_α w_α J(α x): {@code [rows, k, width]}, or {@code [k, width]} when the same for every row. */
  private Tensor integratedJacobian(Tensor x, int from, int to, Tensor projector) {
    Integration rule = options.integration();
    Tensor sum = null;
    for (int a = 0; a < rule.points(); a++) {
      Tensor j = stack.jacobian(x.mul(new Scalar(rule.alphas()[a])), from, to, projector).mul(new Scalar(rule.weights()[a]));
      sum = sum == null ? j : (sum.dim() == j.dim() ? sum.add(j) : broadcastAdd(sum, j));
    }
    return sum;
  }

  private static Tensor broadcastAdd(Tensor a, Tensor b) {
    return a.dim() > b.dim() ? a.add(b.unsqueeze(0)) : b.add(a.unsqueeze(0));
  }

  /** Squared integrated-gradient edges {@code [k of to, k of from]} from node {@code from} to node {@code to}. */
  private Tensor edges(NodeBasis from, NodeBasis to, Tensor f) {
    Tensor e = torch.zeros(to.directions(), from.directions()).to(ScalarType.Double);
    long chunk = chunkRows(to.directions(), Math.max(f.size(1), from.directions()));
    for (long start = 0; start < f.size(0); start += chunk) {
      try (PointerScope scope = new PointerScope()) {
        long n = Math.min(chunk, f.size(0) - start);
        Tensor features = from.features(f.narrow(0, start, n));       // f̂ [n, k_from]
        Tensor projected = features.matmul(from.cPinv());              // the point f̂ C⁺ in activation space
        Tensor j = integratedJacobian(projected, from.position(), to.position(), to.c());
        Tensor inFeatures = j.matmul(from.cPinv().t());                // ∂f̂'/∂f̂: [.., k_to, k_from]
        Tensor add = inFeatures.dim() == 2
            ? inFeatures.square().mul(features.square().sum(0).unsqueeze(0))
            : inFeatures.mul(features.unsqueeze(1)).square().sum(0);
        e.add_(add);
      }
    }
    return e.div(new Scalar((double) f.size(0)));
  }

  private static Tensor flatRows(Tensor g) {
    return g.reshape(-1, g.size(2));
  }

  private static long chunkRows(long k, long width) {
    return Math.max(1, CHUNK_ELEMENTS / Math.max(1, k * width));
  }

  private static void retain(NodeBasis n) {
    n.gram().retainReference();
    n.c().retainReference();
    n.cPinv().retainReference();
    n.lambda().retainReference();
  }
}
