package gradroute.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import gradroute.routing.MaskTable;
import gradroute.routing.Router;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The native ops on a CUDA device give the CPU's gradients; skipped where the machine has none. */
class CudaDeviceTest {
  @BeforeEach
  void needsCuda() {
    TorchRuntime.init();
    assumeTrue(torch.cuda_is_available(), "no CUDA device on this machine (or a CPU-only build): CUDA tests skipped");
  }

  @Test
  void routeIndexedOnCudaMatchesCpu() {
    try (PointerScope scope = new PointerScope()) {
      Device cuda = TorchRuntime.device("cuda");
      MaskTable table = MaskTable.builder(8).dims(MaskTable.range(0, 4)).dims(MaskTable.range(4, 8)).build();
      Tensor index = torch.randint(0, table.size(), new long[] {6});
      Tensor x0 = torch.randn(6, 8);
      Tensor upstream = torch.randn(6, 8);
      Tensor[] grads = new Tensor[2];
      Device[] devices = {new Device("cpu"), cuda};
      for (int i = 0; i < 2; i++) {
        Tensor x = x0.to(devices[i], torch.ScalarType.Float).requires_grad_(true);
        Router.NATIVE.routeIndexed(x, table.tensor(devices[i]), index.to(devices[i], torch.ScalarType.Long), null, 1.0)
            .mul(upstream.to(devices[i], torch.ScalarType.Float)).sum().backward();
        grads[i] = x.grad().cpu();
      }
      assertTrue(grads[1].equal(grads[0]), "the CUDA gradient differs from the CPU one");
    }
  }

  /** A masking rule builds its indices on the CPU: the routing hook moves them to the activation's device. */
  @Test
  void aRoutingHookTakesCpuIndicesForACudaActivation() {
    try (PointerScope scope = new PointerScope()) {
      Device cuda = TorchRuntime.device("cuda");
      MaskTable table = MaskTable.builder(8).dims(MaskTable.range(0, 4)).build();
      gradroute.hooks.RoutingHook hook = new gradroute.hooks.RoutingHook(table, cuda);
      try {
        Tensor x = torch.randn(2, 3, 8).to(cuda, torch.ScalarType.Float).requires_grad_(true);
        hook.set(torch.zeros(2, 3).to(torch.ScalarType.Long), null);
        hook.apply(x).sum().backward();
        assertTrue(x.grad().cpu().narrow(2, 4, 4).abs().sum().item_double() == 0.0, "dims 4-7 got gradient");
      } finally {
        hook.release();
      }
    }
  }
}
