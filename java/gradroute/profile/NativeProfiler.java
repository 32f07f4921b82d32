package gradroute.profile;

import gradroute.runtime.NativeCore;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.annotation.StdString;

/** The profiler of the native core ({@code native/profiler.h}); use {@link Profiler}. */
@Properties(inherit = NativeCore.class, value = @Platform(library = NativeCore.LIBRARY))
@Namespace("gradroute")
final class NativeProfiler {
  static {
    NativeCore.load();
  }

  private NativeProfiler() {}

  static native void profiler_start(boolean recordShapes);

  static native @StdString String profiler_stop(@StdString String tracePath);

  static native boolean profiler_running();
}
