package gradroute.routing;

import org.bytedeco.pytorch.Tensor;

/**
 * Checks every {@link Router} does before touching native code: a null tensor is an {@link
 * IllegalArgumentException} and a closed (freed) one an {@link IllegalStateException}, naming the argument (not JavaCPP's "Pointer address of argument
 * 1 is NULL"), and the scale of {@code routeIndexed} must be finite and non-negative.
 */
final class RouteArguments {
  private RouteArguments() {}

  static void require(String op, String name, Tensor t) {
    gradroute.runtime.TensorChecks.requireOpen(op + ": " + name, t);
  }

  static void requireScale(double scale) {
    if (!Double.isFinite(scale) || scale < 0) {
      throw new IllegalArgumentException("routeIndexed: scale must be finite and >= 0, got " + scale);
    }
  }

  /**
   * The native ops report bad arguments as {@code std::invalid_argument} whose message starts with
   * the op's name; JavaCPP delivers it as a bare RuntimeException, turned here into the
   * IllegalArgumentException it is.
   */
  static RuntimeException translate(String op, RuntimeException e) {
    String m = e.getMessage();
    if (m != null && m.startsWith(op + ": ") && !(e instanceof IllegalArgumentException)) {
      return new IllegalArgumentException(m.lines().findFirst().orElse(m), e);
    }
    return e;
  }
}
