package gradroute.runtime;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Copies between preset tensors and Java arrays (through a contiguous CPU copy when needed). */
public final class TensorArrays {
  private TensorArrays() {}

  public static float[] toFloats(Tensor t) {
    Tensor c = cpu(t, ScalarType.Float);
    float[] out = new float[Math.toIntExact(c.numel())];
    c.data_ptr_float().get(out);
    return out;
  }

  public static double[] toDoubles(Tensor t) {
    Tensor c = cpu(t, ScalarType.Double);
    double[] out = new double[Math.toIntExact(c.numel())];
    c.data_ptr_double().get(out);
    return out;
  }

  public static long[] toLongs(Tensor t) {
    Tensor c = cpu(t, ScalarType.Long);
    long[] out = new long[Math.toIntExact(c.numel())];
    c.data_ptr_long().get(out);
    return out;
  }

  private static Tensor cpu(Tensor t, ScalarType type) {
    Tensor c = t.detach();
    if (!c.device().is_cpu()) c = c.cpu();
    if (c.scalar_type().intern() != type) c = c.to(type);
    return c.contiguous();
  }
}
