package gradroute.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.experiment.tinystories.SyntheticStories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTokenizerTest {
    private static List<String> corpus;
    private static BpeTokenizer tokenizer;

    @BeforeAll
    static void trainOnSyntheticStories() {
        corpus = texts(new SyntheticStories(7).generate(2000));
        tokenizer = BpeTokenizer.train(corpus, 600, Set.of(BpeTokenizer.END_OF_TEXT));
    }

    private static List<String> texts(List<SyntheticStories.Story> stories) {
        List<String> out = new ArrayList<>();
        for (SyntheticStories.Story s : stories) out.add(s.text());
        return out;
    }

    @Test
    void roundTripsAnyText() {
        for (String text : List.of("", "Once upon a time, there was a girl named Mia.",
                "héllo wörld — naïve café, 你好, 🌲🌳 emoji!", "  multiple   spaces\n\n\ttabs and\r\nnewlines  ",
                "numbers 12345 and 3.14, symbols #$%^&*()[]{}<>", "don't we'll I'm they've", "\u0000\u0001 control")) {
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)), text);
        }
        for (String story : corpus.subList(0, 200)) assertEquals(story, tokenizer.decode(tokenizer.encode(story)));
    }

    @Test
    void specialTokenIsOneIdAndDecodesBack() {
        int eos = tokenizer.eosId();
        assertEquals(BpeTokenizer.END_OF_TEXT, tokenizer.tokenString(eos));
        assertEquals(tokenizer.vocabSize() - 1, eos, "special tokens come after the merges");
        String text = BpeTokenizer.END_OF_TEXT + "Once upon a time." + BpeTokenizer.END_OF_TEXT;
        int[] ids = tokenizer.encode(text);
        assertEquals(eos, ids[0]);
        assertEquals(eos, ids[ids.length - 1]);
        assertEquals(text, tokenizer.decode(ids));
        assertTrue(tokenizer.encodeOrdinary(BpeTokenizer.END_OF_TEXT).length > 1, "ordinary encoding spells it out");
    }

    @Test
    void frequentWordsBecomeSingleTokensWithTheirLeadingSpace() {
        assertEquals(600, tokenizer.vocabSize());
        assertArrayEquals(new int[] {tokenizer.idOf("Ġforest")}, tokenizer.encode(" forest"));
        assertEquals(" forest", tokenizer.tokenText(tokenizer.idOf("Ġforest")));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.idOf("no such token"));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.tokenString(tokenizer.vocabSize()));
    }

    @Test
    void trainingIsDeterministic() {
        BpeTokenizer again = BpeTokenizer.train(corpus, 600, Set.of(BpeTokenizer.END_OF_TEXT));
        assertEquals(tokenizer.vocabSize(), again.vocabSize());
        for (int id = 0; id < tokenizer.vocabSize(); id++) assertEquals(tokenizer.tokenString(id), again.tokenString(id));
        List<String[]> a = tokenizer.merges(), b = again.merges();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));
    }

    @Test
    void trainingStopsWhenNoPairIsLeftAndRejectsTinyVocabularies() {
        BpeTokenizer small = BpeTokenizer.train(List.of("ab ab"), 10_000, Set.of());
        assertTrue(small.vocabSize() < 270, "only a handful of merges exist in 'ab ab'");
        assertEquals(small.vocabSize() - 1, small.eosId(), "<|endoftext|> is always added");
        assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.train(corpus, 200, Set.of()));
    }

    @Test
    void trainsAThousandTokenVocabularyQuickly() {
        List<String> texts = texts(SyntheticStories.forSplit("train", 1).generate(10_000));
        long start = System.nanoTime();
        BpeTokenizer t = BpeTokenizer.train(texts, 1000, Set.of(BpeTokenizer.END_OF_TEXT));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(1000, t.vocabSize());
        assertTrue(seconds < 30, "training took " + seconds + " s");
    }

    @Test
    void saveAndLoadGiveTheSameIds(@TempDir Path dir) throws IOException {
        tokenizer.save(dir);
        List<String> merges = Files.readAllLines(dir.resolve("merges.txt"));
        assertTrue(merges.get(0).startsWith("#version"));
        BpeTokenizer loaded = BpeTokenizer.load(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        assertEquals(tokenizer.vocabSize(), loaded.vocabSize());
        assertEquals(tokenizer.eosId(), loaded.eosId());
        assertEquals(tokenizer.specialTokens(), loaded.specialTokens());
        for (int id = 0; id < tokenizer.vocabSize(); id++) assertEquals(tokenizer.tokenString(id), loaded.tokenString(id));
        for (String text : corpus.subList(0, 100)) assertArrayEquals(tokenizer.encode(text), loaded.encode(text));
        String odd = "Ünïcödé 🌲 " + BpeTokenizer.END_OF_TEXT + " tabs\t\t";
        assertArrayEquals(tokenizer.encode(odd), loaded.encode(odd));
    }

    /** A tiny GPT-2-layout vocabulary written by hand: 'Ġ' is the space byte, ids need not follow the merges. */
    private static final String TINY_VOCAB = "{\"h\": 0, \"e\": 1, \"l\": 2, \"o\": 3, \"\\u0120\": 4, \"w\": 5, \"r\": 6, \"d\": 7,"
            + " \"he\": 8, \"ll\": 9, \"hell\": 10, \"hello\": 11, \"\\u0120w\": 12, \"or\": 13, \"\\u0120wor\": 14,"
            + " \"\\u0120world\": 15, \"<|endoftext|>\": 16, \"ld\": 17}";
    private static final String TINY_MERGES = "#version: 0.2\nh e\nl l\nhe ll\nhell o\n\u0120 w\no r\n\u0120w or\nl d\n\u0120wor ld\n";

    private static BpeTokenizer tiny(Path dir, String vocab, String merges) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), vocab, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
        return BpeTokenizer.load(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
    }

    @Test
    void loadsAHandMadeGpt2FormatVocabulary(@TempDir Path dir) throws IOException {
        BpeTokenizer t = tiny(dir, TINY_VOCAB, TINY_MERGES);
        assertEquals(18, t.vocabSize());
        assertEquals(16, t.eosId());
        assertEquals(Set.of(BpeTokenizer.END_OF_TEXT), t.specialTokens());
        assertArrayEquals(new int[] {11, 15}, t.encode("hello world"));
        assertArrayEquals(new int[] {11, 16, 8, 17}, t.encode("hello<|endoftext|>held"));
        assertEquals("hello world", t.decode(new int[] {11, 15}));
        IllegalArgumentException missingByte = assertThrows(IllegalArgumentException.class, () -> t.encode("hello!"));
        assertTrue(missingByte.getMessage().contains("0x21"), missingByte.getMessage());
    }

    @Test
    void mergeOfAnUnknownTokenNamesFileAndLine(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> tiny(dir, TINY_VOCAB, "#version: 0.2\nh e\nx y\n"));
        assertTrue(e.getMessage().contains("merges.txt:3:"), e.getMessage());
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        IOException bad = assertThrows(IOException.class, () -> tiny(dir, TINY_VOCAB, "#version: 0.2\nh e l\n"));
        assertTrue(bad.getMessage().contains("merges.txt:2:"), bad.getMessage());
    }

    @Test
    void malformedVocabularyNamesFileAndPosition(@TempDir Path dir) {
        IOException syntax = assertThrows(IOException.class, () -> tiny(dir, "{\"h\": 0,\n \"e\" 1}", "#version: 0.2\n"));
        assertTrue(syntax.getMessage().contains("vocab.json") && syntax.getMessage().contains("line 2"), syntax.getMessage());
        IOException notInt = assertThrows(IOException.class, () -> tiny(dir, "{\"h\": 0, \"e\": \"one\"}", "#version: 0.2\n"));
        assertTrue(notInt.getMessage().contains("\"e\""), notInt.getMessage());
        IOException duplicateId = assertThrows(IOException.class, () -> tiny(dir, "{\"h\": 0, \"e\": 0}", "#version: 0.2\n"));
        assertTrue(duplicateId.getMessage().contains("id 0"), duplicateId.getMessage());
        IOException notObject = assertThrows(IOException.class, () -> tiny(dir, "[1, 2]", "#version: 0.2\n"));
        assertTrue(notObject.getMessage().contains("vocab.json"), notObject.getMessage());
    }
}
