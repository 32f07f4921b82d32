package gradroute.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.config.ConfigOverride;
import gradroute.config.Configs;
import gradroute.config.Range;
import gradroute.report.RunDirectory;
import gradroute.report.RunLock;
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

  // ------------------------------------------------------------------ runs: rerun, lock, resume state (issue 29)

  private RunSetup<MnistConfig> setup(String... args) {
    RunOptions options = new RunOptions();
    new picocli.CommandLine(options).parseArgs(args);
    return new RunSetup<>(options, "mnist", MnistConfig.class, "cpu");
  }

  /** A finished run as it lies on disk: config.json, a checkpoint, a plot and summary.json. */
  private void finishedRun(String name) throws Exception {
    RunSetup<MnistConfig> s = setup("--out", out.toString(), "--run", name, "--preset", "quick");
    s.start(s.config(), (c, dir, device, resume) -> {
      Files.writeString(dir.path("checkpoint.json"), "{\"old\": true}");
      gradroute.report.AtomicFiles.write(dir.path("plots/loss.png"), new byte[] {1, 2, 3});
      dir.writeSummary(Map.of("S", 1.2));
    });
  }

  private static String recordedEpochs(Path run) throws Exception {
    return gradroute.report.Json.readTree(run.resolve("config.json")).get("config").get("epochs").asText();
  }

  @Test
  void rerunningAnExistingRunWithoutResumeIsRefusedUnlessOverwriteWhichEmptiesIt() throws Exception {
    finishedRun("st");
    Path st = out.resolve("mnist/st");
    Outcome o = cli("mnist", "--quick", "--run", "st", "--epochs", "3");
    assertNotEquals(0, o.rc(), "a rerun into an existing run was accepted");
    assertTrue(o.err().startsWith("error: run 'st' exists in " + out.resolve("mnist") + ": give --resume to continue it, --overwrite")
        && o.err().strip().lines().count() == 1, o.err());
    assertEquals("20", recordedEpochs(st), "the refused rerun changed the old run");
    assertTrue(Files.exists(st.resolve("checkpoint.json")));

    RunSetup<MnistConfig> again = setup("--out", out.toString(), "--run", "st", "--preset", "quick", "--set", "epochs=3", "--overwrite");
    again.start(again.config(), (c, dir, device, resume) -> {
      assertFalse(Files.exists(dir.path("checkpoint.json")), "--overwrite kept the old run's checkpoint");
      assertFalse(Files.exists(dir.path("plots/loss.png")), "--overwrite kept the old run's plot");
      assertFalse(Files.exists(dir.path(RunDirectory.SUMMARY_FILE)));
    });
    assertEquals("3", recordedEpochs(st));
    Outcome both = cli("mnist", "--quick", "--overwrite", "--resume", "--run", "st");
    assertTrue(both.rc() != 0 && both.err().contains("--overwrite starts the run afresh and --resume continues it; give one"), both.err());
  }

  @Test
  void aSecondRunIntoAFolderInUseIsRefused() throws Exception {
    Path busy = out.resolve("mnist/busy");
    try (RunLock held = RunLock.acquire(busy)) {
      Outcome o = cli("mnist", "--quick", "--run", "busy");
      assertNotEquals(0, o.rc(), "a second run into a locked folder was accepted");
      assertTrue(o.err().contains("run folder " + busy + " is in use by another run"), o.err());
      assertFalse(Files.exists(busy.resolve(RunDirectory.CONFIG_FILE)), "the refused run wrote its config.json");
    }
    finishedRun("done");
    try (RunLock held = RunLock.acquire(out.resolve("mnist/done"))) {
      Outcome o = cli("mnist", "--resume", "--run", "done");
      assertTrue(o.rc() != 0 && o.err().contains("is in use by another run"), o.err());
    }
    assertFalse(Files.exists(out.resolve("mnist/done/" + RunLock.FILE)), "the lock file outlived its run");
  }

  @Test
  void aSeedGivenTwiceIsRefused() throws Exception {
    assertRejected(cli("mnist", "--seeds", "0,0"), "seeds lists seed 0 twice", "mnist --seeds 0,0");
    assertRejected(cli("mnist", "--set", "seeds=1,2,1"), "seeds lists seed 1 twice", "mnist --set seeds=1,2,1");
    assertRejected(cli("tinystories", "--seeds", "3,3"), "seeds lists seed 3 twice", "tinystories --seeds 3,3");
    assertRejected(cli("nanogpt", "steer", "--seeds", "0,0"), "seeds lists seed 0 twice", "nanogpt steer --seeds 0,0");
    assertRejected(cli("minigrid", "--seeds", "5,5"), "seeds lists seed 5 twice", "minigrid --seeds 5,5");
  }

  @Test
  void minigridSeedsAreAListLikeEveryOtherCommands() throws Exception {
    MinigridConfig preset = Configs.preset(MinigridConfig.class, RunSetup.CONFIG_RESOURCES + "minigrid", "quick");
    MinigridConfig chosen = Configs.withOverrides(preset, MinigridConfig.class, List.of(new ConfigOverride("--seeds", "seeds", "5,6,7")));
    assertEquals(List.of(5, 6, 7), chosen.seeds());
  }

  @Test
  void aFailedForceResumeKeepsTheRecordedConfigSoThePlainResumeStillWorks() throws Exception {
    finishedRun("r");
    Path r = out.resolve("mnist/r");
    RunSetup<MnistConfig> forced = setup("--out", out.toString(), "--run", "r", "--preset", "quick", "--set", "epochs=3", "--resume", "--force-resume");
    assertThrows(IllegalStateException.class, () -> forced.start(forced.config(), (c, dir, device, resume) -> {
      throw new IllegalStateException("disk gone");
    }));
    assertEquals("20", recordedEpochs(r), "a failed --force-resume rewrote config.json");
    RunSetup<MnistConfig> plain = setup("--out", out.toString(), "--run", "r", "--resume");
    plain.start(plain.config(), (c, dir, device, resume) -> dir.writeSummary(Map.of("S", 1.0))); // no false difference

    RunSetup<MnistConfig> succeeding = setup("--out", out.toString(), "--run", "r", "--preset", "quick", "--set", "epochs=3", "--resume", "--force-resume");
    succeeding.start(succeeding.config(), (c, dir, device, resume) -> dir.writeSummary(Map.of("S", 1.1)));
    assertEquals("3", recordedEpochs(r), "a successful --force-resume records its config");
  }

  @Test
  void aFailedResumeLeavesNoPlotOfTheEarlierOutcome() throws Exception {
    finishedRun("p");
    Path p = out.resolve("mnist/p");
    RunSetup<MnistConfig> resumed = setup("--out", out.toString(), "--run", "p", "--resume");
    assertThrows(IllegalStateException.class, () -> resumed.start(resumed.config(), (c, dir, device, resume) -> {
      throw new IllegalStateException("crashed");
    }));
    assertTrue(Files.exists(p.resolve(RunDirectory.FAILED_FILE)));
    assertFalse(Files.exists(p.resolve("plots/loss.png")), "the earlier run's plot lies beside FAILED.json");
  }

  @Test
  void workersAboveTheCoresAreCapped() {
    WorkersOption w = new WorkersOption();
    new picocli.CommandLine(w).parseArgs("--workers", "999");
    w.check();
    assertEquals(Math.min(999, Runtime.getRuntime().availableProcessors()), w.resolve(true));
  }

  @Test
  void dataMnistIntoAFileSaysItIsAFile(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("idx"), "x");
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = Main.run("data", "mnist", "--dir", file.toString());
    } finally {
      System.setErr(saved);
    }
    String err = captured.toString(StandardCharsets.UTF_8);
    assertNotEquals(0, rc);
    assertTrue(err.equals("error: --dir " + file + ": is a file, not a directory (the IDX files go into a directory)\n"), err);
  }

  // ------------------------------------------------------------------ nanogpt steer corpus and token (issue 29)

  private static List<String> cacheEntries(String corpusName) throws Exception {
    Path cache = gradroute.data.DataCache.defaultDir().resolve("nanogpt");
    if (!Files.isDirectory(cache)) return List.of();
    try (var entries = Files.list(cache)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(corpusName)).toList();
    }
  }

  @Test
  void aOneLineCorpusIsRefusedAndLeavesNoCacheEntry(@TempDir Path tmp) throws Exception {
    String name = "oneline-" + System.nanoTime() + ".txt";
    Path corpus = Files.writeString(tmp.resolve(name), "In the beginning God created the heaven and the earth.\n");
    assertRejected(cli("nanogpt", "steer", "--quick", "--corpus", corpus.toString()),
        "--corpus " + name + " has 1 non-blank lines; every 20th block of 50 lines is held out for validation, so it needs at least 951 lines",
        "nanogpt steer one-line corpus");
    assertEquals(List.of(), cacheEntries(name), "a cache entry of the refused corpus was left");
  }

  @Test
  void aCorpusThatIsNotUtf8NamesTheByte(@TempDir Path tmp) throws Exception {
    Path notUtf8 = tmp.resolve("latin1.txt");
    Files.write(notUtf8, new byte[] {'T', 'o', 'm', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
    assertRejected(cli("nanogpt", "steer", "--quick", "--corpus", notUtf8.toString()), notUtf8 + ": not valid UTF-8 at byte 4",
        "nanogpt steer --corpus not UTF-8");
  }

  @Test
  void aRoutedWordTooRareIsRefusedWithTheSpacedFormSuggested(@TempDir Path tmp) throws Exception {
    String name = "rare-" + System.nanoTime() + ".txt";
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 1000; i++) text.append(i % 3 == 0 ? "and they went down into Egypt again\n" : "the cat sat on the mat with the dog\n");
    Path corpus = Files.writeString(tmp.resolve(name), text);
    assertRejected(cli("nanogpt", "steer", "--quick", "--corpus", corpus.toString(), "--token", "Egypt"),
        "--token 'Egypt' occurs 0 times in the ", "nanogpt steer --token Egypt");
    Outcome o = cli("nanogpt", "steer", "--quick", "--corpus", corpus.toString(), "--token", "Egypt");
    assertTrue(o.err().contains("routing needs at least 100 and 10; the corpus has 'Egypt' 334 times after a space: try --token ' Egypt'"),
        o.err());
    assertEquals(List.of(), cacheEntries(name));
  }
}
