package gradroute.routing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TorchRuntime;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments raise Java exceptions that name what was wrong; the JVM never aborts. */
class RouterArgumentsTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  static void assertFailsWith(Executable call, String... fragments) {
    RuntimeException e = assertThrows(RuntimeException.class, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
    }
  }

  final Tensor x = torch.randn(4, 3).requires_grad_(true);

  @Test
  void gateThatDoesNotBroadcast() {
    assertFailsWith(() -> Router.NATIVE.route(x, torch.ones(5)), "route", "[5]", "[4, 3]");
    assertFailsWith(() -> Router.NATIVE.route(x, torch.ones(2, 4, 3)), "[2, 4, 3]", "[4, 3]");
    assertFailsWith(() -> Router.NATIVE.routeAblate(x, torch.ones(3), torch.ones(4)), "keep", "[4]");
  }

  @Test
  void nanInAGateOrATableIsRefused() {
    Tensor nanGate = Tensor.create(new float[] {1f, Float.NaN, 0f}, 3);
    assertFailsWith(() -> Router.NATIVE.route(x, nanGate), "route", "gate", "holds NaN");
    assertFailsWith(() -> Router.NATIVE.routeAblate(x, torch.ones(3), nanGate), "routeAblate", "keep", "holds NaN");
    Tensor nanTable = Tensor.create(new float[] {1f, 1f, Float.NaN, 1f, 1f, 1f}, 2, 3);
    assertFailsWith(() -> Router.NATIVE.routeIndexed(x, nanTable, torch.zeros(4).to(ScalarType.Long), null, 1.0), "table", "holds NaN");
    assertFailsWith(() -> MaskTable.builder(3).values(1f, Float.NaN, 0f), "mask row 0 holds NaN at dim 1");
    assertFailsWith(() -> MaskTable.builder(3).dims(new int[] {0}, Double.NaN, 0), "mask row 0", "on=NaN");
  }

  @Test
  void nonFloatingTensors() {
    assertFailsWith(() -> Router.NATIVE.route(x, torch.ones(3).to(ScalarType.Long)), "gate", "floating");
    assertFailsWith(() -> Router.NATIVE.route(torch.ones(3).to(ScalarType.Int), torch.ones(3)), "x", "floating");
    assertFailsWith(() -> Router.NATIVE.routeIndexed(x, torch.ones(2, 3), torch.zeros(4), null, 1.0), "index", "integer");
  }

  @Test
  void indexOutOfRange() {
    Tensor table = torch.ones(2, 3);
    assertFailsWith(() -> Router.NATIVE.routeIndexed(x, table, Tensor.create(new long[] {0, 1, 2, 0}, 4), null, 1.0), "[0, 1]", "found 2");
    assertFailsWith(() -> Router.NATIVE.routeIndexed(x, table, Tensor.create(new long[] {0, -1, 0, 0}, 4), null, 1.0), "found -1");
  }

  @Test
  void indexedShapesThatDoNotFit() {
    assertFailsWith(() -> Router.NATIVE.routeIndexed(x, torch.ones(2, 5), torch.zeros(4).to(ScalarType.Long), null, 1.0), "[4, 3]", "[2, 5]");
    assertFailsWith(() -> Router.NATIVE.routeIndexed(x, torch.ones(2, 3), torch.zeros(5).to(ScalarType.Long), null, 1.0), "[5]");
    assertFailsWith(() -> Router.NATIVE.routeIndexed(x, torch.ones(2, 3), torch.zeros(4).to(ScalarType.Long), torch.ones(3), 1.0), "weight", "[3]");
    assertFailsWith(() -> Router.NATIVE.routeIndexed(x, torch.ones(2, 3), torch.zeros(4).to(ScalarType.Long), torch.ones(4).mul(new org.bytedeco.pytorch.Scalar(2)), 1.0), "[0, 1]");
  }

  @Test
  void undefinedTensors() {
    assertFailsWith(() -> Router.NATIVE.route(x, new Tensor()), "gate", "undefined");
  }

  @Test
  void maskTableArguments() {
    assertThrows(IllegalArgumentException.class, () -> MaskTable.builder(4).dims(4));
    assertThrows(IllegalArgumentException.class, () -> MaskTable.builder(4).values(1, 2));
    assertThrows(IllegalArgumentException.class, () -> Router.named("fast"));
  }
}
