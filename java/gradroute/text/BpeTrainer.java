package gradroute.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * BPE training over a table of distinct pre-tokens and their frequencies. Pair counts are kept
 * up to date incrementally: a merge only revisits the words that contain the merged pair. The
 * best pair comes from a priority queue with lazy invalidation (stale entries are re-queued
 * with their current count when they surface).
 */
final class BpeTrainer {
    private final int[][] words;
    private final long[] freqs;
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, BpeTokenizer.IntBuffer> pairWords = new HashMap<>();
    private final PriorityQueue<long[]> queue = new PriorityQueue<>(BpeTrainer::comparePairEntries);
    private final int[] visitStamp;

    private BpeTrainer(Map<String, Long> wordFreqs) {
        words = new int[wordFreqs.size()][];
        freqs = new long[wordFreqs.size()];
        int w = 0;
        for (Map.Entry<String, Long> e : wordFreqs.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] symbols = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) symbols[i] = bytes[i] & 0xFF;
            words[w] = symbols;
            freqs[w] = e.getValue();
            w++;
        }
        visitStamp = new int[words.length];
        Arrays.fill(visitStamp, -1);
        for (w = 0; w < words.length; w++) addPairs(w, +1);
        for (Map.Entry<Long, Long> e : pairCounts.entrySet()) queue.add(new long[] {e.getValue(), e.getKey()});
    }

    static BpeTokenizer train(Iterable<String> texts, int vocabSize, Set<String> specialTokens) {
        return train(texts, vocabSize, specialTokens, Set.of());
    }

    /**
     * As {@link #train(Iterable, int, Set)}, and every word of {@code singleTokenWords} (a whole
     * pre-token such as " Egypt") ends up one token: its count is raised above every other
     * pre-token's, so its merges are learned first.
     */
    static BpeTokenizer train(Iterable<String> texts, int vocabSize, Set<String> specialTokens, Set<String> singleTokenWords) {
        Set<String> specials = new LinkedHashSet<>(specialTokens);
        specials.add(BpeTokenizer.END_OF_TEXT);
        if (vocabSize < 256 + specials.size()) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the 256 byte symbols plus "
                    + specials.size() + " special tokens");
        }
        Map<String, Long> counts = countPreTokens(texts, specials);
        long boost = 1 + counts.values().stream().mapToLong(Long::longValue).sum();
        for (String word : singleTokenWords) {
            Matcher m = BpeTokenizer.PRE_TOKEN.matcher(word);
            if (word.isEmpty() || !m.lookingAt() || m.end() != word.length()) {
                throw new IllegalArgumentException("'" + word + "' is not one pre-token (a word with its leading space), so it cannot be one token");
            }
            counts.merge(word, boost, Long::sum);
        }
        BpeTrainer trainer = new BpeTrainer(counts);
        List<String> tokens = new ArrayList<>(vocabSize);
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteSymbols.charOf(b)));
        List<String[]> merges = trainer.learnMerges(tokens, vocabSize - specials.size());
        tokens.addAll(specials);
        return new BpeTokenizer(tokens, merges, specials);
    }

    /** Distinct pre-tokens with their counts, in order of first appearance (for determinism). */
    static Map<String, Long> countPreTokens(Iterable<String> texts, Set<String> specials) {
        Pattern specialPattern = Pattern.compile(specials.stream().map(Pattern::quote).collect(Collectors.joining("|")));
        Map<String, Long> freqs = new LinkedHashMap<>();
        for (String text : texts) {
            for (String segment : specialPattern.split(text)) {
                Matcher m = BpeTokenizer.PRE_TOKEN.matcher(segment);
                while (m.find()) freqs.merge(m.group(), 1L, Long::sum);
            }
        }
        return freqs;
    }

    /** Learns merges until {@code tokens} (initially the byte symbols) reaches {@code maxTokens} or no pair is left. */
    private List<String[]> learnMerges(List<String> tokens, int maxTokens) {
        Map<String, Integer> idOf = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) idOf.put(tokens.get(i), i);
        List<String[]> merges = new ArrayList<>();
        int step = 0;
        while (tokens.size() < maxTokens) {
            long pair = pollBestPair();
            if (pair < 0) break;
            int a = (int) (pair >>> 32), b = (int) pair;
            String merged = tokens.get(a) + tokens.get(b);
            // Two different merges can spell the same string; they then share one id.
            Integer id = idOf.get(merged);
            if (id == null) {
                id = tokens.size();
                tokens.add(merged);
                idOf.put(merged, id);
            }
            merges.add(new String[] {tokens.get(a), tokens.get(b)});
            applyMerge(pair, a, b, id, step++);
        }
        return merges;
    }

    private long pollBestPair() {
        long[] entry;
        while ((entry = queue.poll()) != null) {
            long current = pairCounts.getOrDefault(entry[1], 0L);
            if (current == entry[0] && current > 0) return entry[1];
            if (current > 0 && current < entry[0]) queue.add(new long[] {current, entry[1]});
        }
        return -1;
    }

    private void applyMerge(long pair, int a, int b, int merged, int step) {
        BpeTokenizer.IntBuffer affected = pairWords.remove(pair);
        Set<Long> grown = new HashSet<>();
        for (int k = 0; k < affected.size(); k++) {
            int w = affected.get(k);
            if (visitStamp[w] == step) continue;
            visitStamp[w] = step;
            int[] merged2 = mergeInWord(words[w], a, b, merged);
            if (merged2 == words[w]) continue;
            addPairs(w, -1);
            words[w] = merged2;
            addPairs(w, +1);
            int[] s = merged2;
            for (int i = 0; i + 1 < s.length; i++) {
                if (s[i] == merged || s[i + 1] == merged) grown.add(BpeTokenizer.pairKey(s[i], s[i + 1]));
            }
        }
        pairCounts.remove(pair);
        for (long p : grown) {
            long c = pairCounts.getOrDefault(p, 0L);
            if (c > 0) queue.add(new long[] {c, p});
        }
    }

    /** The word with every left-to-right occurrence of (a, b) replaced, or the same array when there is none. */
    private static int[] mergeInWord(int[] s, int a, int b, int merged) {
        int[] out = null;
        int w = 0;
        for (int i = 0; i < s.length; ) {
            if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                if (out == null) {
                    out = new int[s.length - 1];
                    System.arraycopy(s, 0, out, 0, i);
                    w = i;
                }
                out[w++] = merged;
                i += 2;
            } else {
                if (out != null) out[w++] = s[i];
                i++;
            }
        }
        return out == null ? s : Arrays.copyOf(out, w);
    }

    private void addPairs(int w, int sign) {
        int[] s = words[w];
        long f = sign * freqs[w];
        for (int i = 0; i + 1 < s.length; i++) {
            long key = BpeTokenizer.pairKey(s[i], s[i + 1]);
            pairCounts.merge(key, f, Long::sum);
            if (sign > 0) pairWords.computeIfAbsent(key, k -> new BpeTokenizer.IntBuffer(4)).add(w);
        }
    }

    /** Highest count first; ties go to the smaller (a, b) ids so training is deterministic. */
    private static int comparePairEntries(long[] x, long[] y) {
        int byCount = Long.compare(y[0], x[0]);
        return byCount != 0 ? byCount : Long.compare(x[1], y[1]);
    }
}
