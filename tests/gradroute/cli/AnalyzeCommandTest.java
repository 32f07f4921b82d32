package gradroute.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.experiment.nanogpt.NanoGptRunFolder;
import gradroute.experiment.nanogpt.SteeringRunTest;
import gradroute.model.Gpt;
import gradroute.report.Json;
import gradroute.runtime.TorchRuntime;
import gradroute.text.BpeTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gradroute analyze --run DIR} picks the analysis by the run's experiment, and refuses what it cannot analyse. */
class AnalyzeCommandTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void aFolderThatIsNoRunIsAClearError(@TempDir Path dir) {
    String err = failing("analyze", "--run", dir.toString());
    assertTrue(err.contains("is not a run folder") && err.contains(dir.toString()), err);
  }

  @Test
  void anExperimentWithoutAnAnalysisNamesTheSupportedOnes(@TempDir Path dir) throws Exception {
    Json.write(dir.resolve("config.json"), Map.of("experiment", "minigrid", "config", Map.of()));
    String err = failing("analyze", "--run", dir.toString());
    assertTrue(err.contains("no analysis for 'minigrid'") && err.contains("tinystories") && err.contains("mnist"), err);
  }

  @Test
  void aSteerRunIsReopenedFromItsFolderAndReadOut(@TempDir Path dir) throws Exception {
    Path corpus = SteeringRunTest.corpus(dir);
    Path out = dir.resolve("results");
    assertEquals(0, Main.run("nanogpt", "steer", "--quick", "--corpus", corpus.toString(), "--steps", "10", "--vocab", "300", "--set",
        "similarCount=2", "--set", "promptLength=4", "--out", out.toString(), "--run", "s"));
    Path run = out.resolve("nanogpt/s");

    NanoGptRunFolder folder = NanoGptRunFolder.open(run);
    assertEquals(NanoGptRunFolder.Kind.STEER, folder.kind());
    BpeTokenizer tokenizer = folder.tokenizer();
    assertEquals(1, tokenizer.encodeOrdinary(" LORD").length, "the run's tokenizer keeps the routed word as one token");
    assertEquals(List.of("control-s0", "routed-s0"), folder.models());
    try (Gpt model = folder.model("routed-s0", new Device("cpu"))) {
      assertEquals(tokenizer.vocabSize(), model.config().vocab());
    }

    assertEquals(0, Main.run("analyze", "--run", run.toString()));
    List<String> rows = Files.readAllLines(run.resolve("analysis/steering.csv"));
    assertEquals(3, rows.size(), "a header and one row per model: " + rows);
    assertTrue(rows.get(1).startsWith("control-s0,") && rows.get(2).startsWith("routed-s0,"), rows.toString());
  }

  /** Runs the CLI, which must fail; returns what it printed on stderr. */
  private static String failing(String... args) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = Main.run(args);
    } finally {
      System.setErr(old);
    }
    assertNotEquals(0, rc);
    return err.toString(StandardCharsets.UTF_8);
  }
}
