package gradroute.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds IDX file bytes for tests. */
final class IdxFiles {
  private IdxFiles() {}

  /** count images of rows×cols; pixel k of image i is (i·31 + k) mod 256. */
  static byte[] images(int count, int rows, int cols) {
    ByteBuffer buffer = ByteBuffer.allocate(16 + count * rows * cols);
    buffer.putInt(IdxReader.IMAGE_MAGIC).putInt(count).putInt(rows).putInt(cols);
    for (int i = 0; i < count; i++) {
      for (int k = 0; k < rows * cols; k++) {
        buffer.put((byte) (i * 31 + k));
      }
    }
    return buffer.array();
  }

  static byte[] labels(int... labels) {
    ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
    buffer.putInt(IdxReader.LABEL_MAGIC).putInt(labels.length);
    for (int label : labels) {
      buffer.put((byte) label);
    }
    return buffer.array();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static Path write(Path file, byte[] data) throws IOException {
    return Files.write(file, data);
  }

  /** Writes the four standard files: train with {@code train} images, test with {@code test}. */
  static void writeDirectory(Path dir, int train, int test, boolean gzip) throws IOException {
    Files.createDirectories(dir);
    String suffix = gzip ? ".gz" : "";
    write(dir.resolve(IdxDirectory.TRAIN_IMAGES + suffix), maybeGzip(images(train, 28, 28), gzip));
    write(dir.resolve(IdxDirectory.TRAIN_LABELS + suffix), maybeGzip(labels(cycle(train)), gzip));
    write(dir.resolve(IdxDirectory.TEST_IMAGES + suffix), maybeGzip(images(test, 28, 28), gzip));
    write(dir.resolve(IdxDirectory.TEST_LABELS + suffix), maybeGzip(labels(cycle(test)), gzip));
  }

  static int[] cycle(int count) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % 10;
    }
    return labels;
  }

  private static byte[] maybeGzip(byte[] data, boolean gzip) throws IOException {
    return gzip ? gzip(data) : data;
  }
}
