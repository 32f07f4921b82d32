package gradroute.text;

import gradroute.routing.ConceptRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the routing core's {@link ConceptRule} from words: each word is expanded to its lower-case
 * and Title-case spellings, each with and without a leading space, and tokenized; every token
 * covered by a full match of one spelling gets the word's mask index. Results follow the
 * next-token convention: entry t belongs to the input position t, which predicts token t+1.
 */
public final class ConceptMatcher {
    private final ConceptRule rule;
    private final Map<String, List<int[]>> spellings = new LinkedHashMap<>();

    /**
     * @param wordToMask  words (single or several, any case) → mask index; when matches overlap the
     *                    longer token sequence wins, then the word given first
     * @param noMaskIndex the index of positions whose target is not part of a match
     */
    public ConceptMatcher(BpeTokenizer tokenizer, Map<String, Integer> wordToMask, int noMaskIndex) {
        this.rule = new ConceptRule(noMaskIndex);
        for (Map.Entry<String, Integer> e : wordToMask.entrySet()) {
            String word = e.getKey().strip();
            if (word.isEmpty()) throw new IllegalArgumentException("concept word '" + e.getKey() + "' is blank");
            List<int[]> seqs = new ArrayList<>();
            for (String spelling : spellingsOf(word)) {
                int[] tokens = tokenizer.encodeOrdinary(spelling);
                if (tokens.length == 0) {
                    throw new IllegalArgumentException("concept word '" + e.getKey() + "' tokenizes to nothing (spelling '" + spelling + "')");
                }
                if (seqs.stream().noneMatch(s -> Arrays.equals(s, tokens))) {
                    seqs.add(tokens);
                    rule.add(Arrays.stream(tokens).asLongStream().toArray(), e.getValue());
                }
            }
            spellings.put(word, seqs);
        }
    }

    /** The masking rule for the routing core. */
    public ConceptRule rule() {
        return rule;
    }

    /** lower, " lower", Title, " Title" (Title capitalises every space-separated part). */
    static List<String> spellingsOf(String word) {
        String lower = word.toLowerCase(Locale.ROOT);
        String title = titleCase(lower);
        return List.of(lower, " " + lower, title, " " + title);
    }

    private static String titleCase(String lower) {
        StringBuilder out = new StringBuilder(lower.length());
        boolean atStart = true;
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            out.appendCodePoint(atStart ? Character.toTitleCase(cp) : cp);
            atStart = Character.isWhitespace(cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** Mask index per target: length T−1, entry t for the prediction of {@code tokens[t+1]}. */
    public int[] maskIndices(int[] tokens) {
        long[] all = rule.forSequence(toLongs(tokens));
        return all.length == 0 ? new int[0] : toInts(Arrays.copyOf(all, all.length - 1));
    }

    /** Mask index per token position (not shifted): the word index of the match covering it, or the no-mask index. */
    public int[] coveredIndices(int[] tokens) {
        return toInts(rule.covered(toLongs(tokens)));
    }

    private static long[] toLongs(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }

    private static int[] toInts(long[] a) {
        return Arrays.stream(a).mapToInt(Math::toIntExact).toArray();
    }

    /** The distinct token sequences each word is matched by (for diagnostics). */
    public Map<String, List<int[]>> spellingTokens() {
        return Collections.unmodifiableMap(spellings);
    }

    public int noMaskIndex() {
        return rule.noMaskIndex();
    }
}
