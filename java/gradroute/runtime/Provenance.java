package gradroute.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.bytedeco.pytorch.global.torch;

/**
 * What produced a result, beyond its config: the code (gradroute version and git commit, embedded
 * at build time; "unknown" outside a git checkout), the native stack (libtorch, preset, BLAS) and
 * the settings that change numbers (libtorch intra-op and BLAS threads: MNIST --quick's S moved
 * from 1.166 to 1.147 with OPENBLAS_NUM_THREADS; flush-to-zero) or speed (OMP_WAIT_POLICY,
 * GOMP_SPINCOUNT, glibc's malloc thresholds), and the machine. Every run's config.json and summary.json carry one.
 *
 * @param gitDirty whether the build's checkout had uncommitted changes (null when unknown)
 * @param torchThreads libtorch's intra-op threads when collected
 * @param blasThreads OpenBLAS's threads when collected (-1 when unknown)
 */
public record Provenance(
    String gradrouteVersion,
    String gitCommit,
    Boolean gitDirty,
    String libtorchVersion,
    String presetVersion,
    String blasLibrary,
    int torchThreads,
    int blasThreads,
    String ompNumThreads,
    String openblasNumThreads,
    String ompWaitPolicy,
    String gompSpinCount,
    String mallocSettings,
    boolean flushDenormal,
    String jvm,
    String os,
    String cpuModel,
    int logicalCores,
    int physicalCores) {

  public static final String UNKNOWN = "unknown";
  private static final String BUILD_RESOURCE = "/gradroute/runtime/build.properties";

  /** The current process's provenance; initialises the runtime. */
  public static Provenance collect() {
    TorchRuntime.init();
    Properties build = buildProperties();
    String dirty = build.getProperty("git.dirty", "");
    return new Provenance(
        build.getProperty("version", UNKNOWN),
        known(build.getProperty("git.commit")),
        dirty.equals("true") ? Boolean.TRUE : dirty.equals("false") ? Boolean.FALSE : null,
        NativeRuntime.compiled_torch_version().trim(),
        known(torch.class.getPackage().getImplementationVersion()),
        TorchRuntime.blasLibrary(),
        torch.get_num_threads(),
        TorchRuntime.blasThreads(),
        env("OMP_NUM_THREADS"),
        env("OPENBLAS_NUM_THREADS"),
        env("OMP_WAIT_POLICY"),
        env("GOMP_SPINCOUNT"),
        TorchRuntime.mallocSettings(),
        TorchRuntime.flushDenormal(),
        System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        readCpuModel(),
        Runtime.getRuntime().availableProcessors(),
        TorchRuntime.physicalCores());
  }

  /** The gradroute version and git commit, which a resumed run must share with its start. */
  public String codeVersion() {
    return gradrouteVersion + " (commit " + gitCommit + (Boolean.TRUE.equals(gitDirty) ? ", uncommitted changes" : "") + ")";
  }

  static Properties buildProperties() {
    Properties p = new Properties();
    try (InputStream in = Provenance.class.getResourceAsStream(BUILD_RESOURCE)) {
      if (in != null) p.load(in);
    } catch (IOException e) {
      // a damaged jar: every entry stays unknown
    }
    return p;
  }

  private static String known(String value) {
    // an unfiltered resource (a build outside Maven) still holds the ${...} placeholder
    return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value.trim();
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v == null ? "(unset)" : v;
  }

  private static String readCpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall back to the architecture
    }
    return System.getProperty("os.arch");
  }
}
