package gradroute.rl.reinforce;

import gradroute.report.AtomicFiles;
import gradroute.rl.agent.PolicyNetwork;
import gradroute.rl.agent.PolicyView;
import gradroute.rl.agent.RoutedPolicy;
import gradroute.rl.env.Gridworld;
import gradroute.runtime.TensorArrays;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The per-cell picture of a routed policy, as in the paper's code: for a fixed ghost and diamond
 * (nobody oversees anything) the agent is put on every other cell, and the gate's σ (1 = diamond
 * expert) and each policy's action probabilities are read there. {@link #writePng} draws one column
 * per placement: the gate's decision per cell (blue = diamond expert, red = ghost expert), then the
 * steered (diamond-expert) and the ghost-expert policy as arrows whose length is the action's
 * probability, on a background coloured by the gate.
 *
 * @param ghost the ghost's cell (row-major index)
 * @param diamond the diamond's cell
 * @param gate σ(gate) per cell, NaN on the ghost and diamond cells
 * @param steered action probabilities {@code [cell][action]} of the diamond expert
 * @param ghostExpert action probabilities of the ghost expert
 */
public record PolicyMaps(int size, int ghost, int diamond, float[] gate, float[][] steered, float[][] ghostExpert) {
  private static final int CELL = 56;
  private static final int GAP = 14;
  private static final int LABEL = 110;
  private static final int TITLE = 26;
  private static final Color GHOST = new Color(120, 60, 170);
  private static final Color DIAMOND = new Color(0, 170, 210);

  /** The maps of {@code policy} for a ghost on cell {@code ghost} and a diamond on {@code diamond}. */
  public static PolicyMaps of(RoutedPolicy policy, int size, int ghost, int diamond, Device device) {
    int cells = size * size;
    if (ghost == diamond || ghost < 0 || diamond < 0 || ghost >= cells || diamond >= cells) {
      throw new IllegalArgumentException("ghost " + ghost + " and diamond " + diamond + " must be distinct cells of a "
          + size + "x" + size + " grid");
    }
    float[] obs = new float[cells * Gridworld.CHANNELS * cells];
    for (int agent = 0; agent < cells; agent++) {
      int base = agent * Gridworld.CHANNELS * cells;
      obs[base + agent] = 1f;
      obs[base + cells + ghost] = 1f;
      obs[base + 2 * cells + diamond] = 1f;
    }
    try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
      Tensor x = Evaluation.onDevice(Tensor.create(obs, cells, Gridworld.CHANNELS, size, size), device);
      float[] logits = TensorArrays.toFloats(policy.gateLogit(x).view(-1).cpu());
      float[] gate = new float[cells];
      for (int c = 0; c < cells; c++) {
        gate[c] = c == ghost || c == diamond ? Float.NaN : (float) (1 / (1 + Math.exp(-logits[c])));
      }
      return new PolicyMaps(size, ghost, diamond, gate, probabilities(policy, PolicyView.DIAMOND, x, cells),
          probabilities(policy, PolicyView.GHOST, x, cells));
    }
  }

  private static float[][] probabilities(PolicyNetwork policy, PolicyView view, Tensor x, int cells) {
    float[] p = TensorArrays.toFloats(policy.logits(x, view).softmax(1).cpu());
    float[][] out = new float[cells][Gridworld.ACTIONS];
    for (int c = 0; c < cells; c++) {
      System.arraycopy(p, c * Gridworld.ACTIONS, out[c], 0, Gridworld.ACTIONS);
    }
    return out;
  }

  /** Mean σ(gate) over the cells nearer the diamond than the ghost, minus that over cells nearer the ghost. */
  public double gateSplit() {
    double near = 0, far = 0;
    int nNear = 0, nFar = 0;
    for (int c = 0; c < size * size; c++) {
      if (c == ghost || c == diamond) continue;
      int dd = distance(c, diamond), dg = distance(c, ghost);
      if (dd < dg) { near += gate[c]; nNear++; }
      else if (dg < dd) { far += gate[c]; nFar++; }
    }
    return nNear == 0 || nFar == 0 ? Double.NaN : near / nNear - far / nFar;
  }

  /** Mean probability, over the non-terminal cells, of a move that brings {@code view}'s policy closer to the diamond. */
  public double towardDiamond(boolean steeredExpert) {
    return toward(steeredExpert ? steered : ghostExpert, diamond);
  }

  /** Mean probability of a move that brings the policy closer to the ghost. */
  public double towardGhost(boolean steeredExpert) {
    return toward(steeredExpert ? steered : ghostExpert, ghost);
  }

  private double toward(float[][] probs, int target) {
    double sum = 0;
    int n = 0;
    for (int c = 0; c < size * size; c++) {
      if (c == ghost || c == diamond) continue;
      for (int a = 0; a < Gridworld.ACTIONS; a++) {
        if (distance(move(c, a), target) < distance(c, target)) sum += probs[c][a];
      }
      n++;
    }
    return sum / n;
  }

  private int distance(int a, int b) {
    return Math.abs(a / size - b / size) + Math.abs(a % size - b % size);
  }

  private int move(int cell, int action) {
    int r = cell / size, c = cell % size;
    switch (action) {
      case Gridworld.UP -> r = Math.max(0, r - 1);
      case Gridworld.RIGHT -> c = Math.min(size - 1, c + 1);
      case Gridworld.DOWN -> r = Math.min(size - 1, r + 1);
      default -> c = Math.max(0, c - 1);
    }
    return r * size + c;
  }

  /** Writes the maps of several placements side by side (one column each), atomically. */
  public static void writePng(List<PolicyMaps> placements, String title, Path file) throws IOException {
    if (placements.isEmpty()) throw new IllegalArgumentException("no placements to draw");
    int size = placements.get(0).size();
    int panel = size * CELL;
    String[] rows = {"gate σ", "steered", "ghost expert"};
    int width = LABEL + placements.size() * (panel + GAP);
    int height = TITLE + rows.length * (panel + GAP);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString(title, 8, 18);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
      for (int r = 0; r < rows.length; r++) {
        g.setColor(Color.BLACK);
        g.drawString(rows[r], 8, TITLE + r * (panel + GAP) + panel / 2);
      }
      for (int col = 0; col < placements.size(); col++) {
        PolicyMaps m = placements.get(col);
        for (int r = 0; r < rows.length; r++) {
          m.drawPanel(g, LABEL + col * (panel + GAP), TITLE + r * (panel + GAP), r);
        }
      }
    } finally {
      g.dispose();
    }
    AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
  }

  private void drawPanel(Graphics2D g, int x0, int y0, int kind) {
    for (int c = 0; c < size * size; c++) {
      int x = x0 + (c % size) * CELL, y = y0 + (c / size) * CELL;
      float v = gate[c];
      if (!Float.isNaN(v)) {
        // as the paper's code: white at 0.5, towards blue for the diamond expert, red for the ghost expert
        float intensity = Math.abs(2 * v - 1) * (kind == 0 ? 1f : 0.45f);
        g.setColor(v >= 0.5f ? new Color(1 - intensity, 1 - intensity, 1f) : new Color(1f, 1 - intensity, 1 - intensity));
        g.fillRect(x, y, CELL, CELL);
      }
      g.setColor(Color.GRAY);
      g.drawRect(x, y, CELL, CELL);
      int cx = x + CELL / 2, cy = y + CELL / 2;
      if (c == ghost) {
        g.setColor(GHOST);
        g.fillOval(cx - CELL / 4, cy - CELL / 4, CELL / 2, CELL / 2);
      } else if (c == diamond) {
        g.setColor(DIAMOND);
        g.fillPolygon(new int[] {cx, cx + CELL / 4, cx, cx - CELL / 4}, new int[] {cy - CELL / 4, cy, cy + CELL / 4, cy}, 4);
      } else if (kind == 0) {
        g.setColor(Color.BLACK);
        g.drawString(String.format(java.util.Locale.ROOT, "%.2f", v), cx - 14, cy + 5);
      } else {
        float[] p = kind == 1 ? steered[c] : ghostExpert[c];
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(2.5f));
        int[][] dir = {{0, -1}, {1, 0}, {0, 1}, {-1, 0}}; // up, right, down, left
        for (int a = 0; a < Gridworld.ACTIONS; a++) {
          int len = Math.round(p[a] * (CELL / 2 - 3));
          g.drawLine(cx, cy, cx + dir[a][0] * len, cy + dir[a][1] * len);
        }
        g.setStroke(new BasicStroke(1f));
      }
    }
  }

  /** The placements the sweep draws: ghost and diamond in a few relative positions. */
  public static List<int[]> standardPlacements(int size) {
    List<int[]> out = new ArrayList<>();
    int mid = size / 2;
    out.add(new int[] {mid * size + mid + 1, mid * size + 0}); // the paper's ghost (2, 3); diamond on the far left
    out.add(new int[] {0, size * size - 1}); // opposite corners
    out.add(new int[] {mid * size + mid, 1}); // ghost in the centre, diamond near a corner
    return out;
  }
}
