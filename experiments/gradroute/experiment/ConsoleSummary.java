package gradroute.experiment;

import java.nio.file.Path;

/**
 * How every experiment run and analysis ends on the console, printed by the run once it has written
 * its results: its tables and criteria, then one closing line with its wall time and where the
 * results are.
 */
public final class ConsoleSummary {
  private ConsoleSummary() {}

  /** Prints {@code body} (tables, criteria, headline; nothing when blank), then "wall time N s; results in DIR". */
  public static void print(String body, double wallSeconds, Path results) {
    if (!body.isBlank()) System.out.println(body.stripTrailing());
    System.out.printf("wall time %.0f s; results in %s%n", wallSeconds, results);
  }
}
