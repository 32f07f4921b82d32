package gradroute.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyStoriesReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void readsPlainTextSeparatedByEndOfText() throws IOException {
        Path file = write("TinyStoriesV2-GPT4-valid.txt",
                "Once upon a time, there was a tree.\nIt was big.\n<|endoftext|>\nTom had a ball.\n<|endoftext|>\n\n"
                        + "<|endoftext|>\nLily saw a fox.<|endoftext|>Last story without a separator\n");
        assertEquals(TinyStoriesReader.Format.PLAIN_TEXT, TinyStoriesReader.detect(file));
        assertEquals(List.of("Once upon a time, there was a tree.\nIt was big.", "Tom had a ball.", "Lily saw a fox.",
                "Last story without a separator"), TinyStoriesReader.read(file, Long.MAX_VALUE));
        assertEquals(List.of("Once upon a time, there was a tree.\nIt was big.", "Tom had a ball."),
                TinyStoriesReader.read(file, 2));
    }

    @Test
    void readsJsonArraysAndJsonLinesWithStoryOrTextFields() throws IOException {
        Path array = write("dump.json", "[{\"story\": \"One.\", \"id\": 1},\n {\"text\": \"Two \\u00e9.\"}, {\"story\": \"Three.\"}]");
        assertEquals(TinyStoriesReader.Format.JSON_ARRAY, TinyStoriesReader.detect(array));
        assertEquals(List.of("One.", "Two é.", "Three."), TinyStoriesReader.read(array, 10));
        Path lines = write("dump.jsonl", "{\"story\": \"One.\"}\n\n{\"text\": \"Two.\"}\n");
        assertEquals(TinyStoriesReader.Format.JSON_LINES, TinyStoriesReader.detect(lines));
        assertEquals(List.of("One.", "Two."), TinyStoriesReader.read(lines, 10));
    }

    @Test
    void streamsLazily() throws IOException {
        // The limit is reached before the malformed tail, so the tail is never parsed.
        Path file = write("big.jsonl", "{\"story\": \"a\"}\n{\"story\": \"b\"}\nnot json at all\n");
        try (Stream<String> s = TinyStoriesReader.stream(file, 2)) {
            assertEquals(List.of("a", "b"), s.toList());
        }
    }

    @Test
    void corruptFilesNameTheFileAndPosition() throws IOException {
        Path badLine = write("bad.jsonl", "{\"story\": \"a\"}\n{\"story\": oops}\n");
        StoryFileException e1 = assertThrows(StoryFileException.class, () -> TinyStoriesReader.read(badLine, 10));
        assertTrue(e1.getMessage().contains("bad.jsonl:line 2"), e1.getMessage());

        Path prettyObject = write("pretty.json", "{\n  \"stories\": [\"a\", \"b\"]\n}\n");
        StoryFileException e2 = assertThrows(StoryFileException.class, () -> TinyStoriesReader.read(prettyObject, 10));
        assertTrue(e2.getMessage().contains("pretty.json:line 1") && e2.getMessage().contains("neither"), e2.getMessage());

        Path noField = write("nofield.json", "[{\"story\": \"a\"},\n {\"title\": \"b\"}]");
        StoryFileException e3 = assertThrows(StoryFileException.class, () -> TinyStoriesReader.read(noField, 10));
        assertTrue(e3.getMessage().contains("nofield.json:line 2") && e3.getMessage().contains("element 1"), e3.getMessage());

        Path truncated = write("cut.json", "[{\"story\": \"a\"}, {\"story\": \"b");
        StoryFileException e4 = assertThrows(StoryFileException.class, () -> TinyStoriesReader.read(truncated, 10));
        assertTrue(e4.getMessage().contains("cut.json:line 1"), e4.getMessage());

        Path notJson = write("words.json", "just some words");
        StoryFileException e5 = assertThrows(StoryFileException.class, () -> TinyStoriesReader.detect(notJson));
        assertTrue(e5.getMessage().contains("words.json") && e5.getMessage().contains("neither"), e5.getMessage());

        Path parquet = write("train-00000-of-00005.parquet", "PAR1");
        assertThrows(StoryFileException.class, () -> TinyStoriesReader.stream(parquet));
    }
}
