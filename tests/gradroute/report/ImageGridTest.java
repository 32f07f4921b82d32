package gradroute.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
  @TempDir Path dir;

  private static float[] gradient(int h, int w, float offset) {
    float[] pixels = new float[h * w];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = offset + (float) i / (pixels.length - 1);
    }
    return pixels;
  }

  @Test
  void unlabelledGridHasExactDimensionsAndMapsTheRange() {
    float[] black = new float[4 * 5];
    float[] white = new float[4 * 5];
    java.util.Arrays.fill(black, -1f);
    java.util.Arrays.fill(white, 1f);
    BufferedImage image =
        ImageGrid.of(2, 3, 4, 5).range(-1f, 1f).scale(2).set(0, 0, black).set(1, 2, white).render();
    // margins of 10 around cells of 10x8 separated by gaps of 4
    assertEquals(10 + 3 * 10 + 2 * 4 + 10, image.getWidth());
    assertEquals(10 + 2 * 8 + 4 + 10, image.getHeight());
    assertEquals(0x000000, image.getRGB(10, 10) & 0xFFFFFF);
    assertEquals(0xFFFFFF, image.getRGB(10 + 2 * 14 + 9, 10 + 12 + 7) & 0xFFFFFF);
  }

  @Test
  void labelledDigitGridIsLargeEnoughAndWritesAPng() throws IOException {
    var grid =
        ImageGrid.of(4, 10, 28, 28)
            .range(0f, 1f)
            .scale(3)
            .title("Reconstructions")
            .rowLabels("original", "decoder", "cert A", "cert B")
            .columnLabels("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 10; c++) {
        grid.set(r, c, gradient(28, 28, (r - c) / 10f));
      }
    }
    Path png = dir.resolve("grid.png");
    grid.write(png);
    BufferedImage image = gradroute.plot.PlotsTest.readPng(png);
    int cells = 10 * 84 + 9 * 4;
    assertTrue(image.getWidth() > cells + 40 && image.getWidth() < cells + 200, "width " + image.getWidth());
    int rows = 4 * 84 + 3 * 4;
    assertTrue(image.getHeight() > rows + 30 && image.getHeight() < rows + 120, "height " + image.getHeight());
    gradroute.plot.PlotsTest.assertNotBlank(image);
  }

  @Test
  void rejectsWrongSizes() {
    var grid = ImageGrid.of(1, 2, 3, 3);
    assertThrows(IllegalArgumentException.class, () -> grid.set(0, 0, new float[8]));
    assertThrows(IndexOutOfBoundsException.class, () -> grid.set(1, 0, new float[9]));
    assertThrows(IllegalArgumentException.class, () -> grid.columnLabels("only one"));
    assertThrows(IllegalArgumentException.class, () -> grid.range(1f, 1f));
  }
}
