package gradroute.config;

/**
 * One {@code key=value} change to a loaded config; {@code key} may be dotted ({@code model.layers}).
 *
 * @param source where it came from, for error messages: {@code --set} or a flag such as {@code --epochs}
 * @param value the text form: numbers, {@code true}/{@code false}, comma lists for arrays, {@code null}
 */
public record ConfigOverride(String source, String key, String value) {
  public ConfigOverride {
    if (key == null || key.isBlank()) throw new ConfigException(source + ": empty config key");
    if (value == null) throw new ConfigException(source + " " + key + ": no value");
  }

  /** {@code key=value} as given to {@code --set}. */
  public static ConfigOverride parse(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) throw new ConfigException("--set expects key=value, got '" + assignment + "'");
    return new ConfigOverride("--set", assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
  }

  /** How the user wrote it: {@code --set epochs=3} or {@code --epochs 3}. */
  public String describe() {
    return source.equals("--set") ? "--set " + key + "=" + value : source + " " + value;
  }
}
