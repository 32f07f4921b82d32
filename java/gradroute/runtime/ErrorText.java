package gradroute.runtime;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;

/**
 * One line that says what went wrong and why: each message of the cause chain that adds something,
 * joined by ": ". File-system exceptions, whose message is often only a path, gain their meaning
 * ("permission denied", "no such file or directory", ...).
 */
public final class ErrorText {
  private ErrorText() {}

  public static String oneLine(Throwable error) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = error; t != null && parts.size() < 8; t = t.getCause() == t ? null : t.getCause()) {
      String m = message(t);
      if (m == null || m.isBlank()) continue;
      m = m.lines().findFirst().orElse(m).trim();
      String said = String.join(": ", parts);
      if (!said.contains(m)) parts.add(m);
    }
    return parts.isEmpty() ? error.getClass().getSimpleName() : String.join(": ", parts);
  }

  private static String message(Throwable t) {
    if (t instanceof FileSystemException fs && fs.getReason() == null) {
      String file = fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "");
      if (t instanceof AccessDeniedException) return file + ": permission denied";
      if (t instanceof NoSuchFileException) return file + ": no such file or directory";
      if (t instanceof FileAlreadyExistsException) return file + ": already exists";
      if (t instanceof NotDirectoryException) return file + ": not a directory";
      if (t instanceof DirectoryNotEmptyException) return file + ": directory not empty";
    }
    String m = t.getMessage();
    if (t instanceof java.nio.charset.MalformedInputException) return "not valid UTF-8";
    return m;
  }
}
