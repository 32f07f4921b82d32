package gradroute.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-time set-up of libtorch for every entry point (CLI, tests, benchmarks, library users): threads
 * and devices, and flush-to-zero when asked for.
 *
 * <p>{@link #init()} sets libtorch's intra-op thread count and OpenBLAS's (see there) and nothing
 * else: it leaves the floating-point mode of the process alone, so a host application's own
 * arithmetic keeps IEEE subnormals.
 *
 * <p>Flush-to-zero is an explicit opt-in, {@link #enableFlushDenormal()}, which the gradroute CLI
 * calls: late in training weights, activations and Adam moments reach subnormal floats, and every
 * CPU kernel touching them runs about 10&times; slower (the MNIST step fell from 20 to 1.4 steps/s).
 * It changes the arithmetic of the calling Java thread as well (e.g. {@code Float.MIN_NORMAL / 4}
 * becomes 0 there), which is why a library does not do it unasked. {@code
 * -Dgradroute.flushDenormal=true} (or {@code GRADROUTE_FLUSH_DENORMAL=1}) makes {@link #init()}
 * enable it too (the tests run so); {@code false}/{@code 0} keeps it off even when {@link
 * #enableFlushDenormal()} is called. The mode is per thread: it holds on the thread that enables
 * it (every later {@link #init()} call re-applies it there) and libtorch's intra-op threads. The
 * JVM resets the mode whenever native code calls into Java (JDK 17's first reflective calls, class
 * initialisers, new threads), so the launcher and surefire pass {@code
 * -Dsun.reflect.noInflation=true}, and any other thread calls {@link #init()} or {@link
 * #applyFlushDenormalToThisThread()} before its tensor code.
 *
 * <p>libgomp reads {@code OMP_WAIT_POLICY} and {@code GOMP_SPINCOUNT} when it loads, so they cannot
 * be set from Java: the launcher, surefire and the data-parallel launcher put
 * {@code OMP_WAIT_POLICY=passive} and {@code GOMP_SPINCOUNT=}{@value #SPIN_COUNT} in the
 * environment. OpenMP threads that spin on starve OpenBLAS on few cores and collapse when other
 * processes want the cores (a 784→512 linear measured 8.8 ms instead of 0.7 ms; a spin count of
 * 200,000 timed out under load, 20,000 halved MNIST in one loaded run of three). Without any
 * spinning, every parallel op pays about 50 µs for waking a sleeping thread. 5,000 rounds (about
 * 50 µs) trained MNIST at 47–51 steps/s against 35–41 on the quiet machine and as fast as no spin
 * under load ({@code docs/speed/spin-count.md}). We warn when the policy is missing.
 */
public final class TorchRuntime {
  private static final Logger log = LoggerFactory.getLogger(TorchRuntime.class);
  private static volatile boolean initialised;
  private static volatile boolean flushDenormal;

  /** The system property and environment variable that turn flush-to-zero on ("1", "true", "on") or off ("0", "false", "off"). */
  public static final String FLUSH_DENORMAL_PROPERTY = "gradroute.flushDenormal";
  public static final String FLUSH_DENORMAL_ENV = "GRADROUTE_FLUSH_DENORMAL";

  /** The OpenMP spin count the launchers set: rounds an idle pool thread spins before it sleeps. */
  public static final String SPIN_COUNT = "5000";

  /**
   * The glibc malloc settings the launchers set (glibc reads them at start-up): blocks up to 32 MiB
   * stay in the heap instead of being mapped and zeroed afresh at every step, and the heap is not
   * trimmed back after each step ({@code docs/speed/malloc.md}).
   */
  public static final Map<String, String> MALLOC_SETTINGS = mallocDefaults();

  private static Map<String, String> mallocDefaults() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("MALLOC_MMAP_THRESHOLD_", "33554432");
    m.put("MALLOC_TRIM_THRESHOLD_", "1073741824");
    m.put("MALLOC_TOP_PAD_", "268435456");
    return Collections.unmodifiableMap(m);
  }

  /** The variable that turns the launchers' malloc settings off: {@code GRADROUTE_MALLOC=default}. */
  public static final String MALLOC_ENV = "GRADROUTE_MALLOC";

  /**
   * The malloc settings a launcher gives a child process whose environment lacks them: {@link
   * #MALLOC_SETTINGS}, or none when {@code gradrouteMalloc} (the value of {@link #MALLOC_ENV}) is
   * "default", as in {@code ./gradroute}.
   */
  public static Map<String, String> mallocSettingsToSet(String gradrouteMalloc) {
    return "default".equals(gradrouteMalloc) ? Map.of() : MALLOC_SETTINGS;
  }

  /** The glibc malloc variables of {@link #MALLOC_SETTINGS} as this process's environment has them ("unset" for a missing one). */
  public static String mallocSettings() {
    StringBuilder b = new StringBuilder();
    for (String k : MALLOC_SETTINGS.keySet()) b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(System.getenv().getOrDefault(k, "unset"));
    return b.toString();
  }

  private TorchRuntime() {}

  /**
   * Once: sets libtorch's intra-op threads to {@code OMP_NUM_THREADS} when that is a positive
   * number (to share the machine between processes), else to the physical core count; sets
   * OpenBLAS to one thread unless {@code OPENBLAS_NUM_THREADS} is set; warns when {@code
   * OMP_WAIT_POLICY} is not passive; and logs it all. It turns flush-to-zero on only when {@value
   * #FLUSH_DENORMAL_PROPERTY} or {@value #FLUSH_DENORMAL_ENV} asks for it (see the class comment).
   * Every later call only re-applies flush-to-zero to the calling thread, when it is on.
   */
  public static synchronized void init() {
    if (initialised) {
      if (flushDenormal) NativeRuntime.set_flush_denormal_on_this_thread(true);
      return;
    }
    int threads = requestedThreads(System.getenv("OMP_NUM_THREADS"), physicalCores());
    torch.set_num_threads(threads);
    int blasThreads = singleThreadedBlas();
    if (Boolean.TRUE.equals(flushDenormalSetting(System.getProperty(FLUSH_DENORMAL_PROPERTY), System.getenv(FLUSH_DENORMAL_ENV)))) {
      flushDenormal = NativeRuntime.set_flush_denormal(true);
    }
    String policy = System.getenv("OMP_WAIT_POLICY");
    if (!"passive".equalsIgnoreCase(policy)) {
      log.warn("OMP_WAIT_POLICY is '{}', not 'passive': OpenMP threads will spin and slow BLAS down; "
          + "start through ./gradroute or export OMP_WAIT_POLICY=passive", policy);
    }
    log.info("libtorch: {} threads, BLAS {} ({} thread(s)), OMP_WAIT_POLICY={}, GOMP_SPINCOUNT={}, flush-to-zero {}, malloc {}",
        torch.get_num_threads(), blasLibrary(), blasThreads, policy, System.getenv("GOMP_SPINCOUNT"),
        flushDenormal ? "on" : "off", mallocSettings());
    initialised = true;
  }

  /**
   * Opt-in: {@link #init()}, then flush-to-zero on for libtorch and the calling thread, unless
   * {@value #FLUSH_DENORMAL_PROPERTY} or {@value #FLUSH_DENORMAL_ENV} says off. Subnormal floats
   * then read as zero on this thread, in Java code too. Returns whether it is on.
   */
  public static synchronized boolean enableFlushDenormal() {
    init();
    if (!flushDenormal && !Boolean.FALSE.equals(flushDenormalSetting(System.getProperty(FLUSH_DENORMAL_PROPERTY),
        System.getenv(FLUSH_DENORMAL_ENV)))) {
      flushDenormal = NativeRuntime.set_flush_denormal(true);
      log.info("flush-to-zero on");
    }
    return flushDenormal;
  }

  /** OpenBLAS's thread count now (-1 if OpenBLAS cannot be queried). */
  public static int blasThreads() {
    if (mklInPlaceOfOpenBlas()) return -1; // the openblas_* functions are absent from mkl_rt
    try {
      return org.bytedeco.openblas.global.openblas_full.openblas_get_num_threads();
    } catch (Throwable e) {
      return -1;
    }
  }

  /** The BLAS library libtorch multiplies with, e.g. "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=128". */
  public static String blasLibrary() {
    if (mklInPlaceOfOpenBlas()) return "MKL (mkl_rt, loaded in OpenBLAS's place)";
    try {
      return org.bytedeco.openblas.global.openblas_full.openblas_get_config().getString().trim();
    } catch (Throwable e) {
      return "unknown (" + e.getClass().getSimpleName() + ")";
    }
  }

  /** Whether libtorch flushes subnormal floats to zero (off unless enabled; see the class comment). */
  public static boolean flushDenormal() {
    init();
    return flushDenormal;
  }

  /** Puts this thread in the flush mode {@link #init()} chose (the same as calling {@link #init()} again). */
  public static void applyFlushDenormalToThisThread() {
    init();
  }

  /** What the property (first) or the variable says: true for "1"/"true"/"on"/"yes", false for "0"/"false"/"off"/"no", else null. */
  static Boolean flushDenormalSetting(String property, String env) {
    String v = property != null && !property.isBlank() ? property : env;
    if (v == null || v.isBlank()) return null;
    String t = v.trim().toLowerCase(java.util.Locale.ROOT);
    if (List.of("1", "true", "on", "yes").contains(t)) return true;
    if (List.of("0", "false", "off", "no").contains(t)) return false;
    return null;
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
    if (mklInPlaceOfOpenBlas()) {
      log.debug("BLAS is MKL (org.bytedeco.openblas.load={}): its threads follow MKL_NUM_THREADS", System.getProperty(OPENBLAS_LOAD));
      return -1; // the openblas_* functions are absent from mkl_rt: calling them aborts the JVM
    }
    try {
      String env = System.getenv("OPENBLAS_NUM_THREADS");
      if (env == null || env.isBlank()) org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(1);
      return org.bytedeco.openblas.global.openblas_full.openblas_get_num_threads();
    } catch (Throwable e) { // the OpenBLAS preset missing or not loadable: leave BLAS as it is
      log.debug("could not set OpenBLAS threads: {}", e.toString());
      return -1;
    }
  }

  private static final String OPENBLAS_LOAD = "org.bytedeco.openblas.load";

  /** Whether the JavaCPP openblas preset was told to load MKL ({@code -Dorg.bytedeco.openblas.load=mkl_rt}). */
  static boolean mklInPlaceOfOpenBlas() {
    String load = System.getProperty(OPENBLAS_LOAD);
    return load != null && load.toLowerCase(java.util.Locale.ROOT).contains("mkl");
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
