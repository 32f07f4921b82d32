package gradroute.train;

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

  void replaceWith(List<Row> restored) {
    rows.clear();
    rows.addAll(restored);
  }
}
