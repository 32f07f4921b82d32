package gradroute.runtime;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/** Short names for tensor reductions whose preset signatures are long. */
public final class Ops {
  private Ops() {}

  public static Tensor meanOver(Tensor t, boolean keepDim, long... dims) {
    return t.mean(dims, keepDim, new ScalarTypeOptional());
  }

  public static Tensor sumOver(Tensor t, boolean keepDim, long... dims) {
    return t.sum(dims, keepDim, new ScalarTypeOptional());
  }
}
