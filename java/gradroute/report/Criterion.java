package gradroute.report;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One acceptance criterion of a run, as summary.json's {@code criteria} object and criteria.md show it:
 * what is measured, its mean and per-seed values, the threshold as text, and whether it holds. The
 * mean and {@code holds} are null when the criterion could not be measured (the runs it needs were
 * not made).
 */
public record Criterion(String name, String measure, Double mean, Map<String, Double> perSeed, String threshold, Boolean holds) {
  public Criterion {
    perSeed = perSeed == null ? Map.of() : new LinkedHashMap<>(perSeed);
  }

  /** The criteria keyed by name, in order, as summary.json's {@code criteria} object holds them. */
  public static Map<String, Criterion> byName(List<Criterion> criteria) {
    Map<String, Criterion> out = new LinkedHashMap<>();
    for (Criterion c : criteria) {
      if (out.put(c.name(), c) != null) throw new IllegalArgumentException("two criteria are named '" + c.name() + "'");
    }
    return out;
  }

  /** Whether the criterion was measured and holds. */
  public boolean passed() {
    return Boolean.TRUE.equals(holds);
  }

  /** A Markdown table of the criteria (name, measure, mean, per seed, threshold, holds). */
  public static String markdown(Collection<Criterion> criteria) {
    CsvTable t = CsvTable.withColumns("criterion", "measured", "mean", "per seed", "threshold", "holds");
    for (Criterion c : criteria) {
      StringBuilder seeds = new StringBuilder();
      c.perSeed().forEach((k, v) -> seeds.append(seeds.length() == 0 ? "" : ", ").append(k).append(": ").append(f3(v)));
      t.addRow(c.name(), c.measure(), c.mean() == null ? "–" : f3(c.mean()), seeds.toString(), c.threshold(),
          c.holds() == null ? "not run" : c.holds() ? "yes" : "no");
    }
    return t.toMarkdown();
  }

  private static String f3(double v) {
    return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : String.format(Locale.ROOT, "%.3f", v);
  }
}
