package gradroute.model;

import gradroute.runtime.NativeCore;
import org.bytedeco.javacpp.annotation.ByRef;
import org.bytedeco.javacpp.annotation.ByVal;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.pytorch.Tensor;

/** The split linear layer of the native core ({@code native/linear_ops.h}); use {@link Linear}. */
@Properties(inherit = NativeCore.class, value = @Platform(library = NativeCore.LIBRARY))
@Namespace("gradroute")
final class NativeLinear {
  static {
    NativeCore.load();
  }

  private NativeLinear() {}

  static native @ByVal Tensor linear(
      @Const @ByRef Tensor x, @Const @ByRef Tensor weight, @Const @ByRef Tensor bias, boolean weight_out_in);

  static native boolean linear_splits(long rows, long in, long out);
}
