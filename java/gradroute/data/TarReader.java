package gradroute.data;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * Reads chosen regular files out of an npm tarball (gzip-compressed or plain tar) with Apache
 * Commons Compress. Failures are {@link IdxFormatException}s naming the archive and the offset
 * (in the decompressed tar stream) of the entry being read.
 */
final class TarReader {
  private TarReader() {}

  /** The contents of the regular files whose names are in {@code wanted}; absent ones are missing. */
  static Map<String, byte[]> readFiles(Path archive, Set<String> wanted) throws IOException {
    Map<String, byte[]> found = new HashMap<>();
    CountingStream counted = null;
    long offset = 0;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
      InputStream data = new BufferedInputStream(decompressed(raw), 1 << 16);
      checkFirstHeader(archive, data);
      counted = new CountingStream(data);
      TarArchiveInputStream tar = new TarArchiveInputStream(counted);
      TarArchiveEntry entry;
      while ((entry = nextEntry(archive, tar, counted)) != null) {
        offset = counted.count;
        if (!entry.isFile() || !wanted.contains(entry.getName())) continue;
        if (entry.getSize() > Integer.MAX_VALUE - 8) {
          throw new IdxFormatException(archive, offset, entry.getName() + " is too large: " + entry.getSize());
        }
        byte[] content = tar.readNBytes((int) entry.getSize());
        if (content.length < entry.getSize()) {
          throw new IdxFormatException(archive, offset + content.length, "tar entry " + entry.getName()
              + " is truncated: expected " + entry.getSize() + " bytes, found " + content.length);
        }
        found.put(entry.getName(), content);
      }
      return found;
    } catch (IdxFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new IdxFormatException(archive, offset, "corrupt or truncated archive (the offset"
          + " is in the decompressed data): " + e, e);
    }
  }

  private static TarArchiveEntry nextEntry(Path archive, TarArchiveInputStream tar, CountingStream counted) throws IOException {
    long at = counted.count;
    try {
      return tar.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof java.io.EOFException || e.getCause() instanceof java.io.EOFException) {
        throw new IdxFormatException(archive, at, "tar archive is truncated: " + e, e);
      }
      throw new IdxFormatException(archive, at, "bad tar header (checksum or field): not a tar archive, or a corrupt one: " + e, e);
    }
  }

  /** Commons Compress reads a stream that is no tar at all as an empty archive; this catches it. */
  private static void checkFirstHeader(Path archive, InputStream data) throws IOException {
    data.mark(TarConstants.DEFAULT_RCDSIZE);
    byte[] header = data.readNBytes(TarConstants.DEFAULT_RCDSIZE);
    data.reset();
    boolean allZero = true;
    for (byte b : header) allZero &= b == 0;
    if (header.length < TarConstants.DEFAULT_RCDSIZE) {
      throw new IdxFormatException(archive, header.length, "tar archive ends inside a header");
    }
    if (!allZero && !TarUtils.verifyCheckSum(header)) {
      throw new IdxFormatException(archive, 0, "tar header checksum does not match: not a tar archive, or a corrupt one");
    }
  }

  private static InputStream decompressed(InputStream raw) throws IOException {
    raw.mark(2);
    boolean gzip = raw.read() == 0x1F && raw.read() == 0x8B;
    raw.reset();
    return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
  }

  /** Counts the bytes the tar reader consumed, for offsets in error messages. */
  private static final class CountingStream extends FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) count += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }
  }
}
