package gradroute.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDirectoryTest {
  @TempDir Path dir;

  @Test
  void loadsPlainAndGzippedDirectories() throws IOException {
    IdxFiles.writeDirectory(dir.resolve("plain"), 12, 5, false);
    IdxFiles.writeDirectory(dir.resolve("gz"), 12, 5, true);

    for (String name : new String[] {"plain", "gz"}) {
      TrainTest data = IdxDirectory.load(dir.resolve(name));
      assertEquals(12, data.train().count());
      assertEquals(5, data.test().count());
      assertArrayEquals(IdxFiles.cycle(5), data.test().labels());
      assertEquals(28, data.train().rows());
    }
  }

  @Test
  void missingFilesAreListed() throws IOException {
    IdxFiles.writeDirectory(dir, 2, 2, true);
    Files.delete(dir.resolve(IdxDirectory.TEST_LABELS + ".gz"));

    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxDirectory.load(dir));

    assertFalse(IdxDirectory.isComplete(dir));
    String message = e.getMessage();
    assertTrue(message.startsWith(dir.toString()), message);
    assertTrue(message.contains("train-images-idx3-ubyte[.gz]: found train-images-idx3-ubyte.gz"),
        message);
    assertTrue(message.contains("t10k-labels-idx1-ubyte[.gz]: missing"), message);
  }

  @Test
  void missingDirectoryIsSaidSo() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> IdxDirectory.load(dir.resolve("nowhere")));

    assertTrue(e.getMessage().contains("no such directory"), e.getMessage());
    for (String stem : IdxDirectory.FILES) {
      assertTrue(e.getMessage().contains(stem + "[.gz]: missing"), e.getMessage());
    }
  }

  @Test
  void badFileInsideIsAFormatError() throws IOException {
    IdxFiles.writeDirectory(dir, 2, 2, false);
    Files.write(dir.resolve(IdxDirectory.TEST_LABELS), IdxFiles.labels(1, 11));

    IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxDirectory.load(dir));

    assertEquals(dir.resolve(IdxDirectory.TEST_LABELS), e.file());
    assertEquals(9, e.offset());
  }
}
