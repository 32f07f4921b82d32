package gradroute.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class PlotsTest {
  @TempDir Path dir;

  public static BufferedImage readPng(Path png) throws IOException {
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "not a readable image: " + png);
    return image;
  }

  /** A plot that is all one colour (or nearly) has lost its content. */
  public static void assertNotBlank(BufferedImage image) {
    var colours = new HashSet<Integer>();
    int nonWhite = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y) & 0xFFFFFF;
        colours.add(rgb);
        if (rgb != 0xFFFFFF) {
          nonWhite++;
        }
      }
    }
    assertTrue(colours.size() > 10, "only " + colours.size() + " colours");
    assertTrue(nonWhite > 1000, "only " + nonWhite + " non-white pixels sampled");
  }

  static void assertChartPng(Path png) throws IOException {
    BufferedImage image = readPng(png);
    assertEquals(Plots.WIDTH, image.getWidth());
    assertEquals(Plots.HEIGHT, image.getHeight());
    assertNotBlank(image);
    try (Stream<Path> files = Files.list(png.getParent())) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  static Map<String, double[][]> curves(boolean withSpread) {
    var series = new LinkedHashMap<String, double[][]>();
    int n = 50;
    double[] steps = new double[n];
    double[] a = new double[n];
    double[] b = new double[n];
    double[] spread = new double[n];
    for (int i = 0; i < n; i++) {
      steps[i] = 10 * (i + 1);
      a[i] = 2.0 * Math.exp(-i / 12.0) + 0.05;
      b[i] = 1.5 * Math.exp(-i / 20.0) + 0.1;
      spread[i] = 0.1 * a[i];
    }
    series.put("gradient routing", withSpread ? new double[][] {steps, a, spread} : new double[][] {steps, a});
    series.put("baseline", new double[][] {steps, b});
    return series;
  }

  @Test
  void lineChartIsAValidPng() throws IOException {
    Path png = dir.resolve("plots/loss.png");
    Plots.lineChart("Training loss", "step", "loss", curves(false), png);
    assertChartPng(png);
  }

  @Test
  void lineChartWithBandsAndLogAxes() throws IOException {
    Path png = dir.resolve("loss-log.png");
    Plots.lineChart("Loss", "step", "loss", curves(true), Plots.LineOptions.DEFAULT.withLogX().withLogY(), png);
    assertChartPng(png);
  }

  @Test
  void lineChartWithErrorBars() throws IOException {
    Path png = dir.resolve("loss-bars.png");
    Plots.lineChart("Loss", "step", "loss", curves(true), Plots.LineOptions.DEFAULT.withErrorBars(), png);
    assertChartPng(png);
  }

  @Test
  void groupedBarChartIsAValidPng() throws IOException {
    List<String> digits = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    var series = new LinkedHashMap<String, double[]>();
    series.put("certificate A", new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 1.1, 1.2, 1.3, 1.4, 1.5});
    series.put("certificate B", new double[] {1.4, 1.3, 1.2, 1.1, 1.0, 0.2, 0.3, 0.1, 0.2, 0.3});
    Path png = dir.resolve("cert.png");
    Plots.groupedBarChart("Certificate loss per digit", "digit", "loss", digits, series, png);
    assertChartPng(png);

    Path withSpreads = dir.resolve("cert-spread.png");
    Plots.groupedBarChart(
        "Certificate loss per digit", "digit", "loss", digits, series,
        Map.of("certificate A", new double[] {.05, .05, .05, .05, .05, .1, .1, .1, .1, .1}),
        withSpreads);
    assertChartPng(withSpreads);
  }

  @Test
  void barChartWithErrorBars() throws IOException {
    Path png = dir.resolve("methods.png");
    Plots.barChart(
        "Held-out loss by method", "method", "loss",
        List.of("routing", "data filtering", "no routing"),
        new double[] {0.4, 0.9, 1.3}, new double[] {0.05, 0.1, 0.2}, png);
    assertChartPng(png);
  }

  @Test
  void mismatchedSeriesAreRejected() {
    var series = Map.of("bad", new double[][] {{1, 2, 3}, {1, 2}});
    var e = assertThrows(IllegalArgumentException.class,
        () -> Plots.lineChart("t", "x", "y", series, dir.resolve("x.png")));
    assertTrue(e.getMessage().contains("bad"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Plots.groupedBarChart("t", "x", "y", List.of("a", "b"), Map.of("s", new double[] {1}), dir.resolve("y.png")));
  }

  @Test
  void undrawableDataFailsNamingTheFileAndWritesNothing() {
    Path png = dir.resolve("log-zero.png");
    var series = Map.of("zero", new double[][] {{1, 2, 3}, {1, 0, 3}});
    IOException e = assertThrows(IOException.class,
        () -> Plots.lineChart("t", "x", "y", series, Plots.LineOptions.DEFAULT.withLogY(), png));
    assertTrue(e.getMessage().contains(png.toString()), e.getMessage());
    assertTrue(Files.notExists(png));
  }
}
