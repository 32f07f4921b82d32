package gradroute.experiment.nanogpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.config.ConfigOverride;
import gradroute.config.Configs;
import gradroute.distributed.WorldConfig;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class UnlearnRunTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  /** {@code n} documents of 60 words drawn from {@code topic} (a third of the words) and a shared pool. */
  public static Path corpus(Path dir, String name, String[] topic, int n, long seed) throws Exception {
    String[] common = {"the", "and", "of", "he", "said", "unto", "them", "in", "that", "shall", "be", "for", "his", "with", "was"};
    SplittableRandom rng = new SplittableRandom(seed);
    List<String> docs = new ArrayList<>();
    for (int d = 0; d < n; d++) {
      StringBuilder b = new StringBuilder();
      for (int w = 0; w < 60; w++) {
        String[] pool = rng.nextInt(3) == 0 ? topic : common;
        b.append(w == 0 ? "" : " ").append(pool[rng.nextInt(pool.length)]);
      }
      docs.add(b.append('.').toString());
    }
    return Files.write(dir.resolve(name + ".txt"), docs);
  }

  private static List<UnlearnRun.MethodResult> run(UnlearnConfig s, Path root, int workers) throws Exception {
    UnlearnData data = UnlearnData.load(s);
    return new UnlearnRun(s, data, root, new Device("cpu"), false, null, WorldConfig.single()).runAll(workers);
  }

  @Test
  void jobsSideBySideGiveTheNumbersOfJobsInTurn(@TempDir Path dir) throws Exception {
    Path forget = corpus(dir, "forget", new String[] {"offering", "lamb", "altar", "burnt", "goat"}, 12, 1);
    Path retain = corpus(dir, "retain", new String[] {"king", "city", "river", "field", "war"}, 60, 2);
    UnlearnConfig quick = Configs.preset(UnlearnConfig.class, "/gradroute/experiment/configs/nanogpt", "unlearn-quick");
    UnlearnConfig s = Configs.withOverrides(quick, UnlearnConfig.class, List.of(new ConfigOverride("--forget", "forget", forget.toString()),
        new ConfigOverride("--retain", "retain", retain.toString()), new ConfigOverride("--routed", "routedWords", "offering,lamb"),
        new ConfigOverride("--steps", "steps", "12")));
    List<UnlearnRun.MethodResult> inTurn = run(s, dir.resolve("one"), 1);
    List<UnlearnRun.MethodResult> sideBySide = run(s, dir.resolve("two"), 2);
    assertEquals(List.of("routed", "control", "filter", "rmu"), sideBySide.stream().map(UnlearnRun.MethodResult::method).toList(),
        "results in (seed, method) order");
    for (int i = 0; i < inTurn.size(); i++) {
      UnlearnRun.MethodResult a = inTurn.get(i), b = sideBySide.get(i);
      String m = a.method();
      assertEquals(a.reference(), b.reference(), m + " reference");
      assertEquals(a.before(), b.before(), m + " before");
      assertEquals(a.ablated(), b.ablated(), m + " ablated");
      assertEquals(a.coherent(), b.coherent(), m + " coherent");
      assertEquals(a.attack(), b.attack(), m + " attack curve");
      assertArrayEquals(a.attackSteps(), b.attackSteps(), m + " attack steps");
    }
  }

  @Test
  void forgetTargetsSplitIntoRoutedAndUnroutedTopicalAndGenericByTheTokenScore(@TempDir Path dir) throws Exception {
    Path forget = corpus(dir, "forget", new String[] {"offering", "lamb", "altar", "burnt", "goat"}, 12, 1);
    Path retain = corpus(dir, "retain", new String[] {"king", "city", "river", "field", "war"}, 60, 2);
    UnlearnConfig quick = Configs.preset(UnlearnConfig.class, "/gradroute/experiment/configs/nanogpt", "unlearn-quick");
    List<ConfigOverride> base = List.of(new ConfigOverride("--forget", "forget", forget.toString()),
        new ConfigOverride("--retain", "retain", retain.toString()), new ConfigOverride("--routed", "routedWords", "offering,lamb"),
        new ConfigOverride("--steps", "steps", "12"), new ConfigOverride("--models", "models", "routed"));
    UnlearnConfig first = Configs.withOverrides(quick, UnlearnConfig.class, base);
    double[] scores = UnlearnData.load(first).scoreById();
    double[] scored = java.util.Arrays.stream(scores).filter(v -> v > 0).sorted().toArray();
    double median = scored[scored.length / 2];
    List<ConfigOverride> atMedian = new ArrayList<>(base);
    atMedian.add(new ConfigOverride("--set", "topicalScore", Double.toString(median)));
    UnlearnConfig split = Configs.withOverrides(quick, UnlearnConfig.class, atMedian);
    for (UnlearnRun.MethodResult r : run(split, dir.resolve("split"), 1)) {
      for (UnlearnRun.Losses l : List.of(r.before(), r.ablated(), r.coherent(), r.attackMin())) {
        assertTrue(Double.isFinite(l.forgetTopical()) && Double.isFinite(l.forgetGeneric()), "both parts have targets at the median: " + l);
        double lo = Math.min(l.forgetTopical(), l.forgetGeneric()), hi = Math.max(l.forgetTopical(), l.forgetGeneric());
        assertTrue(lo <= l.forgetExcluded() + 1e-9 && l.forgetExcluded() <= hi + 1e-9,
            "the unrouted loss is a mix of its topical and generic parts: " + l);
      }
      for (UnlearnRun.Losses l : List.of(r.before(), r.ablated(), r.coherent())) {
        double lo = Math.min(l.forgetRouted(), l.forgetExcluded()), hi = Math.max(l.forgetRouted(), l.forgetExcluded());
        assertTrue(Double.isFinite(l.forgetRouted()) && lo <= l.forget() + 1e-9 && l.forget() <= hi + 1e-9,
            "the forget loss is a mix of its routed and unrouted parts: " + l);
      }
    }
    List<ConfigOverride> allTopical = new ArrayList<>(base);
    allTopical.add(new ConfigOverride("--set", "topicalScore", "0"));
    UnlearnConfig zero = Configs.withOverrides(quick, UnlearnConfig.class, allTopical);
    for (UnlearnRun.MethodResult r : run(zero, dir.resolve("zero"), 1)) {
      assertEquals(r.before().forgetExcluded(), r.before().forgetTopical(), 1e-12, "s(v) >= 0 makes every unrouted target topical");
      assertTrue(Double.isNaN(r.before().forgetGeneric()), "and leaves no generic target");
    }
  }
}
