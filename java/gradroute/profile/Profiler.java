package gradroute.profile;

import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;

/**
 * libtorch's own profiler (Kineto, CPU activities) around any code: every libtorch op the calling
 * thread runs, autograd's backward ops included, with its input shapes.
 *
 * <pre>{@code
 * Profiler profiler = Profiler.start();
 * ... training steps ...
 * Profile profile = profiler.stop(Path.of("trace.json"));   // Chrome trace: chrome://tracing or ui.perfetto.dev
 * System.out.println(profile.table(10));
 * }</pre>
 *
 * One profile at a time per process. {@link #close()} stops a profile that was not stopped and
 * drops it, so {@code try (Profiler p = Profiler.start()) { ...; p.stop(null); }} never leaks one.
 */
public final class Profiler implements AutoCloseable {
  private boolean running = true;
  private final long startNanos;

  private Profiler() {
    startNanos = System.nanoTime();
  }

  /** Starts profiling with input shapes recorded. */
  public static Profiler start() {
    return start(true);
  }

  public static synchronized Profiler start(boolean recordShapes) {
    TorchRuntime.init();
    if (NativeProfiler.profiler_running()) {
      throw new IllegalStateException("a profile is already running; stop it before starting another");
    }
    NativeProfiler.profiler_start(recordShapes);
    return new Profiler();
  }

  /**
   * Stops profiling and returns the per-op table.
   *
   * @param chromeTrace where to write the Chrome-trace JSON, or null for none
   */
  public synchronized Profile stop(Path chromeTrace) {
    if (!running) throw new IllegalStateException("this profile was already stopped");
    running = false;
    double wallMicros = (System.nanoTime() - startNanos) / 1e3;
    if (chromeTrace != null && chromeTrace.toAbsolutePath().getParent() != null) {
      try {
        java.nio.file.Files.createDirectories(chromeTrace.toAbsolutePath().getParent());
      } catch (java.io.IOException e) {
        NativeProfiler.profiler_stop("");
        throw new java.io.UncheckedIOException("cannot create the folder of the trace " + chromeTrace, e);
      }
    }
    String events = NativeProfiler.profiler_stop(chromeTrace == null ? "" : chromeTrace.toString());
    return Profile.fromEvents(events, wallMicros);
  }

  @Override
  public synchronized void close() {
    if (running) {
      running = false;
      NativeProfiler.profiler_stop("");
    }
  }
}
