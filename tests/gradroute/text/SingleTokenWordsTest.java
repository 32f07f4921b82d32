package gradroute.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Routed words are forced to single tokens even when the vocabulary is too small to learn them. */
class SingleTokenWordsTest {
  static final List<String> TEXT = List.of("the land of Egypt and the land of Canaan", "and Pharaoh said unto Moses",
      "the children of Israel went out of the land");

  @Test
  void aRareWordBecomesOneToken() {
    BpeTokenizer plain = BpeTokenizer.train(TEXT, 270, Set.of());
    assertTrue(plain.encodeOrdinary(" Pharaoh").length > 1, "too few merges to learn it unaided");
    BpeTokenizer forced = BpeTokenizer.train(TEXT, 270, Set.of(), Set.of(" Pharaoh"));
    assertEquals(1, forced.encodeOrdinary(" Pharaoh").length);
    assertEquals(" Pharaoh", forced.tokenText(forced.encodeOrdinary(" Pharaoh")[0]));
  }

  @Test
  void aPhraseCannotBeForced() {
    assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.train(TEXT, 300, Set.of(), Set.of(" land of")));
  }
}
