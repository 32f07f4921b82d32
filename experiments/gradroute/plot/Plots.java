package gradroute.plot;

import gradroute.report.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Result plots in one house style (white background, legend outside on the right, 900×540,
 * colour-blind-friendly palette), saved as PNG atomically.
 *
 * <p>Line series are given as {@code name -> {xs, ys}} or {@code name -> {xs, ys, spreads}}; a
 * spread row draws ±spread around each point as a shaded band, or as error bars with {@link
 * LineOptions#withErrorBars()}. Map iteration order is legend and colour order. A NaN y value
 * leaves a gap in its line. Data that cannot be drawn (a value {@code <= 0} on a log axis) fails
 * with an {@link IOException} naming the file, and nothing is written.
 */
public final class Plots {
  public static final int WIDTH = 900;
  public static final int HEIGHT = 540;

  /** Tableau 10: distinguishable, and still readable in grayscale print. */
  private static final Color[] PALETTE = {
    new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2),
    new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7),
    new Color(0x9C755F), new Color(0xBAB0AC)
  };

  private static final Marker[] MARKERS = {
    SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
    SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN
  };

  /** Markers only help while points are few enough to tell apart. */
  private static final int MAX_POINTS_WITH_MARKERS = 40;

  private Plots() {}

  /** Axis scales and how spreads are drawn; {@link #DEFAULT} is linear axes with bands. */
  public record LineOptions(boolean logX, boolean logY, boolean errorBars) {
    public static final LineOptions DEFAULT = new LineOptions(false, false, false);

    public LineOptions withLogX() {
      return new LineOptions(true, logY, errorBars);
    }

    public LineOptions withLogY() {
      return new LineOptions(logX, true, errorBars);
    }

    public LineOptions withErrorBars() {
      return new LineOptions(logX, logY, true);
    }
  }

  public static void lineChart(
      String title, String xLabel, String yLabel, Map<String, double[][]> series, Path png)
      throws IOException {
    lineChart(title, xLabel, yLabel, series, LineOptions.DEFAULT, png);
  }

  public static void lineChart(
      String title,
      String xLabel,
      String yLabel,
      Map<String, double[][]> series,
      LineOptions options,
      Path png)
      throws IOException {
    save(lineChartOf(title, xLabel, yLabel, series, options), png);
  }

  /** The styled chart without saving it, for callers that add annotations of their own. */
  public static XYChart lineChartOf(
      String title,
      String xLabel,
      String yLabel,
      Map<String, double[][]> series,
      LineOptions options) {
    requireSeries(series);
    XYChart chart = new XYChart(WIDTH, HEIGHT);
    chart.setTitle(title);
    chart.setXAxisTitle(xLabel);
    chart.setYAxisTitle(yLabel);
    applyStyle(chart.getStyler());
    chart.getStyler().setXAxisLogarithmic(options.logX());
    chart.getStyler().setYAxisLogarithmic(options.logY());
    chart.getStyler().setErrorBarsColorSeriesColor(true);

    // Bands first so that every line is drawn on top of every band.
    int index = 0;
    for (var entry : series.entrySet()) {
      double[][] data = checkLineSeries(entry.getKey(), entry.getValue());
      if (data.length == 3 && !options.errorBars()) {
        addBand(chart, entry.getKey(), data, options.logY(), color(index));
      }
      index++;
    }
    index = 0;
    for (var entry : series.entrySet()) {
      double[][] data = entry.getValue();
      double[] errors = data.length == 3 && options.errorBars() ? data[2] : null;
      XYSeries line = chart.addSeries(entry.getKey(), data[0], data[1], errors);
      line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      line.setLineColor(color(index));
      line.setMarkerColor(color(index));
      line.setLineWidth(2f);
      line.setMarker(
          data[0].length <= MAX_POINTS_WITH_MARKERS
              ? MARKERS[index % MARKERS.length]
              : SeriesMarkers.NONE);
      index++;
    }
    return chart;
  }

  /** Bars for each category, one bar per series side by side; no spreads. */
  public static void groupedBarChart(
      String title,
      String xLabel,
      String yLabel,
      List<String> categories,
      Map<String, double[]> series,
      Path png)
      throws IOException {
    save(groupedBarChartOf(title, xLabel, yLabel, categories, series, Map.of()), png);
  }

  /** As above, with error bars of ±{@code spreads.get(name)[i]} for the series that have one. */
  public static void groupedBarChart(
      String title,
      String xLabel,
      String yLabel,
      List<String> categories,
      Map<String, double[]> series,
      Map<String, double[]> spreads,
      Path png)
      throws IOException {
    save(groupedBarChartOf(title, xLabel, yLabel, categories, series, spreads), png);
  }

  /** One bar per label showing mean ± spread, e.g. a metric per method over seeds. */
  public static void barChart(
      String title,
      String xLabel,
      String yLabel,
      List<String> labels,
      double[] means,
      double[] spreads,
      Path png)
      throws IOException {
    String name = yLabel == null || yLabel.isBlank() ? "value" : yLabel;
    CategoryChart chart =
        groupedBarChartOf(
            title,
            xLabel,
            yLabel,
            labels,
            Map.of(name, means),
            spreads == null ? Map.of() : Map.of(name, spreads));
    chart.getStyler().setLegendVisible(false);
    save(chart, png);
  }

  public static CategoryChart groupedBarChartOf(
      String title,
      String xLabel,
      String yLabel,
      List<String> categories,
      Map<String, double[]> series,
      Map<String, double[]> spreads) {
    requireSeries(series);
    if (categories.isEmpty()) {
      throw new IllegalArgumentException("a bar chart needs at least one category");
    }
    for (String name : spreads.keySet()) {
      if (!series.containsKey(name)) {
        throw new IllegalArgumentException("spreads given for unknown series '" + name + "'");
      }
    }
    CategoryChart chart = new CategoryChart(WIDTH, HEIGHT);
    chart.setTitle(title);
    chart.setXAxisTitle(xLabel);
    chart.setYAxisTitle(yLabel);
    applyStyle(chart.getStyler());
    chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
    chart.getStyler().setAvailableSpaceFill(series.size() == 1 ? 0.6 : 0.85);
    chart.getStyler().setOverlapped(false);
    chart.getStyler().setErrorBarsColor(new Color(0x333333));
    chart.getStyler().setPlotGridVerticalLinesVisible(false);
    int longestLabel = categories.stream().mapToInt(String::length).max().orElse(0);
    // xchart draws category labels at a fixed spacing: long or many labels run into each other
    if (longestLabel * categories.size() > 60) {
      chart.getStyler().setXAxisLabelRotation(45);
    }
    int index = 0;
    for (var entry : series.entrySet()) {
      String name = entry.getKey();
      double[] values = checkLength(name, entry.getValue(), categories.size(), "values");
      double[] errors = spreads.get(name);
      List<Double> errorList =
          errors == null ? null : boxed(checkLength(name, errors, categories.size(), "spreads"));
      CategorySeries bars = chart.addSeries(name, categories, boxed(values), errorList);
      bars.setFillColor(color(index));
      index++;
    }
    return chart;
  }

  /** Encodes {@code chart} as PNG in memory, then writes it atomically. */
  public static void save(Chart<?, ?> chart, Path png) throws IOException {
    byte[] bytes;
    try {
      bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (RuntimeException e) {
      // xchart reports bad data (e.g. non-positive values on a log axis) only when painting
      throw new IOException("could not render chart '" + chart.getTitle() + "' for " + png + ": " + e.getMessage(), e);
    }
    AtomicFiles.write(png, bytes);
  }

  private static void applyStyle(AxesChartStyler styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotBorderVisible(true);
    styler.setPlotBorderColor(new Color(0x999999));
    styler.setPlotGridLinesColor(new Color(0xE3E3E3));
    styler.setPlotGridLinesStroke(new BasicStroke(1f));
    styler.setChartFontColor(new Color(0x222222));
    styler.setAxisTickLabelsColor(new Color(0x333333));
    styler.setYAxisLabelAlignment(AxesChartStyler.TextAlignment.Right);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
    styler.setChartTitleBoxVisible(false);
    styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
    styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setLegendBorderColor(new Color(0xCCCCCC));
    styler.setLegendBackgroundColor(Color.WHITE);
    styler.setChartPadding(14);
    styler.setPlotMargin(6);
    styler.setMarkerSize(7);
    styler.setSeriesColors(PALETTE);
    styler.setAntiAlias(true);
  }

  private static void addBand(XYChart chart, String name, double[][] data, boolean logY, Color color) {
    double[] xs = data[0];
    double[] ys = data[1];
    double[] spreads = data[2];
    // A log axis cannot show y <= 0: cut the band at the series' smallest positive value.
    double floor = logY ? Arrays.stream(ys).filter(y -> y > 0).min().orElse(Double.MIN_NORMAL) : Double.NEGATIVE_INFINITY;
    int n = xs.length;
    double[] polygonX = new double[2 * n];
    double[] polygonY = new double[2 * n];
    for (int i = 0; i < n; i++) {
      polygonX[i] = xs[i];
      polygonY[i] = ys[i] + spreads[i];
      polygonX[2 * n - 1 - i] = xs[i];
      polygonY[2 * n - 1 - i] = Math.max(floor, ys[i] - spreads[i]);
    }
    XYSeries band = chart.addSeries(name + " (spread)", polygonX, polygonY);
    band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
    band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 56));
    band.setLineColor(new Color(0, 0, 0, 0));
    band.setMarker(SeriesMarkers.NONE);
    band.setShowInLegend(false);
  }

  private static double[][] checkLineSeries(String name, double[][] data) {
    if (data == null || data.length < 2 || data.length > 3) {
      throw new IllegalArgumentException(
          "series '" + name + "' must be {xs, ys} or {xs, ys, spreads}");
    }
    if (data[0].length == 0) {
      throw new IllegalArgumentException("series '" + name + "' has no points");
    }
    checkLength(name, data[1], data[0].length, "ys");
    if (data.length == 3) {
      checkLength(name, data[2], data[0].length, "spreads");
    }
    return data;
  }

  private static double[] checkLength(String name, double[] values, int expected, String what) {
    if (values == null || values.length != expected) {
      throw new IllegalArgumentException(
          "series '" + name + "' has " + (values == null ? "no" : values.length) + " " + what
              + ", expected " + expected);
    }
    return values;
  }

  private static void requireSeries(Map<String, ?> series) {
    if (series == null || series.isEmpty()) {
      throw new IllegalArgumentException("a chart needs at least one series");
    }
  }

  private static List<Double> boxed(double[] values) {
    var list = new ArrayList<Double>(values.length);
    for (double v : values) {
      list.add(v);
    }
    return list;
  }

  private static Color color(int index) {
    return PALETTE[index % PALETTE.length];
  }
}
