package gradroute.experiment.circuits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gradroute.cli.Main;
import gradroute.experiment.nanogpt.NanoGptRunFolder;
import gradroute.experiment.nanogpt.UnlearnCommand;
import gradroute.experiment.nanogpt.UnlearnRunTest;
import gradroute.report.Json;
import gradroute.runtime.TorchRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gradroute circuits} end to end on a tiny unlearn run of a synthetic corpus. */
class CircuitsCommandTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static int cli(Object command, StringWriter err, String... args) {
    CommandLine c = new CommandLine(command);
    c.setErr(new PrintWriter(err));
    c.setExecutionExceptionHandler((e, line, parse) -> {
      line.getErr().println("error: " + e.getMessage());
      return 1;
    });
    return c.execute(args);
  }

  @Test
  void scoresEveryMethodOnBothModelsAndSidesAndWritesTheResults(@TempDir Path dir) throws Exception {
    Path forget = UnlearnRunTest.corpus(dir, "forget", new String[] {"offering", "lamb", "altar", "burnt", "goat"}, 16, 1);
    Path retain = UnlearnRunTest.corpus(dir, "retain", new String[] {"king", "city", "river", "field", "war"}, 150, 2);
    Path out = dir.resolve("results");
    StringWriter err = new StringWriter();
    assertEquals(0, cli(new UnlearnCommand(), err, "--quick", "--forget", forget.toString(), "--retain", retain.toString(), "--routed",
        "offering,lamb", "--steps", "8", "--models", "routed,control", "--out", out.toString(), "--run", "tiny"), err.toString());

    assertEquals(0, cli(new CircuitsCommand(), err, "--run", "tiny", "--out", out.toString(), "--windows", "1", "--ig-steps", "2",
        "--curve-points", "3"), err.toString());
    Path circuits = out.resolve("nanogpt").resolve("tiny").resolve("circuits");
    NanoGptRunFolder folder = NanoGptRunFolder.open(out.resolve("nanogpt/tiny"));
    assertEquals(NanoGptRunFolder.Kind.UNLEARN, folder.kind());
    assertEquals(1, folder.tokenizer().encodeOrdinary(" offering").length, "the run folder keeps its tokenizer");
    // analyze on an unlearn run is circuit discovery: the tiny run has too little retain text for its 8 windows, and says so
    StringWriter analyze = new StringWriter();
    assertEquals(1, cli(new Main(), analyze, "analyze", "--run", out.resolve("nanogpt/tiny").toString(), "--quick"));
    assertTrue(analyze.toString().contains("the retain evaluation text has"), analyze.toString());
    JsonNode summary = Json.readTree(circuits.resolve("summary.json"));
    assertEquals(2 * 2 * 4, summary.get("methods").size(), "routed and control × forget and retain × 4 methods");
    JsonNode criteria = summary.get("criteria");
    for (String c : List.of("eap_neuron_auc_routed", "eap_neuron_auc_control", "eap_share_ratio", "faithfulness_endpoints")) {
      assertTrue(criteria.has(c), "criterion " + c);
    }
    assertTrue(criteria.get("faithfulness_endpoints").get("holds").asBoolean(), "no edges: 0 %, all edges: 100 %");
    for (JsonNode row : summary.get("methods")) {
      double auc = row.get("edge_auc").asDouble();
      assertTrue(auc >= 0 && auc <= 1, "edge AUC in [0, 1]: " + row);
    }
    for (String f : List.of("methods.csv", "roc.csv", "faithfulness.csv", "criteria.md", "plots/roc_neurons.png", "plots/roc_edges.png",
        "plots/faithfulness.png")) {
      assertTrue(Files.size(circuits.resolve(f)) > 0, f);
    }
  }

  @Test
  void aRunThatIsNotAnUnlearnRunIsRejectedWithoutResults(@TempDir Path dir) throws Exception {
    Path run = Files.createDirectories(dir.resolve("nanogpt").resolve("steer"));
    Files.writeString(run.resolve("config.json"), "{\"experiment\": \"nanogpt\", \"config\": {\"routedWord\": \" LORD\"}}");
    StringWriter err = new StringWriter();
    assertEquals(1, cli(new CircuitsCommand(), err, "--run", "steer", "--out", dir.toString()));
    assertTrue(err.toString().contains("not a nanogpt unlearn run"), err.toString());
    assertFalse(Files.exists(run.resolve("circuits")), "no half-written results");
    assertEquals(1, cli(new CircuitsCommand(), err, "--run", "absent", "--out", dir.toString()));
    assertTrue(err.toString().contains("no run at"), err.toString());
  }
}
