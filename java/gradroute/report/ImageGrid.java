package gradroute.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A labelled grid of grayscale images, e.g. rows "original / decoder / cert A / cert B" by
 * columns digits 0–9, each 28×28 image scaled ×3.
 *
 * <p>Pixel values are mapped linearly from {@code [min, max]} to black..white and clamped outside
 * that range; NaN pixels are drawn red so that they cannot pass for data. Cells never set stay
 * light gray.
 *
 * <pre>{@code
 * ImageGrid.of(4, 10, 28, 28).range(0, 1).scale(3)
 *     .rowLabels("original", "decoder", "cert A", "cert B")
 *     .columnLabels("0", "1", ..., "9")
 *     .set(0, 7, pixels)   // row-major, 28*28 values
 *     .write(dir.path("reconstructions.png"));
 * }</pre>
 */
public final class ImageGrid {
  private static final int GAP = 4;
  private static final int MARGIN = 10;
  private static final Color NAN_COLOR = new Color(0xE0, 0x20, 0x20);
  private static final Color EMPTY_CELL = new Color(0xDD, 0xDD, 0xDD);
  private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 17);

  private final int rows;
  private final int columns;
  private final int imageHeight;
  private final int imageWidth;
  private final float[][][] cells;
  private float min = 0f;
  private float max = 1f;
  private int scale = 1;
  private String title;
  private List<String> rowLabels = List.of();
  private List<String> columnLabels = List.of();

  private ImageGrid(int rows, int columns, int imageHeight, int imageWidth) {
    if (rows < 1 || columns < 1 || imageHeight < 1 || imageWidth < 1) {
      throw new IllegalArgumentException(
          "grid and image sizes must be positive: " + rows + "x" + columns + " of "
              + imageHeight + "x" + imageWidth);
    }
    this.rows = rows;
    this.columns = columns;
    this.imageHeight = imageHeight;
    this.imageWidth = imageWidth;
    this.cells = new float[rows][columns][];
  }

  public static ImageGrid of(int rows, int columns, int imageHeight, int imageWidth) {
    return new ImageGrid(rows, columns, imageHeight, imageWidth);
  }

  /** The value range drawn black ({@code min}) to white ({@code max}); default [0, 1]. */
  public ImageGrid range(float min, float max) {
    if (!(min < max)) {
      throw new IllegalArgumentException("range needs min < max, got [" + min + ", " + max + "]");
    }
    this.min = min;
    this.max = max;
    return this;
  }

  /** Each image pixel becomes a {@code factor}×{@code factor} block; default 1. */
  public ImageGrid scale(int factor) {
    if (factor < 1) {
      throw new IllegalArgumentException("scale must be at least 1, got " + factor);
    }
    this.scale = factor;
    return this;
  }

  public ImageGrid title(String title) {
    this.title = title;
    return this;
  }

  public ImageGrid rowLabels(String... labels) {
    this.rowLabels = checkLabels(labels, rows, "row");
    return this;
  }

  public ImageGrid columnLabels(String... labels) {
    this.columnLabels = checkLabels(labels, columns, "column");
    return this;
  }

  /** Sets one cell; {@code pixels} is row-major, imageHeight×imageWidth values (copied). */
  public ImageGrid set(int row, int column, float[] pixels) {
    if (row < 0 || row >= rows || column < 0 || column >= columns) {
      throw new IndexOutOfBoundsException(
          "cell (" + row + ", " + column + ") outside a " + rows + "x" + columns + " grid");
    }
    if (pixels.length != imageHeight * imageWidth) {
      throw new IllegalArgumentException(
          "cell (" + row + ", " + column + ") got " + pixels.length + " pixels, expected "
              + imageHeight + "x" + imageWidth + " = " + imageHeight * imageWidth);
    }
    cells[row][column] = pixels.clone();
    return this;
  }

  public BufferedImage render() {
    int cellWidth = imageWidth * scale;
    int cellHeight = imageHeight * scale;
    FontMetrics labelMetrics = metrics(LABEL_FONT);
    FontMetrics titleMetrics = metrics(TITLE_FONT);
    int left = MARGIN + (rowLabels.isEmpty() ? 0 : widest(rowLabels, labelMetrics) + 2 * GAP);
    int titleHeight = title == null ? 0 : titleMetrics.getHeight() + GAP;
    int top = MARGIN + titleHeight + (columnLabels.isEmpty() ? 0 : labelMetrics.getHeight() + GAP);
    int gridWidth = columns * cellWidth + (columns - 1) * GAP;
    int width = Math.max(left + gridWidth + MARGIN, title == null ? 0 : titleMetrics.stringWidth(title) + 2 * MARGIN);
    int height = top + rows * cellHeight + (rows - 1) * GAP + MARGIN;

    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.BLACK);
      if (title != null) {
        g.setFont(TITLE_FONT);
        g.drawString(title, (width - titleMetrics.stringWidth(title)) / 2, MARGIN + titleMetrics.getAscent());
      }
      g.setFont(LABEL_FONT);
      for (int c = 0; c < columnLabels.size(); c++) {
        String label = columnLabels.get(c);
        int x = left + c * (cellWidth + GAP) + (cellWidth - labelMetrics.stringWidth(label)) / 2;
        g.drawString(label, x, MARGIN + titleHeight + labelMetrics.getAscent());
      }
      for (int r = 0; r < rowLabels.size(); r++) {
        String label = rowLabels.get(r);
        int y = top + r * (cellHeight + GAP) + (cellHeight - labelMetrics.getHeight()) / 2 + labelMetrics.getAscent();
        g.drawString(label, left - 2 * GAP - labelMetrics.stringWidth(label), y);
      }
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
          int x0 = left + c * (cellWidth + GAP);
          int y0 = top + r * (cellHeight + GAP);
          if (cells[r][c] == null) {
            g.setColor(EMPTY_CELL);
            g.fillRect(x0, y0, cellWidth, cellHeight);
          } else {
            drawCell(image, cells[r][c], x0, y0);
          }
        }
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  /** Renders and writes the grid as PNG, atomically. */
  public void write(Path png) throws IOException {
    var bytes = new ByteArrayOutputStream();
    if (!ImageIO.write(render(), "png", bytes)) {
      throw new IOException("no PNG writer available for " + png);
    }
    AtomicFiles.write(png, bytes.toByteArray());
  }

  private void drawCell(BufferedImage image, float[] pixels, int x0, int y0) {
    for (int py = 0; py < imageHeight; py++) {
      for (int px = 0; px < imageWidth; px++) {
        int rgb = toRgb(pixels[py * imageWidth + px]);
        for (int dy = 0; dy < scale; dy++) {
          for (int dx = 0; dx < scale; dx++) {
            image.setRGB(x0 + px * scale + dx, y0 + py * scale + dy, rgb);
          }
        }
      }
    }
  }

  private int toRgb(float value) {
    if (Float.isNaN(value)) {
      return NAN_COLOR.getRGB();
    }
    float t = (value - min) / (max - min);
    int gray = Math.round(255f * Math.max(0f, Math.min(1f, t)));
    return (gray << 16) | (gray << 8) | gray;
  }

  private static List<String> checkLabels(String[] labels, int expected, String what) {
    if (labels.length != expected) {
      throw new IllegalArgumentException(
          labels.length + " " + what + " labels for " + expected + " " + what + "s: "
              + Arrays.toString(labels));
    }
    return List.of(labels);
  }

  private static FontMetrics metrics(Font font) {
    Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    try {
      return g.getFontMetrics(font);
    } finally {
      g.dispose();
    }
  }

  private static int widest(List<String> labels, FontMetrics metrics) {
    return labels.stream().mapToInt(metrics::stringWidth).max().orElse(0);
  }
}
