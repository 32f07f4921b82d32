package gradroute.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The concept masking rule over token sequences: each word is expanded to its lower-case and
 * Title-case spellings, each with and without a leading space, and every token covered by a full
 * match of one spelling's token sequence gets the word's mask index. Results follow the next-token
 * convention: entry t belongs to the input position t, which predicts token t+1.
 */
public final class ConceptMatcher {
    private record Variant(int[] tokens, int maskIndex, int order) {}

    private final List<Variant> variants;
    private final Map<String, List<int[]>> spellings = new LinkedHashMap<>();
    private final int noMaskIndex;

    /**
     * @param wordToMask  words (single or several, any case) → mask index; when matches overlap the
     *                    longer token sequence wins, then the word given first
     * @param noMaskIndex the index of positions whose target is not part of a match
     */
    public ConceptMatcher(BpeTokenizer tokenizer, Map<String, Integer> wordToMask, int noMaskIndex) {
        this.noMaskIndex = noMaskIndex;
        List<Variant> all = new ArrayList<>();
        int order = 0;
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
                    all.add(new Variant(tokens, e.getValue(), order));
                }
            }
            spellings.put(word, seqs);
            order++;
        }
        all.sort(Comparator.comparingInt((Variant v) -> -v.tokens.length).thenComparingInt(Variant::order));
        this.variants = List.copyOf(all);
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
        int[] covered = coveredIndices(tokens);
        return covered.length == 0 ? new int[0] : Arrays.copyOfRange(covered, 1, covered.length);
    }

    /** Mask index per token position (not shifted): the word index of the match covering it, or the no-mask index. */
    public int[] coveredIndices(int[] tokens) {
        int[] out = new int[tokens.length];
        Arrays.fill(out, noMaskIndex);
        boolean[] taken = new boolean[tokens.length];
        for (Variant v : variants) {
            int[] pattern = v.tokens;
            for (int start = 0; start + pattern.length <= tokens.length; start++) {
                if (matchesAt(tokens, start, pattern) && isFree(taken, start, pattern.length)) {
                    for (int k = start; k < start + pattern.length; k++) {
                        out[k] = v.maskIndex;
                        taken[k] = true;
                    }
                }
            }
        }
        return out;
    }

    private static boolean matchesAt(int[] tokens, int start, int[] pattern) {
        for (int k = 0; k < pattern.length; k++) if (tokens[start + k] != pattern[k]) return false;
        return true;
    }

    private static boolean isFree(boolean[] taken, int start, int length) {
        for (int k = start; k < start + length; k++) if (taken[k]) return false;
        return true;
    }

    /** The distinct token sequences each word is matched by (for diagnostics). */
    public Map<String, List<int[]>> spellingTokens() {
        return Collections.unmodifiableMap(spellings);
    }

    public int noMaskIndex() {
        return noMaskIndex;
    }
}
