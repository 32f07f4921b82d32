package gradroute.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenScoresTest {
  @Test
  void scoreIsTheSmallerOfForgetAndTopicFrequencyOverRetainFrequency() {
    int[] forget = {1, 1, 2, 3};   // f_F: 1 -> 1/2, 2 -> 1/4, 3 -> 1/4
    int[] topic = {1, 2, 2, 4};    // f_W: 1 -> 1/4, 2 -> 1/2, 3 unseen -> 0
    int[] retain = {2, 3, 3, 3};   // f_R: 1 unseen -> default, 2 -> 1/4, 3 -> 3/4
    List<TokenScores.Score> s = TokenScores.score(forget, topic, retain, 5, 0.1);
    assertEquals(List.of(1, 2, 3), s.stream().map(TokenScores.Score::id).toList(), "only tokens seen in F, best first");
    assertEquals(0.25 / 0.1, s.get(0).score(), 1e-12, "min(1/2, 1/4) / default 0.1");
    assertEquals(0.25 / 0.25, s.get(1).score(), 1e-12, "min(1/4, 1/2) / (1/4)");
    assertEquals(0.0, s.get(2).score(), 0.0, "absent from W: f_W = 0");
    assertEquals(0.5, s.get(0).forgetFrequency(), 1e-12);
    assertEquals(0.25, s.get(0).topicFrequency(), 1e-12);
    assertEquals(0.0, s.get(0).retainFrequency(), 0.0, "unseen in R is reported as 0");
    assertEquals(0.75, s.get(2).retainFrequency(), 1e-12);
    // the paper's default 0.1 drops rare tokens that R lacks below the ones R has
    List<TokenScores.Score> paper = TokenScores.score(new int[] {1, 2, 2, 2, 2, 2, 2, 2, 2, 2}, new int[] {1, 2}, new int[] {2, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 3, TokenScores.RETAIN_DEFAULT);
    assertEquals(2, paper.get(0).id(), "0.5 / 0.05 beats 0.1 / 0.1");
  }

  @Test
  void badCorporaAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenScores.score(new int[] {1}, new int[] {7}, new int[] {1}, 5, 0.1));
    assertTrue(e.getMessage().contains("topic corpus: token 7"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TokenScores.score(new int[0], new int[] {1}, new int[] {1}, 5, 0.1));
  }

  @Test
  void aRoutedWordThatIsNotOneTokenIsRejectedByName() {
    BpeTokenizer tok = BpeTokenizer.train(List.of("the burnt offering of the lamb", "an offering unto the altar"), 300, Set.of(),
        Set.of(" offering", " lamb"));
    int[] ids = TokenScores.singleTokenIds(tok, List.of(" offering", " lamb"));
    assertArrayEquals(tok.encodeOrdinary(" offering"), new int[] {ids[0]});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenScores.singleTokenIds(tok, List.of(" offering", " burnt offering")));
    assertTrue(e.getMessage().startsWith("routed word ' burnt offering' is "), e.getMessage());
    assertTrue(e.getMessage().contains("not one; routed words must be single tokens"), e.getMessage());
  }
}
