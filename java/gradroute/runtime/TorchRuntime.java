package gradroute.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-time set-up of libtorch for every entry point (CLI, tests, benchmarks): threads and devices.
 *
 * <p>libgomp reads {@code OMP_WAIT_POLICY} when it loads, so it cannot be set from Java: the
 * launcher, surefire and the benchmark runner put {@code OMP_WAIT_POLICY=passive} in the
 * environment. Without it, on few cores, OpenMP threads spin and starve OpenBLAS (a 784→512 linear
 * measured 8.8 ms instead of 0.7 ms). We warn when it is missing.
 */
public final class TorchRuntime {
  private static final Logger log = LoggerFactory.getLogger(TorchRuntime.class);
  private static volatile boolean initialised;

  private TorchRuntime() {}

  /**
   * Idempotent: sets libtorch's intra-op threads to {@code OMP_NUM_THREADS} when that is a positive
   * number (to share the machine between processes), else to the physical core count, and logs it.
   */
  public static synchronized void init() {
    if (initialised) return;
    int threads = requestedThreads(System.getenv("OMP_NUM_THREADS"), physicalCores());
    torch.set_num_threads(threads);
    int blasThreads = singleThreadedBlas();
    String policy = System.getenv("OMP_WAIT_POLICY");
    if (!"passive".equalsIgnoreCase(policy)) {
      log.warn("OMP_WAIT_POLICY is '{}', not 'passive': OpenMP threads will spin and slow BLAS down; "
          + "start through ./gradroute or export OMP_WAIT_POLICY=passive", policy);
    }
    log.info("libtorch: {} threads, OpenBLAS {} thread(s), OMP_WAIT_POLICY={}", torch.get_num_threads(),
        blasThreads, policy);
    initialised = true;
  }

  /** OpenBLAS's thread count now (-1 if OpenBLAS cannot be queried). */
  public static int blasThreads() {
    try {
      return org.bytedeco.openblas.global.openblas_full.openblas_get_num_threads();
    } catch (Throwable e) {
      return -1;
    }
  }

  /** The BLAS library libtorch multiplies with, e.g. "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=128". */
  public static String blasLibrary() {
    try {
      return org.bytedeco.openblas.global.openblas_full.openblas_get_config().getString().trim();
    } catch (Throwable e) {
      return "unknown (" + e.getClass().getSimpleName() + ")";
    }
  }

  /** Whether libtorch flushes subnormal floats to zero (nothing sets it yet: false). */
  public static boolean flushDenormal() {
    return false;
  }

  /** Parses a device name ("cpu", "cuda", "cuda:1") and checks that it is usable here. */
  public static Device device(String name) {
    init();
    Device d;
    try {
      d = new Device(name);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
    }
    if (d.is_cuda() && !torch.cuda_is_available()) {
      throw new IllegalArgumentException("device '" + name + "' asked for, but this build has no CUDA device available "
          + "(build with ./cppbuild.sh --gpu on a machine with a GPU)");
    }
    return d;
  }

  /**
   * OpenBLAS runs its own pthread pool beside libtorch's OpenMP threads, and its threads spin while
   * waiting. On a few shared cores that made a 2016×64 by 64×64 matmul take 4 ms instead of 0.06
   * ms and a small transformer's training step 10× slower (1.1 s instead of 0.11 s). libtorch
   * already parallelises around BLAS calls, so BLAS itself runs single-threaded unless
   * OPENBLAS_NUM_THREADS says otherwise. Returns the thread count in effect (-1 if unknown).
   */
  static int singleThreadedBlas() {
    try {
      String env = System.getenv("OPENBLAS_NUM_THREADS");
      if (env == null || env.isBlank()) org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(1);
      return org.bytedeco.openblas.global.openblas_full.openblas_get_num_threads();
    } catch (Throwable e) { // the OpenBLAS preset missing or not loadable: leave BLAS as it is
      log.debug("could not set OpenBLAS threads: {}", e.toString());
      return -1;
    }
  }

  /** {@code env} as a positive thread count, else {@code fallback}. */
  static int requestedThreads(String env, int fallback) {
    if (env == null || env.isBlank()) return fallback;
    try {
      int n = Integer.parseInt(env.trim());
      if (n > 0) return n;
    } catch (NumberFormatException e) {
      // fall through to the warning
    }
    log.warn("OMP_NUM_THREADS='{}' is not a positive number; using {} threads", env, fallback);
    return fallback;
  }

  /** Physical cores from /proc/cpuinfo (unique physical id / core id pairs); else the JVM's count. */
  public static int physicalCores() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      Set<String> cores = new HashSet<>();
      String physical = "0";
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon < 0) continue;
        String key = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (key.equals("physical id")) physical = value;
        if (key.equals("core id")) cores.add(physical + "/" + value);
      }
      if (!cores.isEmpty()) return Math.min(cores.size(), Runtime.getRuntime().availableProcessors());
    } catch (IOException | RuntimeException e) {
      // not Linux, or an unusual cpuinfo: fall through
    }
    return Runtime.getRuntime().availableProcessors();
  }
}
