package gradroute.experiment.nanogpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

public class SteeringRunTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static List<SteeringRun.ModelRun> run(NanoGptConfig s, Path root, int workers) throws Exception {
    NanoGptData data = NanoGptData.load(s.corpusFile(), s.routedWord(), s.vocab());
    return new SteeringRun(s, data, root, new Device("cpu"), false, null, WorldConfig.single()).runAll(workers);
  }

  /** The quick preset, smaller still, on the made-up corpus of {@link #corpus}. */
  private static NanoGptConfig tiny(Path dir) throws Exception {
    NanoGptConfig quick = Configs.preset(NanoGptConfig.class, "/gradroute/experiment/configs/nanogpt", "quick");
    return Configs.withOverrides(quick, NanoGptConfig.class, List.of(new ConfigOverride("--corpus", "corpus", corpus(dir).toString()),
        new ConfigOverride("--steps", "steps", "10"), new ConfigOverride("--vocab", "vocab", "300"),
        new ConfigOverride("--similar-count", "similarCount", "2"), new ConfigOverride("--prompt-length", "promptLength", "4")));
  }

  @Test
  void modelsSideBySideGiveTheNumbersOfModelsInTurn(@TempDir Path dir) throws Exception {
    NanoGptConfig s = tiny(dir);
    List<SteeringRun.ModelRun> inTurn = run(s, dir.resolve("one"), 1);
    List<SteeringRun.ModelRun> sideBySide = run(s, dir.resolve("two"), 2);
    assertEquals(List.of("routed", "control"), sideBySide.stream().map(r -> r.eval().model()).toList());
    for (int i = 0; i < inTurn.size(); i++) {
      SteeringEvaluation.Result a = inTurn.get(i).eval(), b = sideBySide.get(i).eval();
      assertEquals(a.valLoss(), b.valLoss(), a.model() + " validation loss");
      assertEquals(a.targetRank(), b.targetRank(), a.model() + " target rank");
      assertEquals(a.auroc(), b.auroc(), a.model() + " AUROC");
      assertArrayEquals(a.pTarget(), b.pTarget(), a.model() + " P(target) by alpha");
      assertEquals(a.topTokens(), b.topTokens(), a.model() + " top tokens");
    }
  }

  @Test
  void exclusiveRoutingKeepsDim0ToTheRoutedTokenAndIsMeasured(@TempDir Path dir) throws Exception {
    NanoGptConfig s = Configs.withOverrides(tiny(dir), NanoGptConfig.class, List.of(new ConfigOverride("--models", "models", "routed")));
    NanoGptConfig exclusive = Configs.withOverrides(s, NanoGptConfig.class,
        List.of(new ConfigOverride("--exclusive-dim0", "exclusiveDim0", "true")));
    SteeringEvaluation.Result paper = run(s, dir.resolve("paper"), 1).get(0).eval();
    SteeringEvaluation.Result excl = run(exclusive, dir.resolve("exclusive"), 1).get(0).eval();
    assertNotEquals(paper.valLoss(), excl.valLoss(), "keeping other positions off dim 0 changes training");
    for (SteeringEvaluation.Result r : List.of(paper, excl)) {
      SteeringEvaluation.GradientShare g = r.gradientShare();
      assertTrue(g.positions() > 0 && g.positions() < 0.2, "the target is a small share of positions: " + g);
      assertTrue(g.dim0() >= 0 && g.dim0() <= 1 && g.otherDims() >= 0 && g.otherDims() <= 1, g.toString());
    }
  }

  @Test
  void aRareTokenIsWarnedAboutWithTheStepsItNeeds() throws Exception {
    NanoGptConfig d = Configs.preset(NanoGptConfig.class, "/gradroute/experiment/configs/nanogpt", "default");
    long frequentEnough = d.routedPositions(1e-2);
    assertEquals(Math.round(1e-2 * d.steps() * d.batch() * d.nCtx()), frequentEnough);
    assertFalse(SteerExperiment.routedPositionsNote(d, 1e-2).contains("warning"));
    String rare = SteerExperiment.routedPositionsNote(d, 6.4e-4);
    assertTrue(rare.contains("warning"), rare);
    long steps = (long) Math.ceil(SteerExperiment.MIN_ROUTED_POSITIONS / (6.4e-4 * d.batch() * d.nCtx()));
    assertTrue(rare.contains("--steps " + steps), rare);
    assertTrue(steps * d.batch() * d.nCtx() * 6.4e-4 >= SteerExperiment.MIN_ROUTED_POSITIONS);
  }

  /**
   * A text of 225 made-up words with the target LORD in every tenth line only: the steering prompts
   * are short windows free of the target and of its 30 most related tokens.
   */
  public static Path corpus(Path dir) throws Exception {
    List<String> common = new ArrayList<>();
    String[] syllables = {"ka", "lo", "mi", "ren", "tus", "ba", "ne", "sor", "vi", "dal", "pe", "gu", "rath", "ol", "win"};
    for (String a : syllables) for (String b : syllables) common.add(a + b);
    SplittableRandom rng = new SplittableRandom(3);
    List<String> lines = new ArrayList<>();
    for (int l = 0; l < 3000; l++) {
      StringBuilder b = new StringBuilder();
      for (int w = 0; w < 24; w++) {
        String word = l % 10 == 0 && rng.nextInt(8) == 0 ? "LORD" : common.get(rng.nextInt(common.size()));
        b.append(w == 0 ? "" : " ").append(word);
      }
      lines.add(b.append('.').toString());
    }
    return Files.write(dir.resolve("corpus.txt"), lines);
  }
}
