package gradroute.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data parallelism over Gloo on loopback, with real JVMs per rank. */
class DataParallelTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void twoGlooRanksReachTheWeightsOfOneProcessOnTheSameGlobalBatch(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("weights.txt");
    Launcher.Outcome o = Launcher.launch(2, DdpWorker.class.getName(),
        List.of(out.toString(), String.valueOf(DdpWorker.STEPS), "-1", "60"), dir.resolve("logs"));
    assertTrue(o.ok(), "ranks failed: " + o + " " + logs(dir));
    List<String> lines = Files.readAllLines(out);
    float[] single = DdpWorker.train(null, 0, 1, DdpWorker.STEPS, -1);
    assertEquals(single.length, lines.size());
    float[] initial = DdpWorker.train(null, 0, 1, 0, -1);
    double maxDiff = 0, moved = 0;
    for (int i = 0; i < single.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(single[i] - Float.parseFloat(lines.get(i))));
      moved = Math.max(moved, Math.abs(single[i] - initial[i]));
    }
    assertTrue(moved > 1e-3, "training must change the weights");
    assertTrue(maxDiff < 1e-5, "2 ranks vs 1 process: max |diff| " + maxDiff);
  }

  @Test
  void aKilledRankMakesTheOtherExitWithAnErrorInsteadOfHanging(@TempDir Path dir) throws Exception {
    int port = Launcher.freePort();
    List<Process> ranks = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      ProcessBuilder pb = new ProcessBuilder(Launcher.command(DdpWorker.class.getName(),
          List.of(dir.resolve("w.txt").toString(), "50", "1", "20")));
      pb.environment().putAll(Map.of("RANK", "" + r, "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "" + port,
          "OMP_NUM_THREADS", "1"));
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("rank" + r + ".log").toFile());
      ranks.add(pb.start());
    }
    try {
      assertTrue(ranks.get(1).waitFor(60, TimeUnit.SECONDS), "rank 1 should have killed itself");
      assertTrue(ranks.get(0).waitFor(40, TimeUnit.SECONDS), "rank 0 hangs after rank 1 died " + logs(dir));
      assertNotEquals(0, ranks.get(0).exitValue(), "rank 0 must fail");
      assertTrue(Files.readString(dir.resolve("rank0.log")).contains("rank 0"), "the error names the rank: " + logs(dir));
    } finally {
      for (Process p : ranks) p.destroyForcibly();
    }
  }

  @Test
  void theLauncherStopsTheJobWhenARankDies(@TempDir Path dir) throws Exception {
    long t0 = System.nanoTime();
    Launcher.Outcome o = Launcher.launch(2, DdpWorker.class.getName(),
        List.of(dir.resolve("w.txt").toString(), "50", "1", "600"), dir.resolve("logs"));
    assertFalse(o.ok());
    assertEquals(1, o.failedRank());
    assertTrue((System.nanoTime() - t0) / 1e9 < 90, "the launcher must not wait for the collective timeout");
  }

  @Test
  void worldConfigPrefersFlagsThenTorchrunVariables() {
    Map<String, String> env = Map.of("RANK", "1", "WORLD_SIZE", "4", "MASTER_ADDR", "10.0.0.2", "MASTER_PORT", "1234");
    WorldConfig fromEnv = WorldConfig.resolve(null, null, null, null, "gloo", Duration.ofSeconds(5), env);
    assertEquals(new WorldConfig(1, 4, "10.0.0.2", 1234, "gloo", Duration.ofSeconds(5)), fromEnv);
    WorldConfig flags = WorldConfig.resolve(2, null, "h", 99, "gloo", Duration.ofSeconds(5), env);
    assertEquals(2, flags.rank());
    assertEquals("h", flags.masterAddr());
    assertThrows(IllegalArgumentException.class,
        () -> WorldConfig.resolve(4, 4, null, null, "gloo", Duration.ofSeconds(5), env));
  }

  private static String logs(Path dir) {
    StringBuilder sb = new StringBuilder();
    try (var files = Files.walk(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        String s = Files.readString(p);
        sb.append("\n--- ").append(p.getFileName()).append(":\n").append(s.length() > 3000 ? s.substring(s.length() - 3000) : s);
      }
    } catch (Exception e) {
      sb.append(e);
    }
    return sb.toString();
  }
}
