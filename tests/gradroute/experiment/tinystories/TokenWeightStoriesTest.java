package gradroute.experiment.tinystories;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TokenWeightStoriesTest {
  private static final boolean[] KEYWORD_FORGET = {true, true, true, true, false, false};

  @Test
  void byLabelsOnlyTheLabelledForgetStoriesCount() {
    int[] labels = PartialOversight.labels(KEYWORD_FORGET, 0.5, 7);
    boolean[] counted = EraInputs.tokenWeightForget("labels", labels, KEYWORD_FORGET);
    int n = 0;
    for (int i = 0; i < counted.length; i++) {
      if (counted[i]) n++;
      assertFalse(counted[i] && !KEYWORD_FORGET[i], "retain story " + i + " counted forget");
    }
    assertEquals(2, n, "p = 0.5 of 4 forget stories");
  }

  @Test
  void byKeywordsEveryTrueForgetStoryCountsWhateverTheOversight() {
    for (double p : new double[] {0, 0.25, 1}) {
      int[] labels = PartialOversight.labels(KEYWORD_FORGET, p, 7);
      assertArrayEquals(KEYWORD_FORGET, EraInputs.tokenWeightForget("keywords", labels, KEYWORD_FORGET), "p = " + p);
    }
  }

  @Test
  void anUnknownRuleOrMismatchedLengthsAreClearErrors() {
    int[] labels = PartialOversight.labels(KEYWORD_FORGET, 1, 7);
    assertThrows(IllegalArgumentException.class, () -> EraInputs.tokenWeightForget("oracle", labels, KEYWORD_FORGET));
    assertThrows(IllegalArgumentException.class, () -> EraInputs.tokenWeightForget("labels", new int[3], KEYWORD_FORGET));
  }
}
