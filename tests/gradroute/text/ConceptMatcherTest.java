package gradroute.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConceptMatcherTest {
    private static final int NO_MASK = 2;
    private static BpeTokenizer tokenizer;

    @BeforeAll
    static void train() {
        // Few merges: most names stay split into several tokens.
        tokenizer = BpeTokenizer.train(List.of("blah blah the cat sat on the mat. Severus was here. Harry went home."), 290, Set.of());
    }

    private static int[] concat(List<int[]> parts) {
        return parts.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void marksFullMatchesWithTheNextTokenShift() {
        Map<String, Integer> concepts = new LinkedHashMap<>();
        concepts.put(" harry potter", 0);
        concepts.put(" severus snape", 1);
        ConceptMatcher matcher = new ConceptMatcher(tokenizer, concepts, NO_MASK);
        List<int[]> pieces = List.of(tokenizer.encode("blah"), tokenizer.encode(" Harry Potter"), tokenizer.encode(" a b c"),
                tokenizer.encode(" Severus Snape"));
        int[] tokens = concat(pieces);
        assertArrayEquals(tokenizer.encode("blah Harry Potter a b c Severus Snape"), tokens, "pieces tokenize independently");
        assertTrue(pieces.get(1).length > 2 && pieces.get(3).length > 2, "the concepts are multi-token here");

        int[] expectedCovered = new int[tokens.length];
        int at = 0, piece = 0;
        for (int[] p : pieces) {
            int index = piece == 1 ? 0 : piece == 3 ? 1 : NO_MASK;
            for (int k = 0; k < p.length; k++) expectedCovered[at++] = index;
            piece++;
        }
        assertArrayEquals(expectedCovered, matcher.coveredIndices(tokens));
        int[] targets = matcher.maskIndices(tokens);
        assertEquals(tokens.length - 1, targets.length);
        assertArrayEquals(Arrays.copyOfRange(expectedCovered, 1, tokens.length), targets,
                "entry t is the position predicting token t+1");
    }

    @Test
    void partialMatchesAndUnknownWordsGetNoMask() {
        ConceptMatcher matcher = new ConceptMatcher(tokenizer, Map.of("harry potter", 0), NO_MASK);
        int[] partial = tokenizer.encode("blah Harry went home. Potter?");
        assertTrue(Arrays.stream(matcher.maskIndices(partial)).allMatch(i -> i == NO_MASK));
        int[] unknown = tokenizer.encode("zzz qqq");
        assertTrue(Arrays.stream(matcher.maskIndices(unknown)).allMatch(i -> i == NO_MASK));
        assertArrayEquals(new int[0], matcher.maskIndices(new int[0]));
        assertArrayEquals(new int[0], matcher.maskIndices(new int[] {5}));
    }

    @Test
    void matchesLowerAndTitleCaseWithAndWithoutLeadingSpace() {
        ConceptMatcher matcher = new ConceptMatcher(tokenizer, Map.of("Cat", 0), NO_MASK);
        assertEquals(4, matcher.spellingTokens().get("Cat").size(), "cat, ' cat', Cat, ' Cat' tokenize differently");
        for (String text : List.of("the cat sat", "the Cat sat", "cat sat", "Cat sat")) {
            int[] tokens = tokenizer.encode(text);
            int[] covered = matcher.coveredIndices(tokens);
            assertTrue(Arrays.stream(covered).anyMatch(i -> i == 0), text);
        }
        int[] upper = tokenizer.encode("the CAT sat");
        assertTrue(Arrays.stream(matcher.coveredIndices(upper)).allMatch(i -> i == NO_MASK), "only lower and Title case");
    }

    @Test
    void aWordMissingFromTheVocabularyMatchesAsItsPieces() {
        BpeTokenizer bytesOnly = BpeTokenizer.train(List.of("x"), 257, Set.of());
        ConceptMatcher matcher = new ConceptMatcher(bytesOnly, Map.of("tree", 0), NO_MASK);
        int[] tokens = bytesOnly.encode("a tree b");
        assertArrayEquals(new int[] {NO_MASK, 0, 0, 0, 0, 0, NO_MASK, NO_MASK}, matcher.coveredIndices(tokens),
                "' tree' is five byte tokens");
    }

    @Test
    void longerMatchesWinOverlaps() {
        Map<String, Integer> concepts = new LinkedHashMap<>();
        concepts.put("cat", 0);
        concepts.put("the cat", 1);
        ConceptMatcher matcher = new ConceptMatcher(tokenizer, concepts, NO_MASK);
        int[] tokens = tokenizer.encode("on the cat");
        int[] covered = matcher.coveredIndices(tokens);
        int before = tokenizer.encode("on").length;
        for (int k = 0; k < covered.length; k++) assertEquals(k < before ? NO_MASK : 1, covered[k]);
    }

    @Test
    void blankWordsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConceptMatcher(tokenizer, Map.of("  ", 0), NO_MASK));
        assertTrue(e.getMessage().contains("blank"));
    }
}
