package gradroute.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
  @TempDir Path dir;

  record Certificate(String name, int digit, double loss, double[] perStep, List<String> tags) {}

  @Test
  void recordRoundTripsIncludingNaNAndInfinity() throws IOException {
    var original =
        new Certificate("cert A", 7, Double.NaN, new double[] {0.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, List.of("a", "b"));
    Path file = dir.resolve("summary.json");
    Json.write(file, original);

    String text = Files.readString(file);
    assertTrue(text.contains("\"loss\" : \"NaN\""), text);
    assertTrue(text.contains("\"Infinity\""), text);
    assertTrue(text.contains("\"-Infinity\""), text);
    assertTrue(text.indexOf("\"name\"") < text.indexOf("\"digit\""), "declaration order: " + text);
    assertTrue(text.endsWith("}\n"), text);

    Certificate back = Json.read(file, Certificate.class);
    assertEquals(original.name(), back.name());
    assertEquals(original.digit(), back.digit());
    assertTrue(Double.isNaN(back.loss()));
    assertArrayEquals(original.perStep(), back.perStep());
    assertEquals(original.tags(), back.tags());
  }

  @Test
  void mapKeepsInsertionOrderAndNaNComesBackAsDocumented() throws IOException {
    var metrics = new LinkedHashMap<String, Object>();
    metrics.put("zeta", 1.5);
    metrics.put("alpha", Double.NaN);
    metrics.put("mid", Double.POSITIVE_INFINITY);
    Path file = dir.resolve("metrics.json");
    Json.write(file, metrics);

    Map<String, Object> untyped = Json.read(file, new TypeReference<Map<String, Object>>() {});
    assertEquals(List.of("zeta", "alpha", "mid"), List.copyOf(untyped.keySet()));
    assertEquals(1.5, untyped.get("zeta"));
    assertEquals("NaN", untyped.get("alpha"));
    assertEquals("Infinity", untyped.get("mid"));

    Map<String, Double> typed = Json.read(file, new TypeReference<Map<String, Double>>() {});
    assertTrue(typed.get("alpha").isNaN());
    assertEquals(Double.POSITIVE_INFINITY, typed.get("mid"));
  }

  @Test
  void readsBareNaNAsPythonWritesIt() throws IOException {
    Path file = Files.writeString(dir.resolve("py.json"), "{\"loss\": NaN, \"best\": -Infinity}");
    Map<String, Double> read = Json.read(file, new TypeReference<Map<String, Double>>() {});
    assertTrue(read.get("loss").isNaN());
    assertEquals(Double.NEGATIVE_INFINITY, read.get("best"));
  }

  @Test
  void readTreeGivesNodes() throws IOException {
    Path file = dir.resolve("tree.json");
    Json.write(file, Map.of("steps", 100));
    JsonNode tree = Json.readTree(file);
    assertEquals(100, tree.get("steps").asInt());
  }

  @Test
  void errorsNameTheFile() throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"name\": ");
    IOException e = assertThrows(IOException.class, () -> Json.readTree(broken));
    assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());

    IOException wrongType = assertThrows(IOException.class, () -> Json.read(broken, Certificate.class));
    assertTrue(wrongType.getMessage().contains(broken.toString()), wrongType.getMessage());

    Path missing = dir.resolve("missing.json");
    IOException notThere = assertThrows(IOException.class, () -> Json.read(missing, Certificate.class));
    assertTrue(notThere.getMessage().contains(missing.toString()), notThere.getMessage());

    Path unknownKey = Files.writeString(dir.resolve("typo.json"), "{\"nmae\": \"x\"}");
    IOException typo = assertThrows(IOException.class, () -> Json.read(unknownKey, Certificate.class));
    assertTrue(typo.getMessage().contains("typo.json") && typo.getMessage().contains("nmae"), typo.getMessage());
  }

  @Test
  void unserialisableValueFailsNamingTheFileAndWritesNothing() {
    Path file = dir.resolve("bad.json");
    IOException e = assertThrows(IOException.class, () -> Json.write(file, new Object()));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(Files.notExists(file));
  }
}
