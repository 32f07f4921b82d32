package gradroute.runtime;

import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.annotation.StdString;

/**
 * The runtime settings of the native core ({@code native/runtime_ops.h}: flush-to-zero, libtorch's
 * build description), the libtorch version it was compiled against, and the benchmarks' heap
 * release ({@code native/bench_support.h}). Use {@link TorchRuntime} for the denormal settings.
 */
@Properties(inherit = NativeCore.class, value = @Platform(library = NativeCore.LIBRARY))
@Namespace("gradroute")
public final class NativeRuntime {
  static {
    NativeCore.load();
  }

  private NativeRuntime() {}

  /** The libtorch version of the headers the native core was compiled against. */
  public static native String compiled_torch_version();

  /** Flush-to-zero and denormals-are-zero on or off for the calling thread and libtorch's threads. */
  public static native boolean set_flush_denormal(boolean on);

  public static native boolean set_flush_denormal_on_this_thread(boolean on);

  public static native boolean flush_denormal_enabled();

  public static native @StdString String torch_build_config();

  public static native boolean torch_has_mkldnn();

  /** For benchmarks: hands the C heap's free pages back to the OS before a memory measurement. */
  public static native boolean release_free_heap();
}
