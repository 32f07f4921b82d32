package gradroute.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
  @TempDir Path dir;

  record Config(String dataset, int steps, double learningRate) {}

  @Test
  void namedRunWritesConfigFirst() throws IOException {
    var config = new Config("mnist", 1000, 1e-3);
    RunDirectory run = RunDirectory.create(dir, "mnist-autoencoder", "seed-0", config);
    assertEquals(dir.resolve("mnist-autoencoder/seed-0"), run.root());
    assertEquals("seed-0", run.runName());
    assertEquals(config, Json.read(run.path(RunDirectory.CONFIG_FILE), Config.class));
    assertEquals(run.root().resolve("plots/loss.png"), run.path("plots/loss.png"));
  }

  @Test
  void unnamedRunsGetDistinctTimestampFolders() throws IOException {
    RunDirectory first = RunDirectory.create(dir, "exp", null, new Config("a", 1, 0.1));
    RunDirectory second = RunDirectory.create(dir, "exp", null, new Config("b", 2, 0.2));
    assertTrue(first.runName().matches("\\d{8}-\\d{6}(-\\d+)?"), first.runName());
    assertNotEquals(first.root(), second.root());
    assertTrue(Files.isRegularFile(second.path("config.json")));
  }

  @Test
  void rejectsPathsOutsideTheRun() throws IOException {
    RunDirectory run = RunDirectory.create(dir, "exp", "r", new Config("a", 1, 0.1));
    assertThrows(IllegalArgumentException.class, () -> run.path("../other/x.json"));
    assertThrows(IllegalArgumentException.class, () -> run.path("/etc/passwd"));
    assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(dir, "a/b", "r", 1));
    assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(dir, "exp", "..", 1));
  }
}
