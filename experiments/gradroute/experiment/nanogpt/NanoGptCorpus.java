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
    if (!Files.isRegularFile(file)) throw new IOException("--corpus " + file + " is not a file");
    byte[] bytes = Files.readAllBytes(file);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException("--corpus " + file + " is not UTF-8 text: " + e.getMessage(), e);
    }
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\\R")) if (!line.isBlank()) lines.add(line.strip());
    if (lines.isEmpty()) throw new IOException("--corpus " + file + " has no text");
    return lines;
  }

  static List<String> kjvVerses() throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(BIBLE_ARGS).redirectErrorStream(false).start();
    } catch (IOException e) {
      throw new IOException("the default corpus needs the King James Bible from Debian: apt-get install bible-kjv "
          + "(the 'bible' program and bible-kjv-text), or pass --corpus FILE", e);
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
    List<String> verses = new ArrayList<>();
    for (String line : out.split("\n")) {
      String verse = stripReference(line);
      if (!verse.isBlank()) verses.add(verse);
    }
    if (verses.size() < 30000) {
      throw new IOException("the KJV from 'bible' has only " + verses.size() + " verses (expected 31102); is bible-kjv-text complete?");
    }
    return verses;
  }

  /** "Ge1:1 In the beginning ..." → "In the beginning ...". */
  static String stripReference(String line) {
    return line.replaceFirst("^\\S*\\d+:\\d+\\s+", "").strip();
  }
}
