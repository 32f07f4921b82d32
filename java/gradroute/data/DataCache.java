package gradroute.data;

import java.nio.file.Path;
import java.util.Map;

/** Where downloaded data sets are kept: {@code $GRADROUTE_DATA}, else ~/.cache/gradroute/data. */
public final class DataCache {
  public static final String ENV = "GRADROUTE_DATA";

  private DataCache() {}

  public static Path defaultDir() {
    return defaultDir(System.getenv(), System.getProperty("user.home"));
  }

  static Path defaultDir(Map<String, String> env, String home) {
    String override = env.get(ENV);
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    return Path.of(home, ".cache", "gradroute", "data");
  }
}
