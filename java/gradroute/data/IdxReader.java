package gradroute.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads unsigned-byte IDX files: images (magic 0x00000803: count, rows, cols) and labels (magic
 * 0x00000801: count), big-endian, optionally gzip-compressed. Compression is recognised by the
 * gzip magic bytes, never by the file name; byte offsets in errors then refer to the decompressed
 * data. Every deviation from the format is an {@link IdxFormatException}.
 */
public final class IdxReader {
  public static final int IMAGE_MAGIC = 0x00000803;
  public static final int LABEL_MAGIC = 0x00000801;
  public static final int NUM_CLASSES = 10;

  private static final int UNSIGNED_BYTE = 0x08;

  private IdxReader() {}

  /** The pixels of an image file: {@code count} images of rows×cols bytes, row-major. */
  public record Images(int count, int rows, int cols, byte[] pixels) {}

  /** Reads an image file and its label file and checks that they agree on the count. */
  public static ImageDataset read(Path imageFile, Path labelFile) throws IOException {
    Images images = readImages(imageFile);
    int[] labels = readLabels(labelFile);
    if (labels.length != images.count()) {
      throw new IdxFormatException(
          labelFile,
          4,
          "holds " + labels.length + " labels but " + imageFile + " holds " + images.count()
              + " images (counts at byte offset 4 of each file)");
    }
    return ImageDataset.wrap(images.rows(), images.cols(), images.pixels(), labels);
  }

  public static Images readImages(Path file) throws IOException {
    byte[] data = readMaybeGzipped(file);
    int[] dims = header(file, data, IMAGE_MAGIC);
    int count = dims[0];
    int rows = dims[1];
    int cols = dims[2];
    if (rows == 0 || cols == 0) {
      throw new IdxFormatException(
          file, rows == 0 ? 8 : 12, "image size " + rows + "x" + cols + " has no pixels");
    }
    int start = 4 + 4 * dims.length;
    checkPayloadLength(file, data, start, (long) count * rows * cols, "count×rows×cols");
    return new Images(count, rows, cols, Arrays.copyOfRange(data, start, data.length));
  }

  /** Reads a label file; every label must be a class 0..9. */
  public static int[] readLabels(Path file) throws IOException {
    byte[] data = readMaybeGzipped(file);
    int count = header(file, data, LABEL_MAGIC)[0];
    int start = 8;
    checkPayloadLength(file, data, start, count, "count");
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      int label = data[start + i] & 0xFF;
      if (label >= NUM_CLASSES) {
        throw new IdxFormatException(
            file, start + i, "label " + label + " of item " + i + " is outside 0..9");
      }
      labels[i] = label;
    }
    return labels;
  }

  /** Checks the magic number and returns the dimensions it announces. */
  private static int[] header(Path file, byte[] data, int expectedMagic) throws IOException {
    int expectedDims = expectedMagic & 0xFF;
    if (data.length < 4) {
      throw new IdxFormatException(
          file, data.length, "truncated: expected a 4-byte magic number, found " + data.length
              + " bytes");
    }
    int magic = readInt(data, 0);
    if (data[0] != 0 || data[1] != 0) {
      throw new IdxFormatException(
          file, 0, String.format("wrong magic 0x%08X, expected 0x%08X (%s)", magic, expectedMagic,
              describe(expectedMagic)));
    }
    int dtype = data[2] & 0xFF;
    if (dtype != UNSIGNED_BYTE) {
      throw new IdxFormatException(
          file, 2, String.format("wrong dtype byte 0x%02X (%s), expected 0x08 (unsigned byte)",
              dtype, dtypeName(dtype)));
    }
    int ndims = data[3] & 0xFF;
    if (ndims != expectedDims) {
      throw new IdxFormatException(
          file, 3, String.format("wrong number of dimensions %d, expected %d (magic 0x%08X is %s,"
              + " expected 0x%08X for %s)", ndims, expectedDims, magic, describe(magic),
              expectedMagic, describe(expectedMagic)));
    }
    int headerBytes = 4 + 4 * ndims;
    if (data.length < headerBytes) {
      throw new IdxFormatException(
          file, data.length, "truncated header: expected " + headerBytes + " bytes, found "
              + data.length);
    }
    int[] dims = new int[ndims];
    for (int d = 0; d < ndims; d++) {
      dims[d] = readInt(data, 4 + 4 * d);
      if (dims[d] < 0) {
        throw new IdxFormatException(
            file, 4 + 4 * d, "dimension " + d + " is " + Integer.toUnsignedString(dims[d])
                + ", more than this reader supports");
      }
    }
    return dims;
  }

  private static void checkPayloadLength(
      Path file, byte[] data, int start, long expected, String formula) throws IOException {
    long actual = data.length - start;
    if (actual < expected) {
      throw new IdxFormatException(
          file, data.length, "truncated data: expected " + expected + " bytes (" + formula
              + ") after the " + start + "-byte header, found " + actual);
    }
    if (actual > expected) {
      throw new IdxFormatException(
          file, start + expected, (actual - expected) + " bytes of trailing garbage after the "
              + expected + " data bytes the header announces");
    }
  }

  /** The whole content, decompressed when the file starts with the gzip magic 0x1F 0x8B. */
  static byte[] readMaybeGzipped(Path file) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1F && raw.read() == 0x8B;
      raw.reset();
      if (!gzip) {
        return raw.readAllBytes();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
        in.transferTo(out);
      } catch (IOException e) {
        throw new IdxFormatException(
            file, out.size(), "corrupt or truncated gzip data (offset in the decompressed data): "
                + e.getMessage(), e);
      }
      return out.toByteArray();
    }
  }

  private static int readInt(byte[] data, int at) {
    return (data[at] & 0xFF) << 24 | (data[at + 1] & 0xFF) << 16 | (data[at + 2] & 0xFF) << 8
        | (data[at + 3] & 0xFF);
  }

  private static String describe(int magic) {
    return switch (magic) {
      case IMAGE_MAGIC -> "an IDX image file";
      case LABEL_MAGIC -> "an IDX label file";
      default -> "no file this reader knows";
    };
  }

  private static String dtypeName(int dtype) {
    return switch (dtype) {
      case 0x08 -> "unsigned byte";
      case 0x09 -> "signed byte";
      case 0x0B -> "short";
      case 0x0C -> "int";
      case 0x0D -> "float";
      case 0x0E -> "double";
      default -> "not an IDX type";
    };
  }
}
