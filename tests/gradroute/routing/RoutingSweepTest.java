package gradroute.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TorchRuntime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A seeded sweep through the public routing API: random shapes, dtypes (float32, float64,
 * bfloat16) and broadcast patterns, each op's forward value and gradient against the paper's
 * formula {@code g*x + (1-g)*x.detach()} written out here; then bad arguments, each of which must
 * be an IllegalArgumentException naming the argument.
 */
class RoutingSweepTest {
  private static final ScalarType[] TYPES = {ScalarType.Float, ScalarType.Double, ScalarType.BFloat16};
  private static final int CASES = 150;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static long[] randomShape(SplittableRandom rng, int minRank, int maxRank) {
    long[] s = new long[rng.nextInt(minRank, maxRank + 1)];
    for (int i = 0; i < s.length; i++) s[i] = rng.nextInt(1, 6);
    return s;
  }

  /** A shape broadcastable to {@code x}: a suffix of it, some dims set to 1. */
  private static long[] broadcastOf(SplittableRandom rng, long[] x) {
    long[] g = Arrays.copyOfRange(x, rng.nextInt(0, x.length + 1), x.length);
    for (int i = 0; i < g.length; i++) if (rng.nextInt(3) == 0) g[i] = 1;
    return g;
  }

  /** The paper's formula through ordinary autograd, in x's dtype. */
  private static Tensor formula(Tensor x, Tensor gate) {
    Tensor g = gate.detach().to(x.scalar_type());
    return g.mul(x).add(torch.rsub(g, new Scalar(1.0)).mul(x.detach()));
  }

  private static void assertClose(Tensor expected, Tensor actual, ScalarType type, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double tol = type == ScalarType.BFloat16 ? 2e-2 : type == ScalarType.Float ? 1e-6 : 1e-12;
    Tensor e = expected.to(ScalarType.Double), a = actual.to(ScalarType.Double);
    assertTrue(torch.allclose(e, a, tol, tol, false), what + ": differs by " + e.sub(a).abs().max().item_double());
  }

  /** x, upstream gradient and the leaf's gradient through {@code op}. */
  private static Tensor gradOf(Tensor value, java.util.function.Function<Tensor, Tensor> op, Tensor upstream, Tensor[] out) {
    Tensor leaf = value.clone().requires_grad_(true);
    Tensor y = op.apply(leaf);
    out[0] = y.detach();
    y.mul(upstream).sum().backward();
    return leaf.grad();
  }

  @Test
  void randomShapesDtypesAndBroadcastsMatchTheFormula() {
    SplittableRandom rng = new SplittableRandom(20241105);
    torch.manual_seed(20241105);
    for (int c = 0; c < CASES; c++) {
      try (PointerScope scope = new PointerScope()) {
        ScalarType type = TYPES[rng.nextInt(TYPES.length)];
        TensorOptions o = new TensorOptions(type);
        long[] xs = randomShape(rng, 1, 4);
        Tensor x = torch.randn(xs, o);
        Tensor up = torch.randn(xs, o);
        Tensor[] vn = new Tensor[1], vf = new Tensor[1];
        String what = "case " + c + " " + type + " x" + Arrays.toString(xs);
        switch (c % 3) {
          case 0 -> {
            long[] gs = broadcastOf(rng, xs);
            Tensor gate = torch.rand(gs, new TensorOptions(TYPES[rng.nextInt(TYPES.length)]));
            what += " route gate" + Arrays.toString(gs);
            assertClose(gradOf(x, l -> formula(l, gate), up, vf), gradOf(x, l -> Router.NATIVE.route(l, gate), up, vn), type, what);
          }
          case 1 -> {
            long[] gs = broadcastOf(rng, xs), ks = broadcastOf(rng, xs);
            Tensor gate = torch.rand(gs, o);
            Tensor keep = torch.randint(2, ks).to(type);
            what += " routeAblate gate" + Arrays.toString(gs) + " keep" + Arrays.toString(ks);
            assertClose(gradOf(x, l -> keep.to(type).mul(formula(l, gate)), up, vf),
                gradOf(x, l -> Router.NATIVE.routeAblate(l, gate, keep), up, vn), type, what);
          }
          default -> {
            int k = rng.nextInt(0, xs.length + 1);
            long[] indexShape = Arrays.copyOf(xs, k);
            long[] rowShape = Arrays.copyOfRange(xs, k, xs.length);
            long rows = rng.nextInt(1, 5);
            long[] tableShape = new long[rowShape.length + 1];
            tableShape[0] = rows;
            System.arraycopy(rowShape, 0, tableShape, 1, rowShape.length);
            Tensor table = torch.rand(tableShape, new TensorOptions(ScalarType.Float));
            Tensor index = torch.randint(rows, indexShape);
            Tensor weight = rng.nextBoolean() ? torch.rand(indexShape, new TensorOptions(ScalarType.Float)) : null;
            double scale = rng.nextInt(4) == 0 ? 1.0 : rng.nextDouble(0, 2);
            // the gate at position p: scale * ((1 - w) * table[index[p]] + w * table[last row])
            Tensor flat = table.reshape(rows, -1).to(ScalarType.Double);
            Tensor picked = flat.index_select(0, index.reshape(-1));
            if (weight != null) {
              Tensor w = weight.reshape(-1, 1).to(ScalarType.Double);
              picked = torch.rsub(w, new Scalar(1.0)).mul(picked).add(w.mul(flat.select(0, rows - 1)));
            }
            Tensor gate = picked.mul(new Scalar(scale)).view(xs);
            what += " routeIndexed table" + Arrays.toString(tableShape) + (weight != null ? " soft" : "") + " scale " + scale;
            assertClose(gradOf(x, l -> formula(l, gate), up, vf),
                gradOf(x, l -> Router.NATIVE.routeIndexed(l, table, index, weight, scale), up, vn), type, what);
          }
        }
        assertClose(vf[0], vn[0], type, what + ": forward value");
      }
    }
  }

  private static void assertRejects(String argument, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, argument);
    assertTrue(e.getMessage().contains(argument), "message '" + e.getMessage() + "' does not name " + argument);
  }

  @Test
  void badArgumentsAreIllegalArgumentsNamingTheArgument() {
    Tensor x = torch.randn(4, 3).requires_grad_(true);
    Tensor table = torch.ones(2, 3);
    Tensor index = Tensor.create(new long[] {0, 1, 1, 0}, 4);
    List<Object[]> cases = new ArrayList<>();
    for (Router r : new Router[] {Router.NATIVE, Router.REFERENCE}) {
      cases.add(new Object[] {"x", (Executable) () -> r.route(null, torch.ones(3))});
      cases.add(new Object[] {"gate", (Executable) () -> r.route(x, null)});
      cases.add(new Object[] {"keep", (Executable) () -> r.routeAblate(x, torch.ones(3), null)});
      cases.add(new Object[] {"table", (Executable) () -> r.routeIndexed(x, null, index, null, 1)});
      cases.add(new Object[] {"index", (Executable) () -> r.routeIndexed(x, table, null, null, 1)});
      cases.add(new Object[] {"scale", (Executable) () -> r.routeIndexed(x, table, index, null, Double.NaN)});
      cases.add(new Object[] {"scale", (Executable) () -> r.routeIndexed(x, table, index, null, Double.POSITIVE_INFINITY)});
      cases.add(new Object[] {"scale", (Executable) () -> r.routeIndexed(x, table, index, null, -0.5)});
    }
    Tensor nanWeight = Tensor.create(new float[] {0.5f, Float.NaN, 0f, 1f}, 4);
    cases.add(new Object[] {"weight", (Executable) () -> Router.NATIVE.routeIndexed(x, table, index, nanWeight, 1)});
    cases.add(new Object[] {"weight", (Executable) () -> Router.NATIVE.routeIndexed(x, table, index, torch.ones(3), 1)});
    cases.add(new Object[] {"weight", (Executable) () -> Router.NATIVE.routeIndexed(x, table, index, torch.full(new long[] {4}, new Scalar(1.5)), 1)});
    cases.add(new Object[] {"gate", (Executable) () -> Router.NATIVE.route(x, torch.ones(5))});
    cases.add(new Object[] {"gate", (Executable) () -> Router.NATIVE.route(x, torch.ones(3).to(ScalarType.Long))});
    cases.add(new Object[] {"x", (Executable) () -> Router.NATIVE.route(torch.ones(3).to(ScalarType.Int), torch.ones(3))});
    cases.add(new Object[] {"keep", (Executable) () -> Router.NATIVE.routeAblate(x, torch.ones(3), torch.ones(4))});
    cases.add(new Object[] {"index", (Executable) () -> Router.NATIVE.routeIndexed(x, table, torch.zeros(4), null, 1)});
    cases.add(new Object[] {"index", (Executable) () -> Router.NATIVE.routeIndexed(x, table, Tensor.create(new long[] {0, 2, 0, 0}, 4), null, 1)});
    cases.add(new Object[] {"table", (Executable) () -> Router.NATIVE.routeIndexed(x, torch.ones(2, 5), index, null, 1)});
    cases.add(new Object[] {"gate", (Executable) () -> Router.NATIVE.route(x, new Tensor())});
    for (Object[] c : cases) assertRejects((String) c[0], (Executable) c[1]);
  }

  @Test
  void exampleRuleRejectsLabelsOutsideItsClassesNamingLabelAndPosition() {
    ExampleRule rule = ExampleRule.split(5, 10, 0, 1);
    int[][] bad = {{0, -1, 3}, {12}, {4, 5, 99}};
    int[] label = {-1, 12, 99};
    int[] position = {1, 0, 2};
    for (int i = 0; i < bad.length; i++) {
      int[] labels = bad[i];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rule.indices(labels));
      assertTrue(e.getMessage().contains("label " + label[i]) && e.getMessage().contains("position " + position[i]), e.getMessage());
    }
  }
}
