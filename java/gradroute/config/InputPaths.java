package gradroute.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of the files and folders a run reads, made before the run starts, each naming the flag,
 * the path and the real cause: missing, a directory where a file is expected (or the reverse), or
 * permission denied (found by opening it, which also holds for root and for /proc files).
 */
public final class InputPaths {
  private InputPaths() {}

  public static void requireReadableFile(String what, Path file) {
    if (!Files.exists(file)) throw new ConfigException(what + " " + file + ": no such file");
    if (Files.isDirectory(file)) throw new ConfigException(what + " " + file + ": is a directory, not a file");
    try (InputStream in = Files.newInputStream(file)) {
      in.read();
    } catch (AccessDeniedException e) {
      throw new ConfigException(what + " " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new ConfigException(what + " " + file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  public static void requireReadableDirectory(String what, Path dir) {
    if (!Files.exists(dir)) throw new ConfigException(what + " " + dir + ": no such directory");
    if (!Files.isDirectory(dir)) throw new ConfigException(what + " " + dir + ": is a file, not a directory");
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.iterator().hasNext();
    } catch (AccessDeniedException e) {
      throw new ConfigException(what + " " + dir + ": permission denied", e);
    } catch (IOException e) {
      throw new ConfigException(what + " " + dir + ": cannot be read: " + e.getMessage(), e);
    }
  }
}
