package gradroute.interactionbasis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Ablations in a node layer's basis: node ablation keeps chosen directions, {@code f ↦ f C_S C_S⁺};
 * edge ablation keeps chosen edges between two consecutive node layers. Schedules pick the counts to
 * try: a linear sweep, or bisection for the fewest that meet a target.
 */
public final class Ablation {
  private Ablation() {}

  /** The projection {@code f ↦ f C_S C_S⁺} onto the directions {@code kept} (indices into the basis). */
  public static UnaryOperator<Tensor> keepDirections(NodeBasis basis, int[] kept) {
    if (kept.length == 0) return f -> f.mul(new org.bytedeco.pytorch.Scalar(0.0));
    for (int k : kept) {
      if (k < 0 || k >= basis.directions()) {
        throw new IllegalArgumentException("direction " + k + " is outside 0.." + (basis.directions() - 1) + " of node position " + basis.position());
      }
    }
    Tensor index = Tensor.create(java.util.Arrays.stream(kept).mapToLong(i -> i).toArray());
    Tensor projector = basis.c().index_select(1, index).matmul(basis.cPinv().index_select(0, index)).retainReference();
    return f -> f.matmul(projector);
  }

  /** The top {@code k} directions (largest λ first). */
  public static int[] top(int k) {
    int[] out = new int[k];
    for (int i = 0; i < k; i++) out[i] = i;
    return out;
  }

  /**
   * The stack's output on {@code x} with node layer {@code from} feeding node layer {@code to} (consecutive
   * node layers of one graph) only through the edges where {@code keep [k_to, k_from]} is 1: each
   * feature a of {@code to} is computed from the features of {@code from} masked by row a; the output
   * continues from the resulting features.
   */
  public static Tensor outputKeepingEdges(MlpStack stack, Tensor x, NodeBasis from, NodeBasis to, Tensor keep) {
    if (keep.size(0) != to.directions() || keep.size(1) != from.directions()) {
      throw new IllegalArgumentException("the edge mask must be [" + to.directions() + ", " + from.directions() + "]");
    }
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor features = from.features(stack.forward(MlpStack.fold(x), 0, from.position()));
      Tensor mask = Activation.asDouble(keep);
      List<Tensor> columns = new ArrayList<>();
      for (int a = 0; a < to.directions(); a++) {
        try (PointerScope scope = new PointerScope()) {
          Tensor in = features.mul(mask.select(0, a).unsqueeze(0)).matmul(from.cPinv());
          Tensor out = stack.forward(in, from.position(), to.position()).matmul(to.c().select(1, a).unsqueeze(1));
          columns.add(out.retainReference());
        }
      }
      Tensor toFeatures = torch.cat(new TensorVector(columns.toArray(new Tensor[0])), 1);
      for (Tensor c : columns) c.releaseReference();
      return stack.forward(toFeatures.matmul(to.cPinv()), to.position(), stack.depth(), Map.of());
    }
  }

  /** The edge mask keeping the {@code n} largest edges (ties broken by position). */
  public static Tensor largestEdges(Tensor edges, long n) {
    long total = edges.numel();
    if (n < 0 || n > total) throw new IllegalArgumentException("cannot keep " + n + " of " + total + " edges");
    Tensor flat = edges.reshape(-1);
    Tensor mask = torch.zeros_like(flat);
    if (n > 0) {
      Tensor order = flat.argsort(true, 0, true);
      mask.index_fill_(0, order.narrow(0, 0, n), new org.bytedeco.pytorch.Scalar(1.0));
    }
    return mask.reshape(edges.size(0), edges.size(1));
  }

  /** {@code 0, step, 2·step, …, max} (max always included). */
  public static int[] linear(int max, int step) {
    if (max < 0 || step < 1) throw new IllegalArgumentException("a linear schedule needs max >= 0 and step >= 1");
    List<Integer> out = new ArrayList<>();
    for (int k = 0; k < max; k += step) out.add(k);
    out.add(max);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The smallest {@code n} in {@code [low, high]} for which {@code good} holds, assuming it holds for
   * every n above the first that does; {@code high} itself is returned without a test.
   */
  public static long bisect(long low, long high, LongPredicate good) {
    if (low > high) throw new IllegalArgumentException("empty range " + low + ".." + high);
    while (low < high) {
      long mid = low + (high - low) / 2;
      if (good.test(mid)) high = mid;
      else low = mid + 1;
    }
    return low;
  }

}
