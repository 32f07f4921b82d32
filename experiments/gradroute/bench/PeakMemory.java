package gradroute.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident memory (Linux VmHWM), resettable through /proc/self/clear_refs, so a
 * benchmark can measure the extra memory one operation needs. Returns -1 where /proc is missing.
 */
final class PeakMemory {
  private PeakMemory() {}

  static void reset() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // not Linux: peaks are reported as unknown
    }
  }

  static long currentBytes() {
    return statusField("VmRSS:");
  }

  static long peakBytes() {
    return statusField("VmHWM:");
  }

  private static long statusField(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }
}
