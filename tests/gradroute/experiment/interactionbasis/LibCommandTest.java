package gradroute.experiment.interactionbasis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gradroute.cli.Main;
import gradroute.report.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./gradroute lib} end to end on a short MNIST run: what it writes, and what it refuses. */
class LibCommandTest {
  @Test
  void analysesARoutedRunAndItsControl(@TempDir Path out) throws Exception {
    assertEquals(0, Main.run("mnist", "--quick", "--epochs", "2", "--with-control", "--out", out.toString(), "--run", "m"));
    assertEquals(0, Main.run("lib", "--out", out.toString(), "--run", "m", "--quick", "--samples", "200", "--test-images", "200",
        "--classifier-epochs", "1"));
    Path lib = out.resolve("mnist/m/lib");
    for (String f : List.of("summary.json", "criteria.md", "directions.csv", "reconstruction_curves.csv", "edge_counts.csv",
        "latent_share.png", "edges_heatmap.png", "keep_one_half.png", "keep_top_k.png", "classifier_ablation.png")) {
      assertTrue(Files.isRegularFile(lib.resolve(f)), f);
    }
    JsonNode summary = Json.readTree(lib.resolve("summary.json"));
    assertEquals(2, summary.get("models").size());
    assertTrue(summary.get("criteria").size() >= 5, summary.get("criteria").toString());
    for (JsonNode model : summary.get("models")) {
      double share = model.get("topMinDominantShare").asDouble();
      assertTrue(share >= 0.5 && share <= 1, "a dominant share lies in [0.5, 1]: " + share);
      for (JsonNode count : model.get("edgeCounts")) {
        assertTrue(count.get("needed").asLong() <= count.get("available").asLong(), count.toString());
        assertTrue(count.get("errorAtNeeded").asDouble() <= model.get("reconstructionError").asDouble() * 1.001 + 1e-12, count.toString());
      }
    }
    // keeping every direction of the basis is no ablation: the full reconstruction comes back
    List<String> rows = Files.readAllLines(lib.resolve("reconstruction_curves.csv"));
    String lastLib = rows.stream().filter(r -> r.startsWith("routed,") && r.contains(",LIB,")).reduce((a, b) -> b).orElseThrow();
    double kept = Double.parseDouble(lastLib.split(",")[4]);
    double full = summary.get("models").get(0).get("reconstructionError").asDouble();
    assertEquals(full, kept, 1e-6 * full, lastLib);
    assertFalse(Files.list(out.resolve("mnist/m")).anyMatch(p -> p.getFileName().toString().startsWith(".lib.")), "no staging left");

    // analyze on an MNIST run is this analysis, with its quick settings
    assertEquals(0, Main.run("analyze", "--run", out.resolve("mnist/m").toString(), "--quick"));
    JsonNode again = Json.readTree(lib.resolve("summary.json"));
    assertEquals(2, again.get("models").size());
    assertEquals(300, again.get("settings").get("buildImages").asInt(), again.get("settings").toString());
  }

  @Test
  void refusesAFolderThatIsNoMnistRun(@TempDir Path out) throws Exception {
    String err = cliError("lib", "--run-dir", out.toString(), "--quick");
    assertTrue(err.contains("is not an MNIST run folder"), err);
    assertFalse(Files.exists(out.resolve("lib")));
    err = cliError("lib", "--quick");
    assertTrue(err.contains("give either --run NAME or --run-dir DIR"), err);
  }

  private static String cliError(String... args) {
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
}
