package gradroute.rl.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridRendererTest {
  @TempDir Path dir;

  @Test
  void writesAPngOfTheGrid() throws IOException {
    Gridworld world = new Gridworld(GridworldConfig.of(1, 0.5, 2), Reward.TRUE);
    boolean[] map = new boolean[25];
    map[24] = true;
    world.setState(0, 0, 12, 24, map);
    Path file = dir.resolve("sub/grid.png");
    world.renderPng(0, file, 20);
    BufferedImage image = ImageIO.read(file.toFile());
    assertEquals(101, image.getWidth());
    assertEquals(101, image.getHeight());
    int white = 0xFFFFFF;
    assertEquals(white, image.getRGB(30, 30) & 0xFFFFFF, "empty cell");
    assertNotEquals(white, image.getRGB(50, 50) & 0xFFFFFF, "ghost in the centre");
    assertNotEquals(white, image.getRGB(10, 10) & 0xFFFFFF, "agent in the corner");
    assertNotEquals(white, image.getRGB(82, 82) & 0xFFFFFF, "overseen diamond cell corner");
    try (Stream<Path> left = Files.list(file.getParent())) {
      assertEquals(List.of(file), left.toList(), "no temporary file left behind");
    }
  }

  @Test
  void stripPutsFramesSideBySide() throws IOException {
    Gridworld world = new Gridworld(GridworldConfig.of(1, 0.5, 2), Reward.TRUE);
    List<GridState> frames = new java.util.ArrayList<>();
    frames.add(world.observedState(0));
    for (int t = 0; t < 3; t++) {
      world.step(new int[] {t % 4});
      frames.add(world.observedState(0));
    }
    Path file = dir.resolve("strip.png");
    GridRenderer.renderStripPng(frames, file, 10);
    BufferedImage image = ImageIO.read(file.toFile());
    assertEquals(4 * 51 + 3 * 5, image.getWidth());
    assertEquals(51, image.getHeight());
    assertThrows(IllegalArgumentException.class, () -> GridRenderer.renderStripPng(List.of(), file, 10));
  }
}
