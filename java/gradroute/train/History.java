package gradroute.train;

import gradroute.report.CsvTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Metrics recorded during training: one row per logged step. Serialises to JSON as is. */
public final class History {
  public record Row(long step, Map<String, Double> metrics) {}

  private final List<Row> rows = new ArrayList<>();

  public void add(long step, Map<String, Double> metrics) {
    rows.add(new Row(step, new LinkedHashMap<>(metrics)));
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /** {xs, ys} of one metric over the logged steps, for plotting. */
  public double[][] series(String metric) {
    List<double[]> points = new ArrayList<>();
    for (Row r : rows) {
      Double v = r.metrics().get(metric);
      if (v != null) points.add(new double[] {r.step(), v});
    }
    double[][] out = new double[2][points.size()];
    for (int i = 0; i < points.size(); i++) {
      out[0][i] = points.get(i)[0];
      out[1][i] = points.get(i)[1];
    }
    return out;
  }

  /**
   * Writes the history as CSV (atomically): a step column named {@code stepColumn}, then {@code
   * columns}, or with no columns given every metric in the order it first appears. A metric a row
   * lacks is an empty field.
   */
  public void writeCsv(Path file, String stepColumn, String... columns) throws IOException {
    List<String> names = new ArrayList<>(List.of(columns));
    if (names.isEmpty()) {
      for (Row r : rows) for (String k : r.metrics().keySet()) if (!names.contains(k)) names.add(k);
    }
    List<String> header = new ArrayList<>();
    header.add(stepColumn);
    header.addAll(names);
    CsvTable table = CsvTable.withColumns(header);
    for (Row r : rows) {
      Object[] values = new Object[header.size()];
      values[0] = r.step();
      for (int i = 0; i < names.size(); i++) values[i + 1] = r.metrics().get(names.get(i));
      table.addRow(values);
    }
    table.write(file);
  }

  void replaceWith(List<Row> restored) {
    rows.clear();
    rows.addAll(restored);
  }
}
