package gradroute.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Byte-level BPE tokenizer in the GPT-2 style: text is split into pre-tokens (words with their
 * leading space, number runs, punctuation runs, whitespace), each pre-token's UTF-8 bytes become
 * byte symbols, and merges are applied lowest rank first. Special tokens are matched verbatim
 * before pre-tokenisation. Files use the GPT-2 layout ({@code vocab.json} + {@code merges.txt}),
 * so GPT-2 and GPT-Neo tokenizers load as well as ones trained here.
 */
public final class BpeTokenizer {
    public static final String END_OF_TEXT = "<|endoftext|>";

    static final Pattern PRE_TOKEN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final int CACHE_LIMIT = 100_000;

    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final List<String[]> merges;
    /** pair key → (rank << 32 | merged id) */
    private final Map<Long, Long> mergeTable;
    private final int[] byteIds = new int[256];
    private final boolean[] isSpecial;
    private final Set<String> specials;
    private final Pattern specialPattern;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    BpeTokenizer(List<String> tokensById, List<String[]> merges, Set<String> specialTokens) {
        this.tokens = tokensById.toArray(String[]::new);
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) {
            if (ids.put(tokens[i], i) != null) {
                throw new IllegalArgumentException("token '" + tokens[i] + "' appears twice in the vocabulary");
            }
        }
        this.merges = List.copyOf(merges);
        this.mergeTable = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            int a = requireToken(m[0], rank), b = requireToken(m[1], rank), ab = requireToken(m[0] + m[1], rank);
            mergeTable.putIfAbsent(pairKey(a, b), ((long) rank << 32) | ab);
        }
        for (int b = 0; b < 256; b++) byteIds[b] = ids.getOrDefault(String.valueOf(ByteSymbols.charOf(b)), -1);
        this.specials = Collections.unmodifiableSet(new LinkedHashSet<>(specialTokens));
        this.isSpecial = new boolean[tokens.length];
        for (String s : specials) {
            Integer id = ids.get(s);
            if (id == null) throw new IllegalArgumentException("special token '" + s + "' is not in the vocabulary");
            isSpecial[id] = true;
        }
        this.specialPattern = specials.isEmpty() ? null : Pattern.compile(specials.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|")));
    }

    private int requireToken(String token, int rank) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("merge " + rank + " needs token '" + token + "', which is not in the vocabulary");
        }
        return id;
    }

    /**
     * Trains a tokenizer with at most {@code vocabSize} tokens: the 256 byte symbols, the learned
     * merges, and the special tokens ({@link #END_OF_TEXT} is always among them) at the end.
     * Deterministic for equal inputs. Special tokens in the texts are cut out before counting.
     */
    public static BpeTokenizer train(Iterable<String> texts, int vocabSize, Set<String> specialTokens) {
        return BpeTrainer.train(texts, vocabSize, specialTokens);
    }

    /** As {@link #train(Iterable, int, Set)}, with each of {@code singleTokenWords} (e.g. " Egypt") forced to one token. */
    public static BpeTokenizer train(Iterable<String> texts, int vocabSize, Set<String> specialTokens, Set<String> singleTokenWords) {
        return BpeTrainer.train(texts, vocabSize, specialTokens, singleTokenWords);
    }

    /** Loads GPT-2-format files; vocabulary entries that are neither byte symbols nor merge results are special tokens. */
    public static BpeTokenizer load(Path vocabJson, Path mergesTxt) throws IOException {
        return BpeFiles.load(vocabJson, mergesTxt);
    }

    /** Loads {@code vocab.json} and {@code merges.txt} from a directory. */
    public static BpeTokenizer load(Path directory) throws IOException {
        return load(directory.resolve(BpeFiles.VOCAB_FILE), directory.resolve(BpeFiles.MERGES_FILE));
    }

    /** Writes {@code vocab.json} and {@code merges.txt} into {@code directory} (created if needed). */
    public void save(Path directory) throws IOException {
        BpeFiles.save(this, directory.resolve(BpeFiles.VOCAB_FILE), directory.resolve(BpeFiles.MERGES_FILE));
    }

    public void save(Path vocabJson, Path mergesTxt) throws IOException {
        BpeFiles.save(this, vocabJson, mergesTxt);
    }

    /** Token ids of {@code text}; occurrences of special tokens become their ids. */
    public int[] encode(String text) {
        IntBuffer out = new IntBuffer(text.length() / 3 + 4);
        if (specialPattern == null) {
            encodeOrdinary(text, out);
            return out.toArray();
        }
        Matcher m = specialPattern.matcher(text);
        int start = 0;
        while (m.find()) {
            encodeOrdinary(text.substring(start, m.start()), out);
            out.add(ids.get(m.group()));
            start = m.end();
        }
        encodeOrdinary(text.substring(start), out);
        return out.toArray();
    }

    /** Token ids of {@code text} with special-token strings treated as plain text. */
    public int[] encodeOrdinary(String text) {
        IntBuffer out = new IntBuffer(text.length() / 3 + 4);
        encodeOrdinary(text, out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, IntBuffer out) {
        Matcher m = PRE_TOKEN.matcher(text);
        while (m.find()) {
            String piece = m.group();
            int[] encoded = cache.get(piece);
            if (encoded == null) {
                encoded = encodePreToken(piece);
                if (cache.size() >= CACHE_LIMIT) cache.clear();
                cache.put(piece, encoded);
            }
            out.addAll(encoded);
        }
    }

    private int[] encodePreToken(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] s = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            int id = byteIds[bytes[i] & 0xFF];
            if (id < 0) {
                throw new IllegalArgumentException(String.format(
                        "byte 0x%02X of '%s' has no token (symbol '%c') in the vocabulary",
                        bytes[i] & 0xFF, piece, ByteSymbols.charOf(bytes[i] & 0xFF)));
            }
            s[i] = id;
        }
        int n = s.length;
        while (n > 1) {
            long best = Long.MAX_VALUE;
            int a = -1, b = -1;
            for (int i = 0; i < n - 1; i++) {
                Long v = mergeTable.get(pairKey(s[i], s[i + 1]));
                if (v != null && v < best) {
                    best = v;
                    a = s[i];
                    b = s[i + 1];
                }
            }
            if (best == Long.MAX_VALUE) break;
            int merged = (int) best;
            int w = 0;
            for (int i = 0; i < n; ) {
                if (i < n - 1 && s[i] == a && s[i + 1] == b) {
                    s[w++] = merged;
                    i += 2;
                } else {
                    s[w++] = s[i++];
                }
            }
            n = w;
        }
        return Arrays.copyOf(s, n);
    }

    /** The text of {@code tokenIds}; byte sequences that are not valid UTF-8 decode to U+FFFD. */
    public String decode(int[] tokenIds) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(tokenIds.length * 4);
        for (int id : tokenIds) {
            String token = tokenString(id);
            if (isSpecial[id]) {
                bytes.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                continue;
            }
            for (int i = 0; i < token.length(); i++) {
                int b = ByteSymbols.byteOf(token.charAt(i));
                if (b >= 0) bytes.write(b);
                else bytes.writeBytes(String.valueOf(token.charAt(i)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    public int vocabSize() {
        return tokens.length;
    }

    /** The id of {@link #END_OF_TEXT}, used as BOS, EOS and padding. */
    public int eosId() {
        Integer id = ids.get(END_OF_TEXT);
        if (id == null) throw new IllegalStateException("this vocabulary has no " + END_OF_TEXT + " token");
        return id;
    }

    public boolean hasToken(String token) {
        return ids.containsKey(token);
    }

    /** The id of a token given in its vocabulary spelling (a leading space is 'Ġ'). */
    public int idOf(String token) {
        Integer id = ids.get(token);
        if (id == null) throw new IllegalArgumentException("'" + token + "' is not a token of this vocabulary");
        return id;
    }

    /** The vocabulary spelling of a token (byte symbols, e.g. "Ġtree"). */
    public String tokenString(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + tokens.length + ")");
        }
        return tokens[id];
    }

    /** The text a single token stands for (e.g. " tree"). */
    public String tokenText(int id) {
        return decode(new int[] {id});
    }

    public Set<String> specialTokens() {
        return specials;
    }

    public boolean isSpecial(int id) {
        return isSpecial[id];
    }

    /** Merges in rank order, each as its two token strings. */
    public List<String[]> merges() {
        List<String[]> copy = new ArrayList<>(merges.size());
        for (String[] m : merges) copy.add(m.clone());
        return copy;
    }

    static long pairKey(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** A growable int array. */
    static final class IntBuffer {
        private int[] data;
        private int size;

        IntBuffer(int capacity) {
            data = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (size == data.length) data = Arrays.copyOf(data, size * 2);
            data[size++] = v;
        }

        void addAll(int[] vs) {
            if (size + vs.length > data.length) data = Arrays.copyOf(data, Math.max(size * 2, size + vs.length));
            System.arraycopy(vs, 0, data, size, vs.length);
            size += vs.length;
        }

        int size() {
            return size;
        }

        int get(int i) {
            return data[i];
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
