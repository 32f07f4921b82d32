package gradroute.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import gradroute.experiment.mnist.MnistConfig;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Resume checks and what a failed run leaves behind. */
class RunSetupTest {
  @TempDir Path out;

  private RunSetup<MnistConfig> setup(String... args) {
    RunOptions options = new RunOptions();
    new CommandLine(options).parseArgs(args);
    return new RunSetup<>(options, "mnist", MnistConfig.class, "cpu");
  }

  private String cliError(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertEquals(1, Main.run(args));
    } finally {
      System.setErr(saved);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** A run folder as a started run leaves it: config.json and a checkpoint. */
  private void startedRun(String name) throws Exception {
    RunSetup<MnistConfig> s = setup("--out", out.toString(), "--run", name, "--preset", "quick");
    assertThrows(IllegalStateException.class, () -> s.start(s.config(), (c, dir, device, resume) -> {
      Files.writeString(dir.path("checkpoint.json"), "{}");
      throw new IllegalStateException("killed");
    }));
  }

  @Test
  void resumingARunThatDoesNotExistNamesItAndListsThoseThatDo() throws Exception {
    startedRun("alpha");
    startedRun("beta");
    String err = cliError("mnist", "--quick", "--resume", "--run", "alhpa", "--out", out.toString());
    assertTrue(err.contains("there is no run 'alhpa' in " + out.resolve("mnist") + " to resume (runs there: alpha, beta)"), err);
    assertFalse(Files.exists(out.resolve("mnist/alhpa")));
  }

  @Test
  void aResumeWithAnotherConfigOrCodeSaysWhatDiffersAndRefuses() throws Exception {
    startedRun("r");
    String err = cliError("mnist", "--quick", "--epochs", "3", "--resume", "--run", "r", "--out", out.toString());
    assertTrue(err.contains("config epochs: 20 -> 3") && err.contains("--force-resume"), err);

    Path record = out.resolve("mnist/r/config.json");
    ObjectNode tree = (ObjectNode) Json.readTree(record);
    ((ObjectNode) tree.get("provenance")).put("gitCommit", "0123abc");
    Json.write(record, tree);
    err = cliError("mnist", "--quick", "--resume", "--run", "r", "--out", out.toString());
    assertTrue(err.contains("code gitCommit: \"0123abc\" -> "), err);
  }

  @Test
  void aFailedRunIsMarkedFailedAndHasNoSummary() throws Exception {
    startedRun("r");
    Path dir = out.resolve("mnist/r");
    assertTrue(Files.isRegularFile(dir.resolve(RunDirectory.FAILED_FILE)));
    assertTrue(Json.readTree(dir.resolve(RunDirectory.FAILED_FILE)).get("error").asText().contains("killed"));
    var provenance = Json.readTree(dir.resolve(RunDirectory.CONFIG_FILE)).get("provenance");
    assertTrue(provenance.get("gitCommit").asText().matches("[0-9a-f]{40}|unknown"), provenance.toString());
    for (String key : new String[] {"gradrouteVersion", "libtorchVersion", "presetVersion", "blasLibrary", "torchThreads",
        "blasThreads", "ompWaitPolicy", "gompSpinCount", "flushDenormal", "jvm", "os", "cpuModel", "logicalCores"}) {
      assertTrue(provenance.hasNonNull(key), key + " missing from " + provenance);
    }
    assertFalse(Files.exists(dir.resolve(RunDirectory.SUMMARY_FILE)));
  }

  @Test
  void aRunThatFailsBeforeWritingAnythingLeavesNoFolder() throws Exception {
    RunSetup<MnistConfig> s = setup("--out", out.toString(), "--run", "early", "--preset", "quick");
    assertThrows(IllegalArgumentException.class, () -> s.start(s.config(), (c, dir, device, resume) -> {
      throw new IllegalArgumentException("corpus unreadable");
    }));
    assertFalse(Files.exists(out.resolve("mnist/early")));
  }

  @Test
  void aPresetNameStillWorksWithConfigAndAResumeWithoutConfigFlagsUsesTheRecordedOne() throws Exception {
    assertEquals("T", setup("--config", "T").config().name());
    assertEquals(200, setup("--config", "T").config().epochs());
    startedRun("r");
    MnistConfig recorded = setup("--out", out.toString(), "--run", "r", "--resume").config();
    assertEquals("quick", recorded.name());
    assertEquals(3, setup("--out", out.toString(), "--run", "r", "--resume", "--config",
        out.resolve("mnist/r/config.json").toString(), "--set", "epochs=3").config().epochs());
  }
}
