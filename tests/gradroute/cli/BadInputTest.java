package gradroute.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.config.ConfigOverride;
import gradroute.config.Configs;
import gradroute.config.Range;
import gradroute.experiment.mnist.MnistConfig;
import gradroute.experiment.tinystories.TinyStoriesConfig;
import gradroute.experiment.minigrid.MinigridConfig;
import gradroute.experiment.minigrid.OversightSweep;
import gradroute.experiment.nanogpt.NanoGptConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input suite: every numeric config key and flag of every experiment at 0, -1, NaN and
 * huge, and bad paths for every file argument, through the CLI in-process. Each rejected input
 * must give a non-zero exit, an error naming the key (or flag and path) and no run folder; it is
 * all decided before any training, so the suite is fast.
 */
class BadInputTest {
  static final String[] BAD = {"0", "-1", "NaN", "1e300", "2147483647"};

  /** {@code command}: the CLI words before the options (the experiment's name, or e.g. nanogpt steer). */
  record Experiment(String name, Class<?> config, String preset, Map<String, String> flags, List<String> command) {
    Experiment(String name, Class<?> config, String preset, Map<String, String> flags) {
      this(name, config, preset, flags, List.of(name));
    }

    String[] args(String... options) {
      List<String> all = new ArrayList<>(command);
      all.addAll(List.of(options));
      return all.toArray(String[]::new);
    }
  }

  static final List<Experiment> EXPERIMENTS = List.of(
      new Experiment("mnist", MnistConfig.class, "cpu", Map.of("--epochs", "epochs", "--batch-size", "batchSize",
          "--hidden", "hidden", "--checkpoint-every", "checkpointEvery", "--seeds", "seeds")),
      new Experiment("minigrid", MinigridConfig.class, "cpu", Map.of("--updates", "updates", "--envs", "nEnvs",
          "--lr", "lr", "--entropy-weight", "entropyWeight", "--gate-weight", "gateWeight", "--commit-weight", "commitWeight",
          "--seeds", "seeds", "--oversight", "oversight")),
      new Experiment("tinystories", TinyStoriesConfig.class, "demo", Map.ofEntries(Map.entry("--steps", "steps"),
          Map.entry("--batch", "batch"), Map.entry("--l1", "l1"), Map.entry("--expand-neurons", "expandNeurons"),
          Map.entry("--expand-layers", "expandLayers"), Map.entry("--off-target-expanded", "offTargetExpanded"),
          Map.entry("--rmu-alpha", "rmuAlpha"), Map.entry("--rmu-lr", "rmuLr"), Map.entry("--rmu-steps", "rmuSteps"),
          Map.entry("--rmu-coeff", "rmuCoeff"), Map.entry("--attack-steps", "attackSteps"),
          Map.entry("--attack-repetitions", "attackRepetitions"), Map.entry("--coherence-steps", "coherenceSteps"),
          Map.entry("--corpus-seed", "corpusSeed"), Map.entry("--seeds", "seeds"), Map.entry("--oversight", "oversight"))),
      new Experiment("nanogpt", NanoGptConfig.class, "default", Map.ofEntries(Map.entry("--steps", "steps"), Map.entry("--batch", "batch"),
          Map.entry("--micro-batch", "microBatch"), Map.entry("--layers", "nLayers"), Map.entry("--d-model", "dModel"),
          Map.entry("--heads", "nHeads"), Map.entry("--kv-heads", "nKvHeads"), Map.entry("--ctx", "nCtx"), Map.entry("--vocab", "vocab"),
          Map.entry("--lr", "lr"), Map.entry("--seeds", "seeds")), List.of("nanogpt", "steer")),
      new Experiment("nanogpt", gradroute.experiment.nanogpt.UnlearnConfig.class, "unlearn", Map.ofEntries(Map.entry("--steps", "steps"),
          Map.entry("--neurons", "routedNeurons"), Map.entry("--l1", "l1"), Map.entry("--seeds", "seeds")), List.of("nanogpt", "unlearn")),
      new Experiment("mnist-breaking", gradroute.experiment.breaking.BreakingConfig.class, "default",
          Map.of("--steps", "maskSteps", "--seeds", "seeds")));

  @TempDir Path out;

  /** rc and stderr of one in-process CLI call. */
  record Outcome(int rc, String err) {}

  Outcome cli(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      List<String> all = new ArrayList<>(List.of(args));
      all.add("--out");
      all.add(out.toString());
      int rc = Main.run(all.toArray(String[]::new));
      return new Outcome(rc, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  void assertRejected(Outcome o, String mustName, String what) throws Exception {
    assertNotEquals(0, o.rc(), what + " was accepted");
    assertTrue(o.err().contains(mustName), what + ": the error does not name '" + mustName + "': " + o.err());
    assertTrue(o.err().startsWith("error: ") && o.err().strip().lines().count() == 1, what + ": not one clear line: " + o.err());
    try (var files = Files.list(out)) {
      assertEquals(List.of(), files.toList(), what + " left files in --out");
    }
  }

  static boolean accepted(Range r, String v) {
    double x = Double.parseDouble(v);
    return x >= r.min() && x <= r.max();
  }

  @Test
  void everyNumericKeyDeclaresItsRange() {
    for (Experiment e : EXPERIMENTS) {
      Configs.numericKeys(e.config()).forEach((key, range) -> assertNotNull(range, e.name() + " config key " + key + " has no @Range"));
    }
  }

  @Test
  void everyNumericKeyAtZeroNegativeNanAndHugeIsRejectedUnlessInRange() throws Exception {
    int rejected = 0;
    for (Experiment e : EXPERIMENTS) {
      Object preset = Configs.preset(e.config(), RunSetup.CONFIG_RESOURCES + e.name(), e.preset());
      for (Map.Entry<String, Range> k : Configs.numericKeys(e.config()).entrySet()) {
        for (String v : BAD) {
          String what = e.name() + " --set " + k.getKey() + "=" + v;
          if (!v.equals("NaN") && accepted(k.getValue(), v)) {
            try {
              withOverride(e, preset, k.getKey(), v); // in range: the config takes it...
            } catch (gradroute.config.ConfigException inconsistent) { // ...unless it contradicts another key, said by name
              assertTrue(inconsistent.getMessage().contains(k.getKey()), what + ": " + inconsistent.getMessage());
            }
            continue;
          }
          assertRejected(cli(e.args("--set", k.getKey() + "=" + v)), k.getKey(), what);
          rejected++;
        }
      }
    }
    assertTrue(rejected > 200, rejected + " cases");
  }

  @Test
  void everyNumericFlagAtZeroNegativeNanAndHugeIsRejectedUnlessInRange() throws Exception {
    for (Experiment e : EXPERIMENTS) {
      Map<String, Range> ranges = Configs.numericKeys(e.config());
      for (Map.Entry<String, String> f : e.flags().entrySet()) {
        Range r = ranges.get(f.getValue());
        assertNotNull(r, f.getKey());
        for (String v : BAD) {
          if (!v.equals("NaN") && accepted(r, v)) continue;
          assertRejected(cli(e.args(f.getKey(), v)), f.getKey(), e.name() + " " + f.getKey() + " " + v);
        }
      }
    }
    for (String v : new String[] {"0", "-1", "2147483647"}) {
      assertRejected(cli("minigrid", "--workers", v), "--workers", "minigrid --workers " + v);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void withOverride(Experiment e, Object preset, String key, String v) {
    Configs.withOverrides((T) preset, (Class<T>) e.config(), List.of(new ConfigOverride("--set", key, v)));
  }

  @Test
  void unknownKeysAndBadValuesNameTheKeyAndWhatItAccepts() throws Exception {
    assertRejected(cli("mnist", "--set", "epoch=3"), "unknown config key 'epoch' (keys: name, description, hidden", "unknown key");
    assertRejected(cli("mnist", "--set", "epochs=three"), "'epochs' expects an integer", "text for an integer");
    assertRejected(cli("mnist", "--set", "routing=yes"), "'routing' expects true or false", "bad boolean");
    assertRejected(cli("mnist", "--set", "epochs"), "--set expects key=value", "no value");
    assertRejected(cli("mnist", "--preset", "nope"), "unknown preset 'nope' (presets: cpu, F, paper, quick", "unknown preset");
    assertRejected(cli("minigrid", "--method", "dpo"), "unknown method 'dpo'", "unknown method");
    assertRejected(cli("tinystories", "--method", "dpo"), "unknown method 'dpo'", "unknown method");
    assertRejected(cli("tinystories", "--set", "expandLayers=9"), "expand layer 9 is outside", "layer outside the model");
  }

  @Test
  void badPathsNameThePathAndTheCause(@TempDir Path tmp) throws Exception {
    Path missing = tmp.resolve("missing.txt");
    Path unreadable = Path.of("/proc/sys/vm/compact_memory"); // write-only, even for root
    Path notUtf8 = tmp.resolve("latin1.txt");
    Files.write(notUtf8, new byte[] {'T', 'o', 'm', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
    for (String cmd : new String[] {"mnist", "minigrid", "tinystories"}) {
      assertRejected(cli(cmd, "--config", missing.toString()), missing + ": no such file", cmd + " --config missing");
      assertRejected(cli(cmd, "--config", tmp.toString()), tmp + ": is a directory, not a file", cmd + " --config dir");
      if (Files.exists(unreadable)) {
        assertRejected(cli(cmd, "--config", unreadable.toString()), unreadable + ": permission denied", cmd + " --config unreadable");
      }
      assertRejected(cli(cmd, "--config", notUtf8.toString()), notUtf8 + ": not valid JSON", cmd + " --config not UTF-8");
    }
    assertRejected(cli("tinystories", "--quick", "--corpus", missing.toString()), missing + ": no such file", "--corpus missing");
    assertRejected(cli("tinystories", "--quick", "--corpus", tmp.toString()), "is a directory, not a file", "--corpus dir");
    if (Files.exists(unreadable)) {
      assertRejected(cli("tinystories", "--quick", "--corpus", unreadable.toString()), "permission denied", "--corpus unreadable");
    }
    // read only once the run has started: its folder, holding only config.json, is removed again
    assertRejected(cli("tinystories", "--quick", "--corpus", notUtf8.toString()), notUtf8 + ": not valid UTF-8 at byte 4",
        "--corpus not UTF-8");
    assertRejected(cli("nanogpt", "steer", "--quick", "--corpus", missing.toString()), missing + ": no such file", "nanogpt --corpus missing");
    assertRejected(cli("nanogpt", "unlearn", "--quick", "--forget", missing.toString(), "--retain", missing.toString()), missing + ": no such file",
        "nanogpt unlearn --forget missing");
    assertRejected(cli("nanogpt", "unlearn", "--quick", "--forget", notUtf8.toString()), "forget and retain (--forget, --retain) go together",
        "nanogpt unlearn --forget alone");
    assertRejected(cli("nanogpt", "unlearn", "--quick", "--models", "rmu"), "rmu starts from the control model", "nanogpt unlearn rmu alone");
    assertRejected(cli("nanogpt", "steer", "--corpus", tmp.toString()), "is a directory, not a file", "nanogpt --corpus dir");
    assertRejected(cli("nanogpt", "steer", "--config", missing.toString()), missing + ": no such file", "nanogpt --config missing");
    assertRejected(cli("mnist", "--data", missing.toString()), missing + ": no such directory", "--data missing");
    assertRejected(cli("mnist", "--data", notUtf8.toString()), notUtf8 + ": is a file, not a directory", "--data file");
  }

  @Test
  void anOutputFolderThatCannotBeCreatedNamesTheCause() {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertEquals(1, Main.run("mnist", "--quick", "--out", "/proc/forbidden"));
    } finally {
      System.setErr(saved);
    }
    String err = captured.toString(StandardCharsets.UTF_8);
    assertTrue(err.contains("cannot create the run folder in /proc/forbidden: /proc/forbidden: no such file or directory"), err);
    assertFalse(Files.exists(Path.of("/proc/forbidden")));
  }
}
