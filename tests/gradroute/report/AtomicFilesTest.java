package gradroute.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesAndReplacesContentLeavingNoTempFiles() throws IOException {
    Path file = dir.resolve("summary.json");
    AtomicFiles.writeString(file, "first");
    assertEquals("first", Files.readString(file));
    AtomicFiles.write(file, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
    AtomicFiles.write(file, out -> out.write("third".getBytes()));
    assertEquals("third", Files.readString(file));
    assertEquals(List.of("summary.json"), names(dir));
  }

  @Test
  void createsParentDirectories() throws IOException {
    Path file = dir.resolve("a/b/c/data.csv");
    AtomicFiles.writeString(file, "x\n");
    assertEquals("x\n", Files.readString(file));
  }

  @Test
  void writerThatClosesTheStreamIsFine() throws IOException {
    Path file = dir.resolve("closed.txt");
    AtomicFiles.write(file, out -> {
      out.write('a');
      out.close();
    });
    assertEquals("a", Files.readString(file));
  }

  @Test
  void failingWriterKeepsPreviousContentAndLeavesNoTempFile() throws IOException {
    Path file = dir.resolve("metrics.csv");
    AtomicFiles.writeString(file, "old content");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(file, out -> {
                  out.write(new byte[100_000]); // past the buffer, so bytes reached the temp file
                  throw new IOException("disk on fire");
                }));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
    assertEquals("old content", Files.readString(file));
    assertEquals(List.of("metrics.csv"), names(dir));
  }

  @Test
  void runtimeFailureIsReportedWithThePathAndCleanedUp() throws IOException {
    Path file = dir.resolve("new.bin");
    IOException e =
        assertThrows(
            IOException.class,
            () -> AtomicFiles.write(file, out -> {
              out.write(1);
              throw new IllegalStateException("bug in writer");
            }));
    assertTrue(e.getMessage().contains(file.toString()));
    assertTrue(e.getCause() instanceof IllegalStateException);
    assertFalse(Files.exists(file));
    assertEquals(List.of(), names(dir));
  }

  @Test
  void permissionsMatchAPlainlyCreatedFile() throws IOException {
    Path file = dir.resolve("atomic.txt");
    AtomicFiles.writeString(file, "x");
    Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
    if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
      assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }
  }
}
