package gradroute.report;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers (and a run killed midway) only ever see the old content or the
 * complete new content: the bytes go to a hidden temp file in the target's directory, are forced
 * to disk, and the temp file is then atomically renamed over the target. Parent directories are
 * created. On failure the temp file is deleted and the target is left as it was.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /** Writes {@code text} as UTF-8. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Runs {@code writer} on a stream into a temp file, then moves the temp file over {@code target}.
   * The writer need not close the stream. Any exception from the writer or the file system is
   * rethrown as an {@link IOException} naming {@code target}.
   */
  public static void write(Path target, IoConsumer<OutputStream> writer) throws IOException {
    writeFile(target, temp -> {
      // CREATE_NEW with default permissions: Files.createTempFile would make the result 0600.
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        writer.accept(unclosable(out));
        out.flush();
      }
    });
  }

  /**
   * For writers that take a file name (libtorch's {@code save_to}, ImageIO, a download): {@code
   * writer} writes a temp file in the target's directory, which is then forced to disk and
   * atomically renamed over {@code target}. The temp file is deleted on failure.
   */
  public static void writeFile(Path target, IoConsumer<Path> writer) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    Path dir = absolute.getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      temp = dir.resolve(tempName(absolute));
      writer.accept(temp);
      if (!Files.isRegularFile(temp)) throw new IOException("the writer produced no file");
      moveOver(temp, absolute);
      temp = null;
    } catch (Exception e) {
      deleteQuietly(temp, e);
      throw new IOException("could not write " + target + ": " + e, e);
    } catch (Error e) {
      deleteQuietly(temp, e);
      throw e;
    }
  }

  /**
   * Forces a complete file written elsewhere (a download) to disk and atomically renames it over
   * {@code target}, which must be in the same file system.
   */
  public static void moveOver(Path complete, Path target) throws IOException {
    try (FileChannel channel = FileChannel.open(complete, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(complete, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Publishes a fully built directory under its final name in one rename (same file system).
   * Returns false, leaving {@code staging} in place, when {@code target} already exists: another
   * process published first.
   */
  public static boolean publishDirectory(Path staging, Path target) throws IOException {
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      forceDirectory(target.toAbsolutePath().getParent());
      return true;
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (Files.isDirectory(target)) return false;
      throw new IOException("could not move " + staging + " to " + target + ": " + e, e);
    }
  }

  private static String tempName(Path target) {
    byte[] random = new byte[6];
    ThreadLocalRandom.current().nextBytes(random);
    return "." + target.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp";
  }

  /** Keeps a writer that closes its stream from closing the channel before it is forced. */
  private static OutputStream unclosable(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }

  /** Makes the rename itself durable; not every platform can open a directory, so best effort. */
  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // the content is already on disk; only the rename's durability is at stake
    }
  }

  private static void deleteQuietly(Path temp, Throwable failure) {
    if (temp == null) {
      return;
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }
}
