package gradroute.experiment.minigrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.runtime.SingleThreaded;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A tiny sweep writes every output, and resuming it reads finished runs back. */
@ExtendWith(SingleThreaded.class)
class OversightSweepTest {
  @Test
  void writesSummaryTablesPlotsAndResumes(@TempDir Path root) throws Exception {
    MinigridConfig s = new MinigridConfig(List.of("routed", "oracle"),
        List.of(0.1, 0.5), List.of(0), 4, 8, 3, 1e-3, 2, 2, 4, 8, 4, 16, 0.1, 0.01, 0.0);
    Device cpu = TorchRuntime.device("cpu");
    RunDirectory run = RunDirectory.create(root, "minigrid", "t", s);
    OversightSweep.Summary summary = new OversightSweep(s, cpu, run, false, 2).run();
    for (String f : new String[] {"summary.json", "summary.csv", "runs.csv", "steered_episode.png",
        "plots/ghost_rate_unseen_vs_oversight.png", "plots/return_curves_p0.1.png", "runs/routed-p0.1-s0/result.json",
        "runs/oracle-p0.5-s0/history.csv", "runs/routed-p0.5-s0/checkpoint.json"}) {
      assertTrue(Files.exists(run.path(f)), f);
    }
    // routed: three views × two levels; the oracle one view × two levels
    assertEquals(3 * 2 + 2, summary.cells().size());
    OversightSweep.RunResult oracle = Json.read(run.path("runs/oracle-p0.5-s0/result.json"), OversightSweep.RunResult.class);
    assertEquals(2, oracle.updates(), "the oracle trains oversight × updates (rounded, at least 1)");
    assertTrue(summary.headline().contains("oversight 0.1"), summary.headline());

    long before = Files.getLastModifiedTime(run.path("runs/routed-p0.1-s0/result.json")).toMillis();
    Thread.sleep(20);
    OversightSweep.Summary again = new OversightSweep(s, cpu, run, true, 1).run();
    assertEquals(before, Files.getLastModifiedTime(run.path("runs/routed-p0.1-s0/result.json")).toMillis(),
        "a finished run is read back, not trained again");
    assertEquals(summary.cells(), again.cells());
  }
}
