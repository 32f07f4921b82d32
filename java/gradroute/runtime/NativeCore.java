package gradroute.runtime;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * The one JNI library of the native core ({@code native/}), compiled by JavaCPP from the headers
 * below into {@value #LIBRARY}, and its load. Each concern binds its own functions in a class of
 * the package that owns it, which inherits these properties and calls {@link #load()} first:
 * {@code gradroute.routing.NativeRouting} (the routing ops), {@link NativeRuntime} (threads,
 * denormals, build information), {@code gradroute.profile.NativeProfiler} (the profiler),
 * {@code gradroute.train.NativeOptim} (fused Adam) and {@code gradroute.model.NativeLinear} (the
 * split linear layer). Preset {@code Tensor}s pass straight through: no copies, and the autograd
 * graph is libtorch's own.
 *
 * <p>The torch preset is loaded first so that libc10/libtorch_cpu are already in the process when
 * our library (which links against them by soname) is loaded.
 */
@Properties(
    value = @Platform(
        value = "linux-x86_64",
        compiler = "cpp17",
        include = {"route_ops.h", "route_ops.cpp", "bench_support.h", "runtime_ops.h", "runtime_ops.cpp", "profiler.h",
            "profiler.cpp", "optim_ops.h", "optim_ops.cpp", "linear_ops.h", "linear_ops.cpp"},
        link = {"c10", "torch_cpu", "torch"},
        library = NativeCore.LIBRARY))
public final class NativeCore {
  /** The JNI library's name, shared by every binding class. */
  public static final String LIBRARY = "jniNativeCore";

  static {
    Loader.load(org.bytedeco.pytorch.global.torch.class);
    Loader.load();
  }

  private NativeCore() {}

  /** Loads the native library once; throws if it is missing or does not link. */
  public static void load() {}
}
