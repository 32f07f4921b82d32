package gradroute.runtime;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with one libtorch and one BLAS thread and restores the previous counts after
 * it: small products stall on OpenBLAS' own pool when the shared cores are busy.
 */
public final class SingleThreaded implements BeforeAllCallback, AfterAllCallback {
  private int torchThreads;
  private int blasThreads;

  @Override
  public void beforeAll(ExtensionContext context) {
    TorchRuntime.init();
    torchThreads = CpuThreads.torchThreads();
    blasThreads = CpuThreads.blasThreads();
    CpuThreads.set(1);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    CpuThreads.set(torchThreads, blasThreads);
  }
}
