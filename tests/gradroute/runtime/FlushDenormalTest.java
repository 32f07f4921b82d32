package gradroute.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
  void onInTheTestsBecauseSurefireAsksForIt() {
    assertEquals("true", System.getProperty(TorchRuntime.FLUSH_DENORMAL_PROPERTY), "pom.xml's surefire configuration");
    TorchRuntime.init();
    assertTrue(TorchRuntime.flushDenormal());
    assertTrue(NativeRuntime.flush_denormal_enabled());
    assertEquals(0.0, largestAfterMultiply(16));
    // large enough for libtorch to split it over its intra-op threads
    assertEquals(0.0, largestAfterMultiply(1 << 20));
  }

  @Test
  void turnedOffSubnormalsSurvive() {
    TorchRuntime.init();
    try {
      NativeRuntime.set_flush_denormal(false);
      assertFalse(NativeRuntime.flush_denormal_enabled());
      assertEquals(SUBNORMAL, largestAfterMultiply(16), 0.0);
      assertEquals(SUBNORMAL, largestAfterMultiply(1 << 20), 0.0);
    } finally {
      TorchRuntime.applyFlushDenormalToThisThread();
    }
    assertEquals(0.0, largestAfterMultiply(16));
  }

  @Test
  void anOptInNeitherOnNorOffUnlessSaid() {
    assertNull(TorchRuntime.flushDenormalSetting(null, null));
    assertNull(TorchRuntime.flushDenormalSetting("", "maybe"));
    assertTrue(TorchRuntime.flushDenormalSetting("", "1"));
    assertFalse(TorchRuntime.flushDenormalSetting(null, "0"));
    assertFalse(TorchRuntime.flushDenormalSetting("false", "1"));
    assertTrue(TorchRuntime.flushDenormalSetting("true", "off"));
  }

  /** What a library user's own code computes after {@code init()}, and after the opt-in; run in a JVM of its own. */
  public static final class HostArithmetic {
    static volatile float subnormal = Float.MIN_NORMAL / 4;

    public static void main(String[] args) {
      TorchRuntime.init();
      float afterInit = subnormal * 1.0f;
      TorchRuntime.enableFlushDenormal();
      float afterOptIn = subnormal * 1.0f;
      System.out.println("afterInit=" + afterInit + " afterOptIn=" + afterOptIn);
    }
  }

  @Test
  void initLeavesTheHostsArithmeticAloneAndTheOptInIsExplicit() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dsun.reflect.noInflation=true",
        "-cp", System.getProperty("java.class.path"), HostArithmetic.class.getName()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("afterInit=" + SUBNORMAL), "init() changed the host's arithmetic: " + out);
    assertTrue(out.contains("afterOptIn=0.0"), "enableFlushDenormal() did not flush on the calling thread: " + out);
  }
}
