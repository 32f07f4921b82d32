package gradroute.experiment.nanogpt;

import gradroute.report.CsvTable;
import java.util.Collection;
import java.util.List;

/** The criteria of a nanoGPT run as the Markdown table its criteria.md and the README show. */
final class CriteriaTable {
  /** What a row of the table needs from a criterion. */
  interface Row {
    String name();

    double mean();

    List<Double> perSeed();

    String threshold();

    boolean holds();
  }

  private CriteriaTable() {}

  /** @param perSeedFormat how each per-seed value is printed, e.g. "%.4f" */
  static String markdown(Collection<? extends Row> criteria, String perSeedFormat) {
    CsvTable t = CsvTable.withColumns("criterion", "mean", "per seed", "threshold", "holds").withDecimals(4);
    for (Row c : criteria) {
      t.addRow(c.name(), c.mean(), c.perSeed().stream().map(d -> String.format(perSeedFormat, d)).toList().toString(), c.threshold(),
          c.holds() ? "yes" : "no");
    }
    return t.toMarkdown();
  }
}
