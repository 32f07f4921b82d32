package gradroute.text;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Streams stories from real TinyStories dumps without loading the whole file:
 * <ul>
 *   <li>plain text with stories separated by {@code <|endoftext|>} (TinyStoriesV2-GPT4-*.txt);</li>
 *   <li>a JSON array of objects with a {@code story} or {@code text} field;</li>
 *   <li>JSON lines, one such object per line.</li>
 * </ul>
 * The format is chosen by the first non-blank character (<code>[</code> array, <code>{</code> JSON lines,
 * anything else plain text; {@code .json}/{@code .jsonl} files must be JSON). Parquet is not read:
 * convert it to JSON lines first. Streams must be closed (try-with-resources) to release the file.
 */
public final class TinyStoriesReader {
    public enum Format { PLAIN_TEXT, JSON_ARRAY, JSON_LINES }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TinyStoriesReader() {}

    public static Stream<String> stream(Path file) {
        Format format = detect(file);
        BufferedReader reader = open(file);
        Iterator<String> stories = switch (format) {
            case PLAIN_TEXT -> new PlainTextStories(file, reader);
            case JSON_LINES -> new JsonLineStories(file, reader);
            case JSON_ARRAY -> new JsonArrayStories(file, reader);
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(stories, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> closeQuietly(reader));
    }

    /** At most {@code limit} stories, reading only as much of the file as they need. */
    public static Stream<String> stream(Path file, long limit) {
        return stream(file).limit(limit);
    }

    /** The first {@code limit} stories as a list. */
    public static List<String> read(Path file, long limit) {
        try (Stream<String> s = stream(file, limit)) {
            return s.collect(Collectors.toList());
        }
    }

    public static Format detect(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) {
            throw new StoryFileException(file, "", "parquet is not supported; convert it to JSON lines (one {\"story\": ...} per line)", null);
        }
        int first;
        try (Reader r = open(file)) {
            do first = r.read(); while (first != -1 && (Character.isWhitespace(first) || first == '\uFEFF'));
        } catch (IOException e) {
            throw readError(file, e);
        }
        boolean jsonName = name.endsWith(".json") || name.endsWith(".jsonl");
        if (first == '[') return Format.JSON_ARRAY;
        if (first == '{') return Format.JSON_LINES;
        if (jsonName) {
            throw new StoryFileException(file, "", "neither a JSON array nor JSON lines (first character "
                    + (first == -1 ? "none: the file is empty" : "'" + (char) first + "'") + ")", null);
        }
        return Format.PLAIN_TEXT;
    }

    private static BufferedReader open(Path file) {
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Reader r) {
        try {
            r.close();
        } catch (IOException ignored) {
            // nothing useful can be done once the stream is finished
        }
    }

    /** Pulls one story at a time; {@link #advance()} returns null at the end. */
    private abstract static class StoryIterator implements Iterator<String> {
        final Path file;
        private String next;
        private boolean done;

        StoryIterator(Path file) {
            this.file = file;
        }

        abstract String advance() throws IOException;

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                try {
                    next = advance();
                } catch (IOException e) {
                    throw readError(file, e);
                }
                done = next == null;
            }
            return next != null;
        }

        @Override
        public String next() {
            if (!hasNext()) throw new NoSuchElementException();
            String s = next;
            next = null;
            return s;
        }

        String storyField(JsonNode node, String position) {
            if (node != null && node.isObject()) {
                for (String field : new String[] {"story", "text"}) {
                    JsonNode v = node.get(field);
                    if (v != null && v.isTextual()) return v.asText();
                }
            }
            throw new StoryFileException(file, position, "expected an object with a string field \"story\" or \"text\", found "
                    + abbreviate(String.valueOf(node)), null);
        }
    }

    private static final class PlainTextStories extends StoryIterator {
        private final BufferedReader reader;
        private final StringBuilder story = new StringBuilder();
        private String pendingLine;
        private boolean firstLine = true;

        PlainTextStories(Path file, BufferedReader reader) {
            super(file);
            this.reader = reader;
        }

        @Override
        String advance() throws IOException {
            while (true) {
                String line = pendingLine != null ? pendingLine : reader.readLine();
                pendingLine = null;
                if (line != null && firstLine && line.startsWith("\uFEFF")) line = line.substring(1);
                firstLine = false;
                if (line == null) {
                    String last = story.toString().strip();
                    story.setLength(0);
                    return last.isEmpty() ? null : last;
                }
                int cut = line.indexOf(BpeTokenizer.END_OF_TEXT);
                if (cut < 0) {
                    story.append(line).append('\n');
                    continue;
                }
                story.append(line, 0, cut);
                String rest = line.substring(cut + BpeTokenizer.END_OF_TEXT.length());
                if (!rest.isBlank()) pendingLine = rest;
                String done = story.toString().strip();
                story.setLength(0);
                if (!done.isEmpty()) return done;
            }
        }
    }

    private static final class JsonLineStories extends StoryIterator {
        private final BufferedReader reader;
        private long lineNumber;

        JsonLineStories(Path file, BufferedReader reader) {
            super(file);
            this.reader = reader;
        }

        @Override
        String advance() throws IOException {
            String line;
            do {
                line = reader.readLine();
                lineNumber++;
                if (line == null) return null;
            } while (line.isBlank());
            JsonNode node;
            try {
                node = MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                throw new StoryFileException(file, "line " + lineNumber,
                        "not a JSON object on one line (the file is neither a JSON array nor JSON lines): " + e.getOriginalMessage(), e);
            }
            return storyField(node, "line " + lineNumber);
        }
    }

    private static final class JsonArrayStories extends StoryIterator {
        private final JsonParser parser;
        private long element;

        JsonArrayStories(Path file, BufferedReader reader) {
            super(file);
            try {
                parser = MAPPER.createParser(reader);
                if (parser.nextToken() != JsonToken.START_ARRAY) {
                    throw new StoryFileException(file, position(parser.currentLocation()), "expected a JSON array", null);
                }
            } catch (IOException e) {
                throw jsonError(e);
            }
        }

        @Override
        String advance() {
            try {
                JsonToken t = parser.nextToken();
                if (t == JsonToken.END_ARRAY) return null;
                if (t == null) throw new StoryFileException(file, position(parser.currentLocation()), "the JSON array is not closed", null);
                String at = position(parser.currentTokenLocation()) + " (element " + element++ + ")";
                return storyField(MAPPER.readTree(parser), at);
            } catch (IOException e) {
                throw jsonError(e);
            }
        }

        private RuntimeException jsonError(IOException e) {
            if (e instanceof JsonProcessingException j) {
                return new StoryFileException(file, position(j.getLocation()), "malformed JSON: " + j.getOriginalMessage(), e);
            }
            return readError(file, e);
        }
    }

    /** A decoding error names the first byte that is not UTF-8; other errors keep their cause. */
    private static RuntimeException readError(Path file, IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.charset.CharacterCodingException) {
                long at = firstInvalidUtf8Byte(file);
                return new StoryFileException(file, "", "not valid UTF-8" + (at >= 0 ? " at byte " + at : ""), e);
            }
        }
        return new UncheckedIOException(file + ": " + e.getMessage(), e);
    }

    /** The offset of the first byte of {@code file} that does not decode as UTF-8, or -1. */
    public static long firstInvalidUtf8Byte(Path file) {
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(1 << 16);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(1 << 16);
        long consumed = 0;
        try (java.nio.channels.ReadableByteChannel ch = Files.newByteChannel(file)) {
            boolean eof = false;
            while (!eof) {
                eof = ch.read(in) < 0;
                in.flip();
                int start = in.position();
                java.nio.charset.CoderResult r = decoder.decode(in, out, eof);
                if (r.isError()) return consumed + in.position() - start;
                consumed += in.position() - start;
                in.compact();
                out.clear();
            }
        } catch (IOException ignored) {
            // the file went away: no offset to report
        }
        return -1;
    }

    private static String position(JsonLocation at) {
        return at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
