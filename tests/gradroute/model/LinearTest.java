package gradroute.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Linear} against libtorch's own layer, through the JNI binding (the C++ tests cover the op itself). */
class LinearTest {
  private int threads;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @BeforeEach
  void saveThreads() {
    threads = torch.get_num_threads();
  }

  @AfterEach
  void restoreThreads() {
    torch.set_num_threads(threads);
  }

  /** Output, input gradient and weight gradient of a 784 → 512 layer on 256 rows, through {@code forward}. */
  private static Tensor[] run(boolean split) {
    torch.manual_seed(5);
    LinearImpl layer = new LinearImpl(784, 512);
    Tensor x = torch.randn(256, 784).requires_grad_(true);
    Tensor y = split ? Linear.of(layer, x) : layer.forward(x);
    y.mul(y).sum().backward();
    return new Tensor[] {y.detach(), x.grad(), layer.weight().grad(), layer.bias().grad()};
  }

  @Test
  void splitLayerEqualsLibtorchsLinearUpToRounding() {
    torch.set_num_threads(2);
    assertTrue(Linear.splits(256, 784, 512), "a 784 x 512 layer on 256 rows splits on two threads");
    try (PointerScope scope = new PointerScope()) {
      Tensor[] ref = run(false), split = run(true);
      String[] what = {"output", "grad x", "grad weight", "grad bias"};
      for (int i = 0; i < ref.length; i++) {
        assertTrue(torch.allclose(split[i], ref[i], 1e-4, 1e-4, false), what[i] + ": max difference "
            + split[i].sub(ref[i]).abs().max().item_double());
      }
    }
  }

  @Test
  void oneThreadIsLibtorchsLinearBitForBit() {
    torch.set_num_threads(1);
    assertFalse(Linear.splits(256, 784, 512));
    try (PointerScope scope = new PointerScope()) {
      Tensor[] ref = run(false), split = run(true);
      for (int i = 0; i < ref.length; i++) assertTrue(torch.equal(split[i], ref[i]), "tensor " + i + " differs");
    }
  }

  @Test
  void aWrongWidthNamesBothShapes() {
    try (PointerScope scope = new PointerScope()) {
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> Linear.inOut(torch.randn(4, 5), torch.randn(6, 3), null));
      assertTrue(e.getMessage().contains("x's last dimension is 5") && e.getMessage().contains("[6, 3]"), e.getMessage());
    }
  }
}
