package gradroute.experiment.tinystories;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.report.Json;
import gradroute.text.BpeTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad inputs to the TinyStories experiment end in clear errors. */
class TinyStoriesInputsTest {
  /** {@code c} with one key changed, unchecked (the checks are what the tests exercise). */
  private static TinyStoriesConfig with(TinyStoriesConfig c, String key, Object value) throws Exception {
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().valueToTree(c);
    tree.set(key, Json.mapper().valueToTree(value));
    return Json.mapper().treeToValue(tree, TinyStoriesConfig.class);
  }

  @Test
  void anEmptyCorpusIsAClearError(@TempDir Path dir) throws Exception {
    Path empty = dir.resolve("stories.txt");
    Files.writeString(empty, "\n<|endoftext|>\n  \n");
    TinyStoriesConfig s = with(TinyStoriesConfig.preset("quick"), "corpus", empty.toString());
    var e = assertThrows(IllegalArgumentException.class, () -> TinyStoriesData.load(s, null));
    assertTrue(e.getMessage().contains("has no stories") && e.getMessage().contains("stories.txt"), e.getMessage());

    Path missing = dir.resolve("missing.txt");
    TinyStoriesConfig absent = with(s, "corpus", missing.toString());
    var m = assertThrows(IllegalArgumentException.class, () -> TinyStoriesData.load(absent, null));
    assertTrue(m.getMessage().contains("no such file") && m.getMessage().contains("missing.txt"), m.getMessage());
  }

  @Test
  void aCorpusTooSmallForTheConfigurationNamesTheCounts(@TempDir Path dir) throws Exception {
    Path few = dir.resolve("few.txt");
    Files.writeString(few, "Tom went to the forest.\n<|endoftext|>\nMia ate a cake.\n<|endoftext|>\n");
    TinyStoriesConfig s = with(TinyStoriesConfig.preset("quick"), "corpus", few.toString());
    var e = assertThrows(IllegalArgumentException.class, () -> TinyStoriesData.load(s, null));
    assertTrue(e.getMessage().contains("has 2 stories") && e.getMessage().contains("needs at least"), e.getMessage());
  }

  @Test
  void aWordThatIsNotOneTokenIsAClearError() {
    BpeTokenizer tok = BpeTokenizer.train(List.of("the tree and the tree and the tree", "a dog and a dog"), 270,
        Set.of(BpeTokenizer.END_OF_TEXT));
    int tree = TinyStoriesData.singleToken(tok, "tree");
    assertEquals(" tree", tok.tokenText(tree));
    var e = assertThrows(IllegalArgumentException.class, () -> TinyStoriesData.singleToken(tok, "woodland"));
    assertTrue(e.getMessage().contains("'woodland' does not tokenize to a single token"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TinyStoriesData.singleToken(tok, " "));
  }

  @Test
  void badSettingsAreClearErrors() throws Exception {
    TinyStoriesConfig s = with(TinyStoriesConfig.preset("quick"), "oversight", List.of(1.5));
    var e = assertThrows(IllegalArgumentException.class, s::validate);
    assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    TinyStoriesConfig t = with(TinyStoriesConfig.preset("quick"), "expandLayers", new int[] {7});
    assertThrows(IllegalArgumentException.class, t::validate);
    TinyStoriesConfig u = with(TinyStoriesConfig.preset("quick"), "tokenWeightsFrom", "oracle");
    var f = assertThrows(IllegalArgumentException.class, u::validate);
    assertTrue(f.getMessage().contains("tokenWeightsFrom") && f.getMessage().contains("oracle"), f.getMessage());
  }

  @Test
  void theCliRejectsUnknownMethodsAndResumeWithoutARun(@TempDir Path dir) {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    try {
      int rc = gradroute.cli.Main.run("tinystories", "--resume", "--out", dir.toString());
      assertEquals(1, rc);
      assertTrue(captured.toString().contains("--resume needs --run"), captured.toString());
      captured.reset();
      rc = gradroute.cli.Main.run("tinystories", "--quick", "--method", "dpo", "--out", dir.toString(), "--run", "x");
      assertEquals(1, rc);
      assertTrue(captured.toString().contains("unknown method 'dpo'"), captured.toString());
    } finally {
      System.setErr(err);
    }
  }
}
