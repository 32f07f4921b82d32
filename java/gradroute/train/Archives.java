package gradroute.train;

import gradroute.report.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.OutputArchive;

/**
 * Writes libtorch archives so that a failed write (a full disk) is a Java {@link IOException} and
 * not a JVM abort: libtorch's file writer throws from its destructor when a write fails, which
 * ends the process in {@code std::terminate}. Here libtorch writes into a Java stream through a
 * callback that never reports a short write; the first {@code IOException} of the stream is kept,
 * the rest of the archive discarded, and the exception thrown once libtorch has finished. The
 * file is written atomically ({@link AtomicFiles}), so a failed write leaves neither a torn
 * archive nor its temp file.
 */
public final class Archives {
  private Archives() {}

  /**
   * Writes {@code archive} to {@code target} atomically, after checking that the file system has
   * room for at least {@code expectedBytes} (e.g. the size of the previous checkpoint; 0 to skip).
   *
   * @throws IOException naming the target when there is no room or the write fails
   */
  public static void save(OutputArchive archive, Path target, long expectedBytes) throws IOException {
    save(archive, target, expectedBytes, () -> {});
  }

  /** {@link #save}, running {@code tempWritten} once the temp file is complete and before it is renamed (fault injection). */
  static void save(OutputArchive archive, Path target, long expectedBytes, Runnable tempWritten) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    long free = Files.getFileStore(dir).getUsableSpace();
    if (expectedBytes > 0 && free < expectedBytes) {
      throw new IOException("not enough space for " + target + ": " + free + " bytes free in " + dir + ", the archive needs about "
          + expectedBytes);
    }
    AtomicFiles.write(target, out -> {
      write(archive, out);
      tempWritten.run();
    });
  }

  /** Writes {@code archive} into {@code out}; the first exception of the stream is rethrown after libtorch is done. */
  static void write(OutputArchive archive, OutputStream out) throws IOException {
    try (StreamWriter writer = new StreamWriter(out)) {
      archive.save_to(writer);
      if (writer.failure != null) throw writer.failure;
    }
  }

  /** libtorch's write callback onto a Java stream. */
  private static final class StreamWriter extends ArchiveWriter {
    private final OutputStream out;
    private final byte[] chunk = new byte[1 << 16];
    IOException failure;

    StreamWriter(OutputStream out) {
      this.out = out;
    }

    @Override
    public long call(Pointer buf, long nbytes) {
      if (failure != null || nbytes == 0) return nbytes;
      try {
        BytePointer bytes = new BytePointer(buf).capacity(nbytes);
        for (long at = 0; at < nbytes; at += chunk.length) {
          int n = (int) Math.min(chunk.length, nbytes - at);
          bytes.position(at).get(chunk, 0, n);
          out.write(chunk, 0, n);
        }
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = new IOException(e.toString(), e);
      }
      return nbytes; // a short count would make libtorch throw from a destructor
    }
  }
}
