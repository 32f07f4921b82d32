package gradroute.experiment.nanogpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.config.Configs;
import gradroute.config.ConfigOverride;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
}
