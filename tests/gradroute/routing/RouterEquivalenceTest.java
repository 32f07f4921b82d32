package gradroute.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The native ops give the reference formula's gradients, bit for bit (float32/float64). */
class RouterEquivalenceTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  static Tensor randn(ScalarType type, long... shape) {
    return torch.randn(shape, new TensorOptions(type));
  }

  static Tensor rand(ScalarType type, long... shape) {
    return torch.rand(shape, new TensorOptions(type));
  }

  /** Gradient reaching a leaf through {@code op}, under a random upstream gradient. */
  static Tensor gradThrough(Tensor leafValue, BiFunction<Tensor, Tensor, Tensor> op, Tensor upstream) {
    Tensor leaf = leafValue.clone().requires_grad_(true);
    Tensor y = op.apply(leaf, leaf);
    y.mul(upstream).sum().backward();
    return leaf.grad();
  }

  static Stream<Arguments> shapesAndGates() {
    // x shape, gate shape
    return Stream.of(
        Arguments.of(new long[] {7}, new long[] {7}),
        Arguments.of(new long[] {7}, new long[] {1}),
        Arguments.of(new long[] {5, 6}, new long[] {5, 1}), // per example
        Arguments.of(new long[] {5, 6}, new long[] {6}), // per feature
        Arguments.of(new long[] {4, 3, 8}, new long[] {4, 3, 8}), // per token x feature
        Arguments.of(new long[] {4, 3, 8}, new long[] {4, 3, 1}), // per token
        Arguments.of(new long[] {2, 3, 4, 5}, new long[] {4, 5}),
        Arguments.of(new long[] {2, 3, 4, 5}, new long[] {2, 1, 4, 1}));
  }

  @ParameterizedTest
  @MethodSource("shapesAndGates")
  void routeGradientsAreBitwiseEqual(long[] xShape, long[] gateShape) {
    for (ScalarType type : new ScalarType[] {ScalarType.Float, ScalarType.Double}) {
      torch.manual_seed(1);
      Tensor x = randn(type, xShape);
      Tensor upstream = randn(type, xShape);
      for (Tensor gate : new Tensor[] {rand(type, gateShape), torch.ones(gateShape).to(type), torch.zeros(gateShape).to(type)}) {
        Tensor a = gradThrough(x, (leaf, l) -> Router.NATIVE.route(leaf, gate), upstream);
        Tensor b = gradThrough(x, (leaf, l) -> Router.REFERENCE.route(leaf, gate), upstream);
        assertTrue(torch.equal(a, b), "route grads differ for " + type + " x" + java.util.Arrays.toString(xShape));
        assertEquals(type, a.scalar_type().intern());
      }
    }
  }

  @Test
  void allOnesGateLeavesGradientUnchangedAndZerosStopIt() {
    Tensor x = randn(ScalarType.Float, 3, 4);
    Tensor upstream = randn(ScalarType.Float, 3, 4);
    Tensor ones = gradThrough(x, (leaf, l) -> Router.NATIVE.route(leaf, torch.ones(4)), upstream);
    assertTrue(torch.equal(ones, upstream));
    Tensor zeros = gradThrough(x, (leaf, l) -> Router.NATIVE.route(leaf.mul(leaf), torch.zeros(4)), upstream);
    assertTrue(torch.equal(zeros, torch.zeros(3, 4)));
  }

  @Test
  void bfloat16GradientsAreWithinOneUlp() {
    torch.manual_seed(2);
    Tensor x = randn(ScalarType.BFloat16, 6, 16);
    Tensor upstream = randn(ScalarType.BFloat16, 6, 16);
    Tensor gate = rand(ScalarType.Float, 6, 16);
    Tensor a = gradThrough(x, (leaf, l) -> Router.NATIVE.route(leaf, gate), upstream);
    Tensor b = gradThrough(x, (leaf, l) -> Router.REFERENCE.route(leaf, gate), upstream);
    assertEquals(ScalarType.BFloat16, a.scalar_type().intern());
    assertWithinBf16Ulp(TensorArrays.toFloats(a), TensorArrays.toFloats(b));
  }

  static void assertWithinBf16Ulp(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      float ulp = Math.ulp(b[i]) * 65536f; // bfloat16 keeps 7 of float's 23 mantissa bits
      assertTrue(Math.abs(a[i] - b[i]) <= ulp, "element " + i + ": " + a[i] + " vs " + b[i]);
    }
  }

  @Test
  void forwardSharesStorageAndValue() {
    Tensor x = randn(ScalarType.Float, 8, 3).requires_grad_(true);
    Tensor y = Router.NATIVE.route(x, rand(ScalarType.Float, 8, 1));
    assertEquals(x.data_ptr().address(), y.data_ptr().address());
    assertTrue(torch.equal(x, y));
    Tensor table = MaskTable.builder(3).dims(0).build().tensor();
    Tensor z = Router.NATIVE.routeIndexed(x, table, torch.zeros(8).to(ScalarType.Long), null, 1.0);
    assertEquals(x.data_ptr().address(), z.data_ptr().address());
  }

  @Test
  void nonContiguousInputsGetTheReferenceGradient() {
    torch.manual_seed(3);
    Tensor base = randn(ScalarType.Float, 6, 10);
    Tensor upstream = randn(ScalarType.Float, 10, 6);
    Tensor gate = rand(ScalarType.Float, 10, 1);
    BiFunction<Router, Tensor, Tensor> run = (router, b) -> {
      Tensor leaf = b.clone().requires_grad_(true);
      Tensor transposed = leaf.t();
      assertFalse(transposed.is_contiguous());
      router.route(transposed, gate).mul(upstream).sum().backward();
      return leaf.grad();
    };
    assertTrue(torch.equal(run.apply(Router.NATIVE, base), run.apply(Router.REFERENCE, base)));
  }

  @Test
  void inputUsedTwiceAccumulatesBothRoutes() {
    torch.manual_seed(4);
    Tensor x = randn(ScalarType.Double, 4, 5);
    Tensor u1 = randn(ScalarType.Double, 4, 5);
    Tensor u2 = randn(ScalarType.Double, 4, 5);
    Tensor g1 = rand(ScalarType.Double, 5);
    Tensor g2 = rand(ScalarType.Double, 4, 1);
    BiFunction<Router, Tensor, Tensor> run = (router, v) -> {
      Tensor leaf = v.clone().requires_grad_(true);
      router.route(leaf, g1).mul(u1).add(router.route(leaf, g2).mul(u2)).sum().backward();
      return leaf.grad();
    };
    Tensor a = run.apply(Router.NATIVE, x);
    assertTrue(torch.equal(a, run.apply(Router.REFERENCE, x)));
    assertTrue(torch.allclose(a, u1.mul(g1).add(u2.mul(g2))));
  }

  @Test
  void inputsWithoutGradPassThrough() {
    Tensor x = randn(ScalarType.Float, 3, 2);
    Tensor y = Router.NATIVE.route(x, torch.ones(2));
    assertFalse(y.requires_grad());
    assertTrue(torch.equal(x, y));
  }

  static Stream<Arguments> indexedCases() {
    return Stream.of(
        Arguments.of(new long[] {5}, new long[] {6}, false, 1.0),
        Arguments.of(new long[] {4, 7}, new long[] {6}, false, 1.0),
        Arguments.of(new long[] {4, 7}, new long[] {6}, true, 1.0),
        Arguments.of(new long[] {4, 7}, new long[] {6}, true, 0.3),
        Arguments.of(new long[] {3, 5}, new long[] {2, 4}, true, 0.7), // [n_heads, d_head] rows
        Arguments.of(new long[] {2, 3}, new long[] {300}, true, 1.0)); // wide rows
  }

  @ParameterizedTest
  @MethodSource("indexedCases")
  void routeIndexedEqualsRouteWithMaterialisedGate(long[] positions, long[] row, boolean soft, double scale) {
    for (ScalarType type : new ScalarType[] {ScalarType.Float, ScalarType.Double}) {
      torch.manual_seed(5);
      long[] xShape = java.util.stream.LongStream.concat(java.util.Arrays.stream(positions), java.util.Arrays.stream(row)).toArray();
      long[] tableShape = java.util.stream.LongStream.concat(java.util.stream.LongStream.of(4), java.util.Arrays.stream(row)).toArray();
      Tensor x = randn(type, xShape);
      Tensor upstream = randn(type, xShape);
      Tensor table = rand(ScalarType.Float, tableShape).sub(new org.bytedeco.pytorch.Scalar(0.25));
      Tensor index = torch.randint(4, positions);
      Tensor weight = soft ? rand(ScalarType.Float, positions) : null;
      Tensor gate = ReferenceRouter.materialiseGate(x, table, index, weight, scale);
      Tensor a = gradThrough(x, (leaf, l) -> Router.NATIVE.routeIndexed(leaf, table, index, weight, scale), upstream);
      Tensor b = gradThrough(x, (leaf, l) -> Router.NATIVE.route(leaf, gate), upstream);
      Tensor c = gradThrough(x, (leaf, l) -> Router.REFERENCE.routeIndexed(leaf, table, index, weight, scale), upstream);
      assertTrue(torch.equal(a, b), "routeIndexed vs route(materialised) for " + type);
      assertTrue(torch.equal(a, c), "routeIndexed native vs reference for " + type);
    }
  }

  @Test
  void routeIndexedBfloat16WithinOneUlp() {
    torch.manual_seed(6);
    Tensor x = randn(ScalarType.BFloat16, 4, 3, 32);
    Tensor upstream = randn(ScalarType.BFloat16, 4, 3, 32);
    Tensor table = rand(ScalarType.Float, 3, 32);
    Tensor index = torch.randint(3, new long[] {4, 3});
    Tensor weight = rand(ScalarType.Float, 4, 3);
    Tensor a = gradThrough(x, (leaf, l) -> Router.NATIVE.routeIndexed(leaf, table, index, weight, 1.0), upstream);
    Tensor b = gradThrough(x, (leaf, l) -> Router.REFERENCE.routeIndexed(leaf, table, index, weight, 1.0), upstream);
    assertEquals(ScalarType.BFloat16, a.scalar_type().intern());
    assertWithinBf16Ulp(TensorArrays.toFloats(a), TensorArrays.toFloats(b));
  }

  @Test
  void routeAblateMatchesReference() {
    for (ScalarType type : new ScalarType[] {ScalarType.Float, ScalarType.Double}) {
      torch.manual_seed(7);
      Tensor x = randn(type, 4, 3, 6);
      Tensor upstream = randn(type, 4, 3, 6);
      Tensor gate = rand(type, 4, 3, 1);
      Tensor keep = torch.randint(2, new long[] {6}).to(type);
      Tensor a = gradThrough(x, (leaf, l) -> Router.NATIVE.routeAblate(leaf, gate, keep), upstream);
      Tensor b = gradThrough(x, (leaf, l) -> Router.REFERENCE.routeAblate(leaf, gate, keep), upstream);
      assertTrue(torch.equal(a, b));
      Tensor outNative = Router.NATIVE.routeAblate(x, gate, keep);
      assertTrue(torch.equal(outNative, x.mul(keep)));
      // the formula's forward, g*x + (1-g)*x, equals x only up to rounding
      assertTrue(torch.allclose(outNative, Router.REFERENCE.routeAblate(x, gate, keep)));
    }
  }

  @Test
  void gradientsOnlyFlowWhereTheTableAllows() {
    MaskTable table = MaskTable.builder(4).dims(0, 1).dims(2, 3).build();
    Tensor x = randn(ScalarType.Float, 3, 4);
    Tensor index = Tensor.create(new long[] {0, 1, 2}, 3);
    Tensor grad = gradThrough(x, (leaf, l) -> Router.NATIVE.routeIndexed(leaf, table.tensor(), index, null, 1.0), torch.ones(3, 4));
    assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, TensorArrays.toFloats(grad));
  }
}
