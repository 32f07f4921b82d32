package gradroute.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.routing.NativeRouting;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class FlushDenormalTest {
  private static final float SUBNORMAL = Float.MIN_NORMAL / 4;

  /** Fills n floats with a subnormal and multiplies by 1 in libtorch; returns the largest result. */
  private static double largestAfterMultiply(int n) {
    try (PointerScope scope = new PointerScope()) {
      Tensor x = torch.full(new long[] {n}, new Scalar(SUBNORMAL));
      return x.mul(new Scalar(1.0)).max().item_double();
    }
  }

  @Test
  void onByDefaultAndSubnormalsBecomeZeroInARealOp() {
    TorchRuntime.init();
    assertTrue(TorchRuntime.flushDenormal());
    assertTrue(NativeRouting.flush_denormal_enabled());
    assertEquals(0.0, largestAfterMultiply(16));
    // large enough for libtorch to split it over its intra-op threads
    assertEquals(0.0, largestAfterMultiply(1 << 20));
  }

  @Test
  void turnedOffSubnormalsSurvive() {
    TorchRuntime.init();
    try {
      NativeRouting.set_flush_denormal(false);
      assertFalse(NativeRouting.flush_denormal_enabled());
      assertEquals(SUBNORMAL, largestAfterMultiply(16), 0.0);
      assertEquals(SUBNORMAL, largestAfterMultiply(1 << 20), 0.0);
    } finally {
      TorchRuntime.applyFlushDenormalToThisThread();
    }
    assertEquals(0.0, largestAfterMultiply(16));
  }

  @Test
  void switchedOffOnlyByAnExplicitNo() {
    assertTrue(TorchRuntime.flushDenormalWanted(null, null));
    assertTrue(TorchRuntime.flushDenormalWanted("", "1"));
    assertFalse(TorchRuntime.flushDenormalWanted(null, "0"));
    assertFalse(TorchRuntime.flushDenormalWanted("false", "1"));
    assertTrue(TorchRuntime.flushDenormalWanted("true", "off"));
  }
}
