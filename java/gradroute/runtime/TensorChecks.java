package gradroute.runtime;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/** Argument checks on tensors that every public entry point shares, so a mistake is a Java exception that names it. */
public final class TensorChecks {
  private TensorChecks() {}

  /**
   * @throws IllegalArgumentException when {@code t} is null
   * @throws IllegalStateException when {@code t} was closed (its native memory freed), which JavaCPP
   *     would otherwise report as a NullPointerException deep inside a call
   */
  public static void requireOpen(String what, Tensor t) {
    if (t == null) throw new IllegalArgumentException(what + " is null");
    if (t.isNull()) {
      throw new IllegalStateException(what + " is a closed tensor (its native memory was freed by close() or its PointerScope); "
          + "use it before it is closed, or retainReference() it");
    }
  }

  /**
   * @throws IllegalArgumentException naming {@code what}, both shapes and {@code where} when {@code
   *     operand} does not broadcast against {@code target} without changing its shape
   */
  public static void requireBroadcastsInto(String what, long[] operand, long[] target, String where) {
    boolean fits = operand.length <= target.length;
    for (int i = 1; fits && i <= operand.length; i++) {
      long a = operand[operand.length - i];
      fits = a == 1 || a == target[target.length - i];
    }
    if (!fits) {
      throw new IllegalArgumentException(what + " of shape " + Arrays.toString(operand) + " does not broadcast against the activation "
          + Arrays.toString(target) + " at " + where);
    }
  }
}
