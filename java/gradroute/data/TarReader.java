package gradroute.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Just enough of a ustar reader for an npm tarball: regular files with names from the name and
 * prefix fields, read from a gzip-compressed (.tgz) or plain archive.
 */
final class TarReader {
  private static final int BLOCK = 512;

  private TarReader() {}

  /** The contents of the regular files whose names are in {@code wanted}; absent ones are missing. */
  static Map<String, byte[]> readFiles(Path archive, Set<String> wanted) throws IOException {
    Map<String, byte[]> found = new HashMap<>();
    long offset = 0;
    try (InputStream in = open(archive)) {
      byte[] header = new byte[BLOCK];
      while (true) {
        if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
          throw new IdxFormatException(archive, offset, "tar archive ends inside a header");
        }
        if (isZero(header)) {
          return found;
        }
        checkChecksum(archive, offset, header);
        String name = field(header, 345, 155).isEmpty()
            ? field(header, 0, 100)
            : field(header, 345, 155) + "/" + field(header, 0, 100);
        long size = octal(archive, offset + 124, header, 124, 12);
        char type = (char) header[156];
        offset += BLOCK;
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        boolean regular = type == '0' || type == '\0';
        if (regular && wanted.contains(name)) {
          if (size > Integer.MAX_VALUE - 8) {
            throw new IdxFormatException(archive, offset, name + " is too large: " + size);
          }
          byte[] content = in.readNBytes((int) size);
          if (content.length < size) {
            throw new IdxFormatException(archive, offset + content.length, "tar entry " + name
                + " is truncated: expected " + size + " bytes, found " + content.length);
          }
          found.put(name, content);
          skip(archive, in, offset + size, padded - size);
        } else {
          skip(archive, in, offset, padded);
        }
        offset += padded;
      }
    } catch (IdxFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new IdxFormatException(archive, offset, "corrupt or truncated archive (the offset"
          + " is in the decompressed data): " + e, e);
    }
  }

  private static InputStream open(Path archive) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
    raw.mark(2);
    boolean gzip = raw.read() == 0x1F && raw.read() == 0x8B;
    raw.reset();
    return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
  }

  private static void skip(Path archive, InputStream in, long offset, long bytes)
      throws IOException {
    long skipped = 0;
    while (skipped < bytes) {
      long n = in.skip(bytes - skipped);
      if (n <= 0) {
        if (in.read() < 0) {
          throw new IdxFormatException(archive, offset + skipped, "tar archive is truncated");
        }
        n = 1;
      }
      skipped += n;
    }
  }

  private static void checkChecksum(Path archive, long offset, byte[] header) throws IOException {
    long stored = octal(archive, offset + 148, header, 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xFF;
    }
    if (sum != stored) {
      throw new IdxFormatException(archive, offset, "tar header checksum is " + stored
          + " but the header sums to " + sum + ": not a tar archive, or a corrupt one");
    }
  }

  private static String field(byte[] header, int from, int length) {
    int end = from;
    while (end < from + length && header[end] != 0) {
      end++;
    }
    return new String(header, from, end - from, StandardCharsets.UTF_8);
  }

  private static long octal(Path archive, long offset, byte[] header, int from, int length)
      throws IOException {
    String text = field(header, from, length).trim();
    try {
      return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw new IdxFormatException(archive, offset, "tar header field '" + text
          + "' is not an octal number", e);
    }
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
