package gradroute.routing;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.ByRef;
import org.bytedeco.javacpp.annotation.ByVal;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.StdString;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Tensor;

/**
 * The JavaCPP binding of the native core: {@code native/route_ops.h}, the runtime settings of
 * {@code runtime_ops.h} (used by {@code TorchRuntime}), the profiler of {@code profiler.h} (used by
 * {@code gradroute.profile.Profiler}), the fused optimiser steps of {@code optim_ops.h} (used by
 * {@code gradroute.train.FusedAdam}), the split linear layer of {@code linear_ops.h} (used by
 * {@code gradroute.model.Linear}) and the benchmarks' {@code bench_support.h}. Preset {@link Tensor}s pass straight through:
 * no copies, and the autograd graph is libtorch's own. Use {@link Router#NATIVE} rather than this class.
 *
 * <p>The torch preset is loaded first so that libc10/libtorch_cpu are already in the process when
 * our module (which links against them by soname) is loaded.
 */
@Platform(
    value = "linux-x86_64",
    compiler = "cpp17",
    include = {"route_ops.h", "route_ops.cpp", "bench_support.h", "runtime_ops.h", "runtime_ops.cpp", "profiler.h",
        "profiler.cpp", "optim_ops.h", "optim_ops.cpp", "linear_ops.h", "linear_ops.cpp"},
    link = {"c10", "torch_cpu", "torch"})
@Namespace("gradroute")
public final class NativeRouting {
  static {
    Loader.load(org.bytedeco.pytorch.global.torch.class);
    Loader.load();
  }

  private NativeRouting() {}

  /** Loads the native module; throws if it is missing or does not link. */
  public static void ensureLoaded() {}

  public static native @ByVal Tensor route(@Const @ByRef Tensor x, @Const @ByRef Tensor gate);

  public static native @ByVal Tensor route_indexed(
      @Const @ByRef Tensor x,
      @Const @ByRef Tensor table,
      @Const @ByRef Tensor index,
      @Const @ByRef Tensor weight,
      double scale);

  public static native @ByVal Tensor route_ablate(
      @Const @ByRef Tensor x, @Const @ByRef Tensor gate, @Const @ByRef Tensor keep);

  public static native String compiled_torch_version();

  /** See native/runtime_ops.h; use {@code TorchRuntime}. */
  public static native boolean set_flush_denormal(boolean on);

  public static native boolean set_flush_denormal_on_this_thread(boolean on);

  public static native boolean flush_denormal_enabled();

  public static native @StdString String torch_build_config();

  public static native boolean torch_has_mkldnn();

  /** See native/profiler.h; use {@code gradroute.profile.Profiler}. */
  public static native void profiler_start(boolean recordShapes);

  public static native @StdString String profiler_stop(@StdString String tracePath);

  public static native boolean profiler_running();

  /** See native/optim_ops.h; use {@code gradroute.train.FusedAdam}. */
  public static native void fused_adam_step(@ByRef Adam optimizer);

  public static native void fused_adamw_step(@ByRef AdamW optimizer);

  /** See native/linear_ops.h; use {@code gradroute.model.Linear}. */
  public static native @ByVal Tensor linear(
      @Const @ByRef Tensor x, @Const @ByRef Tensor weight, @Const @ByRef Tensor bias, boolean weight_out_in);

  public static native boolean linear_splits(long rows, long in, long out);

  /** Benchmarks only: see native/bench_support.h. */
  public static native boolean release_free_heap();
}
