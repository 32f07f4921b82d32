package gradroute.experiment.minigrid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.runtime.CpuThreads;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep's numbers depend on its settings and seeds only: not on the worker count nor on the threads it starts with. */
class SameSeedSameNumbersTest {
  private static int torchThreads;
  private static int blasThreads;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
    torchThreads = CpuThreads.torchThreads();
    blasThreads = CpuThreads.blasThreads();
  }

  @AfterAll
  static void restoreThreads() {
    CpuThreads.set(torchThreads, blasThreads);
  }

  @Test
  void workersAndThreadCountsLeaveTheResultsUnchanged(@TempDir Path root) throws Exception {
    MinigridConfig s = new MinigridConfig(List.of("routed", "naive", "filter"),
        List.of(0.2), List.of(0, 1), 8, 8, 6, 1e-3, 3, 3, 8, 8, 8, 16, 0.01, 0.01, 0.0);
    Device cpu = TorchRuntime.device("cpu");

    CpuThreads.set(2, 2);
    RunDirectory one = RunDirectory.create(root, "minigrid", "one-worker", s);
    OversightSweep.Summary a = new OversightSweep(s, cpu, one, false, 1).run();
    CpuThreads.set(1, 1);
    RunDirectory three = RunDirectory.create(root, "minigrid", "three-workers", s);
    OversightSweep.Summary b = new OversightSweep(s, cpu, three, false, 3).run();

    assertEquals(a.cells(), b.cells(), "the summary's cells");
    // what --same-as compares against: the cells read back from the other run's summary.json
    assertEquals(a.cells(), Json.read(one.path("summary.json"), OversightSweep.Summary.class).cells(), "summary.json read back");
    for (String id : List.of("routed-p0.2-s0", "routed-p0.2-s1", "naive-p0.2-s1", "filter-p0.2-s0")) {
      assertEquals(Files.readString(one.path("runs/" + id + "/history.csv")),
          Files.readString(three.path("runs/" + id + "/history.csv")), id + "'s per-update history");
    }
  }
}
