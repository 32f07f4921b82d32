package gradroute.routing;

import gradroute.runtime.NativeCore;
import org.bytedeco.javacpp.annotation.ByRef;
import org.bytedeco.javacpp.annotation.ByVal;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.pytorch.Tensor;

/**
 * The routing ops of the native core ({@code native/route_ops.h}), in the JNI library of
 * {@link NativeCore}. Use {@link Router#NATIVE} rather than this class.
 */
@Properties(inherit = NativeCore.class, value = @Platform(library = NativeCore.LIBRARY))
@Namespace("gradroute")
public final class NativeRouting {
  static {
    NativeCore.load();
  }

  private NativeRouting() {}

  public static native @ByVal Tensor route(@Const @ByRef Tensor x, @Const @ByRef Tensor gate);

  public static native @ByVal Tensor route_indexed(
      @Const @ByRef Tensor x,
      @Const @ByRef Tensor table,
      @Const @ByRef Tensor index,
      @Const @ByRef Tensor weight,
      double scale);

  public static native @ByVal Tensor route_ablate(
      @Const @ByRef Tensor x, @Const @ByRef Tensor gate, @Const @ByRef Tensor keep);
}
