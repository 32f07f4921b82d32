package gradroute.experiment.nanogpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.config.Configs;
import gradroute.config.ConfigOverride;
import gradroute.data.TokenFile;
import gradroute.text.TokenScores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnlearnDataTest {
  static UnlearnConfig config(Path forget, Path retain) throws Exception {
    UnlearnConfig quick = Configs.preset(UnlearnConfig.class, "/gradroute/experiment/configs/nanogpt", "unlearn-quick");
    return Configs.withOverrides(quick, UnlearnConfig.class, List.of(new ConfigOverride("--forget", "forget", forget.toString()),
        new ConfigOverride("--retain", "retain", retain.toString())));
  }

  static Path lines(Path dir, String name, int n) throws Exception {
    List<String> l = new ArrayList<>();
    for (int i = 1; i <= n; i++) l.add(name + " document " + i);
    return Files.write(dir.resolve(name + ".txt"), l);
  }

  @Test
  void documentsSplitDeterministicallyIntoTrainingEvaluationAndTwoAttackDocuments(@TempDir Path dir) throws Exception {
    UnlearnData.Split s = UnlearnData.split(config(lines(dir, "forget", 9), lines(dir, "retain", 40)));
    assertEquals(List.of("forget:4", "forget:8"), s.forgetEval().stream().map(NanoGptCorpus.Document::name).toList());
    assertEquals(List.of("forget:2", "forget:6"), s.forgetAttack().stream().map(NanoGptCorpus.Document::name).toList());
    assertEquals(List.of("forget:1", "forget:3", "forget:5", "forget:7", "forget:9"),
        s.forgetTrain().stream().map(NanoGptCorpus.Document::name).toList());
    assertEquals(List.of("retain:20", "retain:40"), s.retainEval().stream().map(NanoGptCorpus.Document::name).toList());
    assertEquals(38, s.retainTrain().size());
    assertEquals(9, s.topic().size(), "without --topic, W is the forget file");
  }

  @Test
  void tooFewForgetDocumentsAreAnError(@TempDir Path dir) throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UnlearnData.split(config(lines(dir, "forget", 3), lines(dir, "retain", 40))));
    assertTrue(e.getMessage().contains("the forget set has 3 documents; at least 6 are needed"), e.getMessage());
  }

  @Test
  void routedWordsFromACommaListGetTheirLeadingSpaceBack(@TempDir Path dir) throws Exception {
    UnlearnConfig c = Configs.withOverrides(config(lines(dir, "forget", 9), lines(dir, "retain", 40)), UnlearnConfig.class,
        List.of(new ConfigOverride("--routed", "routedWords", " offering, lamb")));
    assertEquals(List.of(" offering", " lamb"), c.routedWords());
  }

  @Test
  void topicDensityCountsWholeWordsCaseBlind() {
    assertEquals(0.6, UnlearnData.topicDensity("The burnt offering, an Offering.", Set.of("offering", "burnt")), 1e-12);
    assertEquals(0.0, UnlearnData.topicDensity("offerings", Set.of("offering")), 0.0);
  }

  @Test
  void tokenScoresReadBackByIdEqualTheScoreOfTheTrainingTextQuotedTokensIncluded(@TempDir Path dir) throws Exception {
    List<String> forget = new ArrayList<>();
    for (int i = 1; i <= 9; i++) forget.add("the burnt offering, said he, \"is holy\"; and the lamb, " + i + ", the ram and the altar.");
    UnlearnConfig c = config(Files.write(dir.resolve("forget.txt"), forget), lines(dir, "retain", 40));
    UnlearnData data = UnlearnData.load(c);
    int[] train = ids(data.train), filtered = ids(data.filtered);
    int once = (train.length - filtered.length) / c.forgetRepeat();
    int[] forgetTrain = Arrays.copyOfRange(train, filtered.length, filtered.length + once);
    int[] topic = UnlearnData.encodeTexts(data.tokenizer, forget);
    double[] expected = new double[data.tokenizer.vocabSize()];
    for (TokenScores.Score s : TokenScores.score(forgetTrain, topic, filtered, expected.length, TokenScores.RETAIN_DEFAULT)) {
      expected[s.id()] = s.score();
    }
    double[] byId = data.scoreById();
    for (int v = 0; v < expected.length; v++) assertEquals(expected[v], byId[v], 1e-7 * Math.max(1, expected[v]), "token " + v);
    int quoted = 0;
    for (int v : forgetTrain) {
      String text = data.tokenizer.tokenText(v);
      if (text.contains(",") || text.contains("\"")) {
        quoted++;
        assertTrue(byId[v] > 0, "token '" + text + "', quoted in scores.csv, is read back");
      }
    }
    assertTrue(quoted > 0, "the text has tokens holding a comma or a quote");
  }

  private static int[] ids(TokenFile f) {
    long[] w = f.window(0, f.length());
    int[] out = new int[w.length];
    for (int i = 0; i < w.length; i++) out[i] = (int) w[i];
    return out;
  }
}
