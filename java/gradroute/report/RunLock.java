package gradroute.report;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second process (or a second run in this one) from writing into a run folder that a run
 * is using: an OS file lock on {@code <run folder>/.lock}, released and the file removed by {@link
 * #close()}. The OS drops the lock when the process dies, so a killed run never leaves its folder
 * locked.
 */
public final class RunLock implements AutoCloseable {
  /** The lock file's name inside the run folder. */
  public static final String FILE = ".lock";

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code runFolder} (created if missing).
   *
   * @throws IllegalStateException naming the folder when another run holds it
   */
  public static RunLock acquire(Path runFolder) throws IOException {
    Files.createDirectories(runFolder);
    Path file = runFolder.resolve(FILE);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException heldHere) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException("run folder " + runFolder + " is in use by another run (" + file
          + " is locked); wait for it to finish or give another --run");
    }
    return new RunLock(file, channel, lock);
  }

  /** Releases the lock and removes the lock file. */
  @Override
  public void close() throws IOException {
    try {
      Files.deleteIfExists(file);
      if (lock.isValid()) lock.release();
    } finally {
      channel.close();
    }
  }
}
