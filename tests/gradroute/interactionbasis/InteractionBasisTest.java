package gradroute.interactionbasis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.Mlp;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local interaction basis: its Jacobian, invariances, block structure and ablations. */
class InteractionBasisTest {
  private PointerScope scope;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @BeforeEach
  void open() {
    scope = new PointerScope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private static Tensor randn(long... shape) {
    return torch.randn(shape).to(ScalarType.Double);
  }

  /** A random stack: widths[0] → … → widths[last], with the given activations after each layer. */
  private static MlpStack randomStack(long seed, int[] widths, Activation[] activations, boolean biases) {
    torch.manual_seed(seed);
    List<MlpStack.Layer> layers = new ArrayList<>();
    for (int i = 0; i + 1 < widths.length; i++) {
      Tensor w = randn(widths[i + 1], widths[i]).div(new Scalar(Math.sqrt(widths[i])));
      layers.add(new MlpStack.Layer(w, biases ? randn(widths[i + 1]).mul(new Scalar(0.3)) : null, activations[i]));
    }
    return MlpStack.of(layers);
  }

  private static double maxAbsDiff(Tensor a, Tensor b) {
    return a.sub(b).abs().max().item_double();
  }

  private static double maxAbs(Tensor a) {
    return a.abs().max().item_double();
  }

  @Test
  void theAnalyticJacobianEqualsAutograd() {
    MlpStack stack = randomStack(1, new int[] {5, 7, 6, 4}, new Activation[] {Activation.GELU, Activation.TANH, Activation.RELU}, true);
    Tensor x = MlpStack.fold(randn(3, 5));
    Tensor projector = randn(stack.foldedWidth(3), 2);
    Tensor analytic = stack.jacobian(x, 0, 3, projector);
    assertArrayEquals(new long[] {3, 2, 6}, analytic.sizes().vec().get());
    for (int out = 0; out < 2; out++) {
      Tensor input = x.clone().requires_grad_(true);
      stack.forward(input, 0, 3).matmul(projector).select(1, out).sum().backward();
      assertTrue(maxAbsDiff(input.grad(), analytic.select(1, out)) < 1e-12, "row " + out);
    }
  }

  @Test
  void theConstantChannelPassesThroughAndBiasFoldingLeavesActivationsUnchanged() {
    torch.manual_seed(3);
    Mlp encoder = new Mlp(new int[] {6, 5, 4}, true);
    Mlp decoder = new Mlp(new int[] {4, 5, 6}, true);
    MlpStack stack = MlpStack.of(false, encoder, decoder);
    Tensor x = torch.randn(8, 6);
    Tensor expected = decoder.forward(encoder.forward(x)).to(ScalarType.Double);
    assertTrue(maxAbsDiff(stack.output(x, Map.of()), expected) < 1e-5);
    Tensor folded = stack.forward(MlpStack.fold(x), 0, 2);
    assertEquals(1.0, folded.select(1, 4).min().item_double(), 0.0);
    assertEquals(1.0, folded.select(1, 4).max().item_double(), 0.0);
    assertEquals(Activation.IDENTITY, stack.layer(1).activation(), "the encoder's latent is linear");
    assertEquals(Activation.RELU, stack.layer(2).activation());
  }

  @Test
  void gaussLegendrePointsAndWeightsIntegratePolynomialsExactly() {
    Integration three = Integration.gaussLegendre(3);
    double r = Math.sqrt(3.0 / 5.0) / 2;
    assertArrayEquals(new double[] {0.5 - r, 0.5, 0.5 + r}, three.alphas(), 1e-14);
    assertArrayEquals(new double[] {5.0 / 18, 8.0 / 18, 5.0 / 18}, three.weights(), 1e-14);
    for (int n = 1; n <= 12; n++) {
      Integration rule = Integration.gaussLegendre(n);
      double sum = 0, integral = 0;
      for (int i = 0; i < n; i++) {
        sum += rule.weights()[i];
        integral += rule.weights()[i] * Math.pow(rule.alphas()[i], 2 * n - 1);
      }
      assertEquals(1.0, sum, 1e-13, "weights of " + n + " points");
      assertEquals(1.0 / (2 * n), integral, 1e-13, "x^" + (2 * n - 1) + " with " + n + " points");
    }
    // on 1/√x (singular at 0) more points converge towards the integral 2
    double coarse = Math.abs(quadrature(Integration.gaussLegendre(4)) - 2), fine = Math.abs(quadrature(Integration.gaussLegendre(32)) - 2);
    assertTrue(fine < coarse / 4, coarse + " -> " + fine);
  }

  private static double quadrature(Integration rule) {
    double s = 0;
    for (int i = 0; i < rule.points(); i++) s += rule.weights()[i] / Math.sqrt(rule.alphas()[i]);
    return s;
  }

  @Test
  void onABiasFreeLinearMapTheBasisAndEdgesDoNotDependOnTheIntegrationPoints() {
    MlpStack stack = randomStack(4, new int[] {6, 5, 3}, new Activation[] {Activation.IDENTITY, Activation.IDENTITY}, false);
    Tensor data = randn(200, 6);
    int[] nodes = {0, 1, 2};
    InteractionGraph one = InteractionBasis.build(stack, nodes, data, InteractionBasis.Options.jacobian());
    InteractionGraph five = InteractionBasis.build(stack, nodes, data, InteractionBasis.Options.jacobian().with(Integration.gaussLegendre(5)));
    for (int i = 0; i < 3; i++) {
      assertTrue(maxAbsDiff(one.node(i).lambda(), five.node(i).lambda()) < 1e-9 * maxAbs(one.node(i).lambda()));
      assertTrue(maxAbsDiff(one.node(i).c().abs(), five.node(i).c().abs()) < 1e-8, "basis of node " + i);
    }
    for (int i = 0; i < 2; i++) assertTrue(maxAbsDiff(one.edges().get(i), five.edges().get(i)) < 1e-9 * maxAbs(one.edges().get(i)));
  }

  @Test
  void onAGeluStackMoreIntegrationPointsConverge() {
    MlpStack stack = randomStack(5, new int[] {4, 6, 3}, new Activation[] {Activation.GELU, Activation.IDENTITY}, true);
    Tensor data = randn(100, 4).mul(new Scalar(2.0));
    int[] nodes = {0, 1, 2};
    Tensor e4 = InteractionBasis.build(stack, nodes, data, InteractionBasis.Options.jacobian().with(Integration.gaussLegendre(4))).edges().get(0);
    Tensor e8 = InteractionBasis.build(stack, nodes, data, InteractionBasis.Options.jacobian().with(Integration.gaussLegendre(8))).edges().get(0);
    Tensor e16 = InteractionBasis.build(stack, nodes, data, InteractionBasis.Options.jacobian().with(Integration.gaussLegendre(16))).edges().get(0);
    Tensor e1 = InteractionBasis.build(stack, nodes, data, InteractionBasis.Options.jacobian()).edges().get(0);
    assertTrue(maxAbsDiff(e8, e16) < maxAbsDiff(e1, e16), "Gauss-Legendre moves away from the single point and settles");
    assertTrue(maxAbsDiff(e8, e16) <= maxAbsDiff(e4, e16) + 1e-12);
  }

  @Test
  void featuresHaveSecondMomentsEqualToLambdaAndEdgesAreNonNegative() {
    MlpStack stack = randomStack(6, new int[] {8, 10, 10, 3}, new Activation[] {Activation.RELU, Activation.RELU, Activation.IDENTITY}, true);
    Tensor data = randn(300, 8);
    InteractionGraph g = InteractionBasis.build(stack, new int[] {0, 1, 2, 3}, data, InteractionBasis.Options.jacobian());
    for (int i = 0; i < 3; i++) {
      NodeBasis n = g.node(i);
      Tensor diag = torch.diag(n.c().t().matmul(n.gram()).matmul(n.c()));
      assertTrue(maxAbsDiff(diag, n.lambda()) < 1e-8 * maxAbs(n.lambda()), "diag(CᵀGC) = Λ at node " + i);
      double[] l = TensorArrays.toDoubles(n.lambda());
      for (int k = 1; k < l.length; k++) assertTrue(l[k] <= l[k - 1], "Λ sorted");
      // C⁺ undoes C on the kept subspace
      assertTrue(maxAbsDiff(n.cPinv().matmul(n.c()), torch.eye(n.directions()).to(ScalarType.Double)) < 1e-8);
    }
    for (Tensor e : g.edges()) {
      assertTrue(e.min().item_double() >= 0, "edges are squares");
      assertTrue(e.max().item_double() > 0, "edges are not all zero");
    }
  }

  @Test
  void rotatingTheFinalLayerLeavesTheEarlierBasesAndEdgesUnchanged() {
    MlpStack stack = randomStack(7, new int[] {6, 8, 8, 3}, new Activation[] {Activation.RELU, Activation.RELU, Activation.IDENTITY}, true);
    Tensor data = randn(300, 6);
    int[] nodes = {0, 1, 2, 3};
    InteractionGraph plain = InteractionBasis.build(stack, nodes, data, InteractionBasis.Options.jacobian());
    InteractionGraph rotated = InteractionBasis.build(stack, nodes, data, InteractionBasis.Options.jacobian().withRotateFinal(true));
    assertTrue(maxAbsDiff(plain.node(3).c(), rotated.node(3).c()) > 0.1, "the final basis differs");
    for (int i = 0; i < 3; i++) {
      assertTrue(maxAbsDiff(plain.node(i).lambda(), rotated.node(i).lambda()) < 1e-9 * maxAbs(plain.node(i).lambda()), "Λ of node " + i);
      // eigenvectors are defined up to sign
      assertTrue(maxAbsDiff(plain.node(i).c().abs(), rotated.node(i).c().abs()) < 1e-7, "basis of node " + i);
    }
    for (int i = 0; i < 2; i++) assertTrue(maxAbsDiff(plain.edges().get(i), rotated.edges().get(i)) < 1e-9 * maxAbs(plain.edges().get(i)), "edges " + i);
  }

  @Test
  void aBlockDiagonalLinearMlpGivesBlockDiagonalEdges() {
    torch.manual_seed(8);
    int half = 4;
    List<MlpStack.Layer> layers = new ArrayList<>();
    for (int l = 0; l < 3; l++) layers.add(new MlpStack.Layer(blockDiagonal(half), null, Activation.IDENTITY));
    MlpStack stack = MlpStack.of(layers);
    // each sample lives in one block, and with its negation, so blocks and the constant are uncorrelated exactly
    Tensor a = randn(200, half);
    Tensor zeros = torch.zeros(200, half).to(ScalarType.Double);
    Tensor blockA = torch.cat(new TensorVector(a, zeros), 1);
    Tensor blockB = torch.cat(new TensorVector(zeros, randn(200, half)), 1);
    Tensor data = torch.cat(new TensorVector(blockA, blockA.neg(), blockB, blockB.neg()), 0);
    InteractionGraph g = InteractionBasis.build(stack, new int[] {0, 1, 2, 3}, data, InteractionBasis.Options.jacobian());
    for (int i = 0; i < 3; i++) {
      int[] from = blocks(g.node(i), half);
      int[] to = blocks(g.node(i + 1), half);
      Tensor e = g.edges().get(i);
      double max = maxAbs(e);
      double[] v = TensorArrays.toDoubles(e);
      int cols = (int) e.size(1);
      for (int r = 0; r < to.length; r++) {
        for (int c = 0; c < cols; c++) {
          if (from[c] != to[r]) assertTrue(v[r * cols + c] <= 1e-4 * max, "edge " + r + "<-" + c + " crosses blocks at node " + i);
        }
      }
    }
  }

  /** Which block (0 or 1) each direction's weight lies in; fails on a mixed direction. */
  private static int[] blocks(NodeBasis n, int half) {
    int[] out = new int[n.directions()];
    for (int k = 0; k < n.directions(); k++) {
      Tensor col = n.c().select(1, k).square();
      double inA = col.narrow(0, 0, half).sum().item_double();
      double inB = col.narrow(0, half, half).sum().item_double();
      double total = col.sum().item_double();
      assertTrue(Math.max(inA, inB) >= (1 - 1e-8) * total, "direction " + k + " at position " + n.position() + " mixes the blocks");
      out[k] = inA >= inB ? 0 : 1;
    }
    return out;
  }

  private static Tensor blockDiagonal(int half) {
    Tensor w = torch.zeros(2 * half, 2 * half).to(ScalarType.Double);
    w.narrow(0, 0, half).narrow(1, 0, half).copy_(randn(half, half));
    w.narrow(0, half, half).narrow(1, half, half).copy_(randn(half, half));
    return w;
  }

  @Test
  void keepingEveryDirectionOrEdgeReproducesTheOutputAndKeepingNoneRemovesTheLayer() {
    MlpStack stack = randomStack(9, new int[] {6, 8, 5, 3}, new Activation[] {Activation.RELU, Activation.RELU, Activation.IDENTITY}, true);
    Tensor data = randn(100, 6);
    InteractionGraph g = InteractionBasis.build(stack, new int[] {1, 2, 3}, data, InteractionBasis.Options.jacobian());
    Tensor full = stack.output(data, Map.of());
    NodeBasis hidden = g.atPosition(1);
    Tensor all = stack.output(data, Map.of(1, Ablation.keepDirections(hidden, Ablation.top(hidden.directions()))));
    assertTrue(maxAbsDiff(all, full) < 1e-9);
    Tensor none = stack.output(data, Map.of(1, Ablation.keepDirections(hidden, new int[0])));
    Tensor zeroInput = stack.forward(torch.zeros(1, stack.foldedWidth(1)).to(ScalarType.Double), 1, 3);
    assertTrue(maxAbsDiff(none, zeroInput.expand(100, 3)) < 1e-12);
    Tensor edges = g.edgesFrom(1);
    Tensor keepAll = Ablation.largestEdges(edges, edges.numel());
    assertTrue(maxAbsDiff(Ablation.outputKeepingEdges(stack, data, hidden, g.atPosition(2), keepAll), full) < 1e-9);
    assertEquals(5.0, Ablation.largestEdges(edges, 5).sum().item_double(), 0.0);
    assertThrows(IllegalArgumentException.class, () -> Ablation.largestEdges(edges, edges.numel() + 1));
  }

  @Test
  void bisectionFindsTheFewestThatMeetTheTarget() {
    assertEquals(37, Ablation.bisect(0, 100, n -> n >= 37));
    assertEquals(100, Ablation.bisect(0, 100, n -> false));
    assertEquals(0, Ablation.bisect(0, 100, n -> true));
    assertArrayEquals(new int[] {0, 3, 6, 7}, Ablation.linear(7, 3));
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    MlpStack stack = randomStack(10, new int[] {3, 4, 2}, new Activation[] {Activation.RELU, Activation.IDENTITY}, true);
    var e1 = assertThrows(IllegalArgumentException.class, () -> InteractionBasis.build(stack, new int[] {1, 0}, randn(5, 3), InteractionBasis.Options.jacobian()));
    assertTrue(e1.getMessage().contains("increase"), e1.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> InteractionBasis.build(stack, new int[] {0, 3}, randn(5, 3), InteractionBasis.Options.jacobian()));
    assertTrue(e2.getMessage().contains("position 3"), e2.getMessage());
    var e3 = assertThrows(IllegalArgumentException.class, () -> InteractionBasis.build(stack, new int[] {0, 2}, randn(5, 4), InteractionBasis.Options.jacobian()));
    assertTrue(e3.getMessage().contains("[n, 3]"), e3.getMessage());
    Tensor nan = randn(5, 3);
    nan.select(0, 2).select(0, 1).fill_(new Scalar(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> InteractionBasis.build(stack, new int[] {0, 2}, nan, InteractionBasis.Options.jacobian()));
    assertThrows(IllegalArgumentException.class, () -> MlpStack.of(List.of(new MlpStack.Layer(randn(4, 3), null, Activation.RELU),
        new MlpStack.Layer(randn(2, 5), null, Activation.IDENTITY))));
  }
}
