package gradroute.experiment.breaking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gradroute.cli.Main;
import gradroute.report.Json;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick preset end to end on the real default digits: the learned mask breaks the bad set, the baselines are reported. */
class BreakingQuickRunTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void theQuickRunBreaksTheBadSetWithFewEdgesAndWritesItsResults(@TempDir Path out) throws Exception {
    assertEquals(0, Main.run("mnist-breaking", "--quick", "--out", out.toString(), "--run", "q"));
    Path dir = out.resolve("mnist-breaking/q");
    for (String f : new String[] {"summary.json", "criteria.md", "methods.csv", "mask_history.csv", "methods.png", "mask_training.png",
        "removed_edges_per_pixel.png"}) {
      assertTrue(Files.isRegularFile(dir.resolve(f)), f);
    }
    JsonNode summary = Json.readTree(dir.resolve("summary.json"));
    assertEquals(4, summary.get("criteria").size());
    JsonNode seed = summary.get("seeds").get(0);
    JsonNode learned = method(seed, BreakingRun.LEARNED), random = method(seed, BreakingRun.RANDOM);
    double before = seed.get("badBefore").asDouble();
    assertTrue(before > 0.6, "the classifier knows the bad set first: " + before);
    assertTrue(learned.get("badAccuracy").asDouble() < before - 0.3, "the learned mask breaks the bad set: " + learned);
    assertTrue(random.get("badAccuracy").asDouble() > learned.get("badAccuracy").asDouble(), "a random mask of the same size does less: " + random);
    long removed = learned.get("changed").asLong();
    assertEquals(removed, random.get("changed").asLong());
    assertTrue(removed > 0 && removed < 0.05 * seed.get("edges").asLong(), removed + " edges ablated");
    assertTrue(learned.get("otherDrop").asDouble() < 0.03, "other digits keep their accuracy: " + learned);
    assertEquals(removed, method(seed, BreakingRun.LOCALISED).get("changed").asLong(), "localised fine-tuning trains the mask's edges");
    assertTrue(method(seed, BreakingRun.FULL).get("badAccuracy").asDouble() < before, "fine-tuning unlearns too");
  }

  @Test
  void aBadSetLargerThanTheTestSetsDigitsIsRefusedWithoutAResult(@TempDir Path out) throws Exception {
    assertNotEquals(0, Main.run("mnist-breaking", "--quick", "--set", "badCount=5000", "--out", out.toString(), "--run", "bad"));
    assertTrue(!Files.exists(out.resolve("mnist-breaking/bad/summary.json")));
  }

  private static JsonNode method(JsonNode seed, String name) {
    for (JsonNode m : seed.get("methods")) if (m.get("method").asText().equals(name)) return m;
    throw new AssertionError("no method " + name + " in " + seed);
  }
}
