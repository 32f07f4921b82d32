package gradroute.runtime;

import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.global.torch;

/**
 * Thread settings for running several small trainings side by side. libtorch hands matrix products
 * to OpenBLAS, which keeps its own thread pool besides libtorch's OpenMP threads; on a few shared
 * cores a product then waits for a descheduled BLAS thread (measured on 2 loaded cores: 32 policy
 * forwards of 64 rows took 3 s with OpenBLAS' default pool, 30 ms with one thread). The process
 * loads a single libopenblas, so setting its thread count here applies to libtorch's products.
 */
public final class CpuThreads {
  private CpuThreads() {}

  /** Sets libtorch's intra-op threads and OpenBLAS's threads to {@code threads} each. */
  public static void set(int threads) {
    set(threads, threads);
  }

  /** Sets libtorch's intra-op threads and OpenBLAS's threads (e.g. back to what they were). */
  public static void set(int torchThreads, int blasThreads) {
    if (torchThreads < 1 || blasThreads < 1) {
      throw new IllegalArgumentException("thread counts must be positive, got " + torchThreads + " and " + blasThreads);
    }
    torch.set_num_threads(torchThreads);
    openblas_full.openblas_set_num_threads(blasThreads);
  }

  public static int blasThreads() {
    return openblas_full.openblas_get_num_threads();
  }

  public static int torchThreads() {
    return torch.get_num_threads();
  }
}
