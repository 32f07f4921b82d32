package gradroute.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.report.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, overriding and checking a nested config record. */
class ConfigsTest {
  enum Shape { CLASSIC, MODERN }

  record Model(@Range(min = 1, max = 64) int layers, @Range(min = 0, max = 1) double dropout, Shape shape) {}

  record Run(String name, Model model, @Range(min = 1, max = 1000) List<Long> seeds, boolean routed) implements Validated {
    @Override
    public void validate() {
      if (routed && model.layers() < 2) throw new IllegalArgumentException("routed runs need model.layers >= 2");
    }
  }

  static final Run BASE = new Run("base", new Model(4, 0.1, Shape.CLASSIC), List.of(1L), true);

  static Run with(String... assignments) {
    return Configs.withOverrides(BASE, Run.class, java.util.Arrays.stream(assignments).map(ConfigOverride::parse).toList());
  }

  @Test
  void dottedKeysReachNestedKnobsAndEveryTypeParses() {
    Run r = with("model.layers=8", "model.shape=modern", "seeds=3,4", "routed=false", "name=x");
    assertEquals(new Run("x", new Model(8, 0.1, Shape.MODERN), List.of(3L, 4L), false), r);
  }

  @Test
  void errorsNameTheKeyAndWhatItAccepts() {
    assertTrue(assertThrows(ConfigException.class, () -> with("model.layer=8")).getMessage()
        .contains("unknown config key 'model.layer' (keys of model: layers, dropout, shape)"));
    assertTrue(assertThrows(ConfigException.class, () -> with("model.shape=round")).getMessage()
        .contains("'model.shape' expects one of classic, modern, got 'round'"));
    assertTrue(assertThrows(ConfigException.class, () -> with("model.dropout=1.5")).getMessage()
        .contains("model.dropout must be in [0, 1], got 1.5 (from --set model.dropout=1.5)"));
    assertTrue(assertThrows(ConfigException.class, () -> with("seeds=1,0")).getMessage().contains("seeds must be in [1, 1000], got 0"));
    assertTrue(assertThrows(ConfigException.class, () -> with("model=3")).getMessage().contains("'model' is a group of keys"));
    assertTrue(assertThrows(ConfigException.class, () -> with("name.x=3")).getMessage().contains("'name' has no keys inside it"));
    assertTrue(assertThrows(ConfigException.class, () -> with("model.layers=1")).getMessage().contains("routed runs need model.layers"));
  }

  @Test
  void aConfigFileMustNameEveryKey(@TempDir Path dir) throws Exception {
    Path full = dir.resolve("full.json");
    Json.write(full, BASE);
    assertEquals(BASE, Configs.file(Run.class, full));
    Path partial = dir.resolve("partial.json");
    Files.writeString(partial, "{\"name\": \"p\", \"model\": {\"layers\": 2}, \"seeds\": [1], \"routed\": true}");
    var e = assertThrows(ConfigException.class, () -> Configs.file(Run.class, partial));
    assertTrue(e.getMessage().contains("missing config keys model.dropout, model.shape"), e.getMessage());
  }

  @Test
  void differencesListEveryChangedKey() {
    var before = Json.mapper().valueToTree(BASE);
    var after = Json.mapper().valueToTree(with("model.layers=8", "seeds=1,2"));
    assertEquals(List.of("model.layers: 4 -> 8", "seeds: [1] -> [1,2]"), Configs.differences(before, after));
  }

  @Test
  void numericKeysListNestedOnesWithTheirRanges() {
    assertEquals(List.of("model.layers", "model.dropout", "seeds"), List.copyOf(Configs.numericKeys(Run.class).keySet()));
  }
}
