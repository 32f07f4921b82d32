package gradroute.data;

import java.io.IOException;
import java.nio.file.Path;

/** A data file that is not what its format promises; the message names the file and byte offset. */
public final class IdxFormatException extends IOException {
  private final Path file;
  private final long offset;

  public IdxFormatException(Path file, long offset, String problem) {
    super(file + ": at byte offset " + offset + ": " + problem);
    this.file = file;
    this.offset = offset;
  }

  public IdxFormatException(Path file, long offset, String problem, Throwable cause) {
    this(file, offset, problem);
    initCause(cause);
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
