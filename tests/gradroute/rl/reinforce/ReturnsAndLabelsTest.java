package gradroute.rl.reinforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ReturnsAndLabelsTest {
  @Test
  void labelsOfTheSpec() {
    assertArrayEquals(new int[] {0, 0}, EpisodeLabels.propagateBackwards(new int[] {-1, 0}));
    assertArrayEquals(
        new int[] {1, 1, 1, 1, 0, 0},
        EpisodeLabels.propagateBackwards(new int[] {-1, -1, -1, 1, 0, -1}));
    assertArrayEquals(new int[] {}, EpisodeLabels.propagateBackwards(new int[] {}));
    assertArrayEquals(new int[] {1, 0, 0}, EpisodeLabels.propagateBackwards(new int[] {1, -1, -1}));
  }

  @Test
  void labelsPerEnvColumn() {
    int[][] ends = {
      {-1, 1, -1},
      {1, -1, -1},
      {-1, -1, 1},
      {0, -1, -1},
    };
    int[][] expected = {
      {1, 1, 1},
      {1, 0, 1},
      {0, 0, 1},
      {0, 0, 0},
    };
    assertArrayEquals(expected, EpisodeLabels.propagateBackwards(ends));
    EpisodeLabels.propagateBackwards(ends, ends);
    assertArrayEquals(expected, ends);
    assertThrows(IllegalArgumentException.class, () -> EpisodeLabels.propagateBackwards(new int[] {-2}));
    assertThrows(
        IllegalArgumentException.class,
        () -> EpisodeLabels.propagateBackwards(new int[][] {{-1, 0}, {1}}));
  }

  @Test
  void returnsRestartAtEpisodeEnds() {
    // env 0: episodes end at t=2 (+1) and t=4 (−1), then one unfinished step.
    // env 1: a single episode ending at the last step with +1.
    float[][] rewards = {{0, 0}, {0, 0}, {1, 0}, {0, 0}, {-1, 0}, {0, 1}};
    boolean[][] dones = {
      {false, false}, {false, false}, {true, false}, {false, false}, {true, false}, {false, true}
    };
    float[][] g = Returns.discounted(rewards, dones, 0.5);
    float[][] expected = {{0.25f, 1 / 32f}, {0.5f, 1 / 16f}, {1f, 1 / 8f}, {-0.5f, 1 / 4f}, {-1f, 0.5f}, {0f, 1f}};
    for (int t = 0; t < rewards.length; t++) {
      assertArrayEquals(expected[t], g[t], 1e-7f, "step " + t);
    }
    Returns.discounted(rewards, dones, 0.5, rewards);
    assertArrayEquals(expected, rewards);
  }

  @Test
  void returnsWithTheGammaOfThePaper() {
    float[][] rewards = {{0}, {0}, {1}};
    boolean[][] dones = {{false}, {false}, {true}};
    float[][] g = Returns.discounted(rewards, dones, 0.97);
    assertArrayEquals(new float[] {0.97f * 0.97f}, g[0], 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> Returns.discounted(rewards, dones, 1.5));
    assertThrows(
        IllegalArgumentException.class, () -> Returns.discounted(rewards, new boolean[2][1], 0.9));
  }
}
