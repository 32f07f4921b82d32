package gradroute.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  @Test
  void readsPlainImagesAndLabels() throws IOException {
    Path images = IdxFiles.write(dir.resolve("img"), IdxFiles.images(3, 2, 4));
    Path labels = IdxFiles.write(dir.resolve("lab"), IdxFiles.labels(7, 0, 9));

    ImageDataset data = IdxReader.read(images, labels);

    assertEquals(3, data.count());
    assertEquals(2, data.rows());
    assertEquals(4, data.cols());
    assertArrayEquals(new int[] {7, 0, 9}, data.labels());
    assertArrayEquals(Arrays.copyOfRange(IdxFiles.images(3, 2, 4), 16, 16 + 24), data.pixels());
    assertEquals((31 + 5) & 0xFF, data.pixel(1, 1, 1));
  }

  @Test
  void detectsGzipByMagicNotByName() throws IOException {
    Path images = IdxFiles.write(dir.resolve("images.idx"),
        IdxFiles.gzip(IdxFiles.images(2, 28, 28)));
    Path labels = IdxFiles.write(dir.resolve("labels.gz"), IdxFiles.labels(1, 2));

    ImageDataset data = IdxReader.read(images, labels);

    assertEquals(2, data.count());
    assertArrayEquals(Arrays.copyOfRange(IdxFiles.images(2, 28, 28), 16, 16 + 2 * 784),
        data.pixels());
    assertArrayEquals(new int[] {1, 2}, data.labels());
  }

  @Test
  void truncatedDataSaysExpectedAndActualBytes() throws IOException {
    byte[] whole = IdxFiles.images(3, 2, 4);
    Path file = IdxFiles.write(dir.resolve("short"), Arrays.copyOf(whole, whole.length - 5));

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readImages(file));

    assertMessage(e, file, 16 + 19, "truncated", "expected 24 bytes", "found 19");
  }

  @Test
  void truncatedGzipNamesTheFile() throws IOException {
    byte[] gz = IdxFiles.gzip(IdxFiles.images(50, 28, 28));
    Path file = IdxFiles.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readImages(file));

    assertTrue(e.getMessage().startsWith(file + ": at byte offset "), e.getMessage());
    assertTrue(e.getMessage().contains("gzip"), e.getMessage());
  }

  @Test
  void truncatedHeader() throws IOException {
    Path file = IdxFiles.write(dir.resolve("header"),
        Arrays.copyOf(IdxFiles.images(1, 2, 2), 10));

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readImages(file));

    assertMessage(e, file, 10, "truncated header", "expected 16 bytes", "found 10");
  }

  @Test
  void wrongMagic() throws IOException {
    byte[] bytes = IdxFiles.images(1, 2, 2);
    bytes[0] = 0x12;
    Path file = IdxFiles.write(dir.resolve("magic"), bytes);

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readImages(file));

    assertMessage(e, file, 0, "wrong magic 0x12000803", "expected 0x00000803");
  }

  @Test
  void labelFileReadAsImagesIsWrongNumberOfDims() throws IOException {
    Path file = IdxFiles.write(dir.resolve("labels"), IdxFiles.labels(1, 2, 3));

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readImages(file));

    assertMessage(e, file, 3, "wrong number of dimensions 1, expected 3", "IDX label file");
  }

  @Test
  void wrongDtype() throws IOException {
    byte[] bytes = IdxFiles.labels(1, 2);
    bytes[2] = 0x0D;
    Path file = IdxFiles.write(dir.resolve("floats"), bytes);

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readLabels(file));

    assertMessage(e, file, 2, "wrong dtype byte 0x0D (float)", "expected 0x08");
  }

  @Test
  void imageAndLabelCountsMustMatch() throws IOException {
    Path images = IdxFiles.write(dir.resolve("img"), IdxFiles.images(3, 2, 2));
    Path labels = IdxFiles.write(dir.resolve("lab"), IdxFiles.labels(1, 2));

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.read(images, labels));

    assertMessage(e, labels, 4, "2 labels", images + " holds 3 images");
  }

  @Test
  void headerCountLargerThanData() throws IOException {
    byte[] bytes = IdxFiles.labels(1, 2, 3);
    bytes[7] = 4;
    Path file = IdxFiles.write(dir.resolve("count"), bytes);

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readLabels(file));

    assertMessage(e, file, 11, "truncated data", "expected 4 bytes", "found 3");
  }

  @Test
  void trailingGarbage() throws IOException {
    byte[] bytes = Arrays.copyOf(IdxFiles.labels(1, 2, 3), 11 + 2);
    Path file = IdxFiles.write(dir.resolve("trailing"), bytes);

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readLabels(file));

    assertMessage(e, file, 11, "2 bytes of trailing garbage");
  }

  @Test
  void labelOutOfRange() throws IOException {
    Path file = IdxFiles.write(dir.resolve("bad-label"), IdxFiles.labels(1, 10, 3));

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readLabels(file));

    assertMessage(e, file, 9, "label 10 of item 1", "outside 0..9");
  }

  @Test
  void emptyFile() throws IOException {
    Path file = IdxFiles.write(dir.resolve("empty"), new byte[0]);

    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> IdxReader.readLabels(file));

    assertMessage(e, file, 0, "truncated");
  }

  private static void assertMessage(IdxFormatException e, Path file, long offset,
      String... parts) {
    assertEquals(file, e.file());
    assertEquals(offset, e.offset(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + ": at byte offset " + offset + ": "),
        e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' missing in: " + e.getMessage());
    }
  }
}
