package gradroute.experiment.nanogpt;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The text the nanoGPT experiments train on: by default the King James Bible from Debian's {@code
 * bible-kjv} package (the {@code bible} program decompresses {@code bible-kjv-text}'s data; verse
 * references are stripped), or any UTF-8 file.
 */
final class NanoGptCorpus {
  static final String DEFAULT_NAME = "kjv";
  private static final String[] BIBLE_ARGS = {"bible", "-f", "Gen1:1-Rev22:21"};

  private NanoGptCorpus() {}

  /** The corpus' lines: the file's, or the KJV's verses when {@code file} is null. */
  static List<String> lines(Path file) throws IOException {
    if (file != null) return fileLines(file);
    return kjvVerses();
  }

  static List<String> fileLines(Path file) throws IOException {
    return fileLines(file, "corpus");
  }

  /** The non-blank lines of a UTF-8 file given by {@code --<flag>}. */
  static List<String> fileLines(Path file, String flag) throws IOException {
    String option = "--" + flag;
    if (!Files.isRegularFile(file)) throw new IOException(option + " " + file + " is not a file");
    byte[] bytes = Files.readAllBytes(file);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      long at = gradroute.text.TinyStoriesReader.firstInvalidUtf8Byte(file);
      throw new IOException(option + " " + file + ": not valid UTF-8" + (at >= 0 ? " at byte " + at : ""), e);
    }
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\\R")) if (!line.isBlank()) lines.add(line.strip());
    if (lines.isEmpty()) throw new IOException(option + " " + file + " has no text");
    return lines;
  }

  static List<String> kjvVerses() throws IOException {
    List<String> verses = new ArrayList<>();
    for (String line : kjvLines()) {
      String verse = stripReference(line);
      if (!verse.isBlank()) verses.add(verse);
    }
    return verses;
  }

  /** A named document: a KJV chapter ("Le13", its verses) or a line of a user's file ("forget:12"). */
  record Document(String name, List<String> verses) {
    /** The verses joined by spaces. */
    String text() {
      return String.join(" ", verses);
    }
  }

  /** The KJV's 1,189 chapters in canonical order. */
  static List<Document> kjvChapters() throws IOException {
    java.util.LinkedHashMap<String, List<String>> chapters = new java.util.LinkedHashMap<>();
    for (String line : kjvLines()) {
      int colon = line.indexOf(':');
      String verse = stripReference(line);
      if (colon < 0 || verse.isBlank()) continue;
      chapters.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(verse);
    }
    List<Document> out = new ArrayList<>();
    chapters.forEach((name, verses) -> out.add(new Document(name, List.copyOf(verses))));
    return out;
  }

  /** The documents of a file, one per non-blank line, named {@code label:lineNumber}. */
  static List<Document> fileDocuments(Path file, String label) throws IOException {
    List<String> lines = fileLines(file, label);
    List<Document> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) out.add(new Document(label + ":" + (i + 1), List.of(lines.get(i))));
    return out;
  }

  private static List<String> kjvLines() throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(BIBLE_ARGS).redirectErrorStream(false).start();
    } catch (IOException e) {
      throw new IOException("the default corpus needs the King James Bible from Debian: apt-get install bible-kjv "
          + "(the 'bible' program and bible-kjv-text), or pass your own text (--corpus FILE; for unlearn --forget FILE --retain FILE)", e);
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("'bible -f Gen1:1-Rev22:21' failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the KJV", e);
    }
    List<String> lines = new ArrayList<>();
    for (String line : out.split("\n")) if (!line.isBlank()) lines.add(line);
    if (lines.size() < 30000) {
      throw new IOException("the KJV from 'bible' has only " + lines.size() + " verses (expected 31102); is bible-kjv-text complete?");
    }
    return lines;
  }

  /** "Ge1:1 In the beginning ..." → "In the beginning ...". */
  static String stripReference(String line) {
    return line.replaceFirst("^\\S*\\d+:\\d+\\s+", "").strip();
  }
}
