package gradroute.rl.env;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws grids as PNG: overseen cells shaded yellow, the ghost a purple disc, the diamond a cyan
 * rhombus, the agent a smaller red disc on top (so a terminal state shows both).
 */
public final class GridRenderer {
  private static final Color BACKGROUND = Color.WHITE;
  private static final Color OVERSEEN = new Color(255, 228, 130);
  private static final Color LINES = new Color(170, 170, 170);
  private static final Color GHOST = new Color(120, 60, 170);
  private static final Color DIAMOND = new Color(0, 170, 210);
  private static final Color AGENT = new Color(220, 40, 40);

  private GridRenderer() {}

  /** Writes one grid, {@code cellPixels} per cell, atomically to {@code file}. */
  public static void renderPng(GridState state, Path file, int cellPixels) throws IOException {
    renderStripPng(List.of(state), file, cellPixels);
  }

  /** Writes the grids side by side, left to right (e.g. the states of one episode). */
  public static void renderStripPng(List<GridState> frames, Path file, int cellPixels)
      throws IOException {
    writePngAtomically(drawStrip(frames, cellPixels), file);
  }

  /** The strip as an image, for callers that compose their own figures. */
  public static BufferedImage drawStrip(List<GridState> frames, int cellPixels) {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("no frames to draw");
    }
    if (cellPixels < 4) {
      throw new IllegalArgumentException("cellPixels must be at least 4, got " + cellPixels);
    }
    int size = frames.get(0).size();
    for (GridState frame : frames) {
      if (frame.size() != size) {
        throw new IllegalArgumentException("frames of different sizes: " + size + ", " + frame.size());
      }
    }
    int gridPixels = size * cellPixels + 1;
    int gap = frames.size() > 1 ? Math.max(2, cellPixels / 2) : 0;
    int width = frames.size() * gridPixels + (frames.size() - 1) * gap;
    BufferedImage image = new BufferedImage(width, gridPixels, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, width, gridPixels);
      for (int i = 0; i < frames.size(); i++) {
        drawGrid(g, frames.get(i), i * (gridPixels + gap), cellPixels);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void drawGrid(Graphics2D g, GridState s, int left, int px) {
    int size = s.size();
    for (int cell = 0; cell < size * size; cell++) {
      if (s.isOverseen(cell)) {
        g.setColor(OVERSEEN);
        g.fillRect(left + s.col(cell) * px, s.row(cell) * px, px, px);
      }
    }
    g.setColor(LINES);
    g.setStroke(new BasicStroke(1f));
    for (int i = 0; i <= size; i++) {
      g.drawLine(left + i * px, 0, left + i * px, size * px);
      g.drawLine(left, i * px, left + size * px, i * px);
    }
    int margin = Math.max(1, px / 8);
    g.setColor(GHOST);
    g.fillOval(left + s.col(s.ghost()) * px + margin, s.row(s.ghost()) * px + margin,
        px - 2 * margin, px - 2 * margin);

    int cx = left + s.col(s.diamond()) * px + px / 2;
    int cy = s.row(s.diamond()) * px + px / 2;
    int r = px / 2 - margin;
    g.setColor(DIAMOND);
    g.fillPolygon(new Polygon(new int[] {cx, cx + r, cx, cx - r}, new int[] {cy - r, cy, cy + r, cy}, 4));

    int agentMargin = px / 4;
    g.setColor(AGENT);
    g.fillOval(left + s.col(s.agent()) * px + agentMargin, s.row(s.agent()) * px + agentMargin,
        px - 2 * agentMargin, px - 2 * agentMargin);
  }

  private static void writePngAtomically(BufferedImage image, Path file) throws IOException {
    gradroute.report.AtomicFiles.writeFile(file, temp -> {
      if (!ImageIO.write(image, "png", temp.toFile())) throw new IOException("no PNG writer available");
    });
  }

}
