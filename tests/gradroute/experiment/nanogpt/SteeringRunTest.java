package gradroute.experiment.nanogpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

  @Test
  void modelsSideBySideGiveTheNumbersOfModelsInTurn(@TempDir Path dir) throws Exception {
    Path corpus = corpus(dir);
    NanoGptConfig quick = Configs.preset(NanoGptConfig.class, "/gradroute/experiment/configs/nanogpt", "quick");
    NanoGptConfig s = Configs.withOverrides(quick, NanoGptConfig.class, List.of(new ConfigOverride("--corpus", "corpus", corpus.toString()),
        new ConfigOverride("--steps", "steps", "10"), new ConfigOverride("--vocab", "vocab", "300"),
        new ConfigOverride("--similar-count", "similarCount", "2"), new ConfigOverride("--prompt-length", "promptLength", "4")));
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
