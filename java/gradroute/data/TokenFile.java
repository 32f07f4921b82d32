package gradroute.data;

import gradroute.report.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A token stream stored like nanoGPT's {@code train.bin}/{@code val.bin}: unsigned 16-bit
 * little-endian ids, no header, read through a memory map (the OS pages it in; nothing is
 * copied onto the heap).
 */
public final class TokenFile {
  public static final int MAX_VOCAB = 1 << 16;

  private final Path file;
  private final ShortBuffer tokens;

  private TokenFile(Path file, ShortBuffer tokens) {
    this.file = file;
    this.tokens = tokens;
  }

  /** Writes {@code ids} atomically (every id must be in 0..65535). */
  public static void write(Path file, int[] ids) throws IOException {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= MAX_VOCAB) {
        throw new IllegalArgumentException("token " + ids[i] + " at index " + i + " does not fit in uint16 (" + file + ")");
      }
    }
    AtomicFiles.write(file, (OutputStream out) -> {
      OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
      for (int id : ids) {
        buffered.write(id & 0xFF);
        buffered.write((id >>> 8) & 0xFF);
      }
      buffered.flush();
    });
  }

  /** Maps an existing file read-only. */
  public static TokenFile open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new IOException("no token file " + file);
    long bytes = Files.size(file);
    if (bytes % 2 != 0) throw new IOException(file + " has " + bytes + " bytes, not a whole number of uint16 tokens");
    if (bytes / 2 > Integer.MAX_VALUE) throw new IOException(file + " has more than 2^31 tokens");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes);
      return new TokenFile(file, map.order(ByteOrder.LITTLE_ENDIAN).asShortBuffer());
    }
  }

  public Path file() {
    return file;
  }

  /** Number of tokens. */
  public int length() {
    return tokens.limit();
  }

  public int get(int index) {
    return Short.toUnsignedInt(tokens.get(index));
  }

  /** Tokens {@code [offset, offset + count)}. */
  public long[] window(int offset, int count) {
    if (offset < 0 || count < 0 || (long) offset + count > length()) {
      throw new IndexOutOfBoundsException("window [" + offset + ", " + ((long) offset + count) + ") is outside the "
          + length() + " tokens of " + file);
    }
    long[] out = new long[count];
    for (int i = 0; i < count; i++) out[i] = Short.toUnsignedInt(tokens.get(offset + i));
    return out;
  }
}
