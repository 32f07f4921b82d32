package gradroute.rl.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class GridworldConfigTest {
  private static void assertRejected(String field, Executable make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  @Test
  void defaultsAreThePapers() {
    GridworldConfig c = GridworldConfig.of(64, 0.01, 3);
    assertEquals(5, c.size());
    assertEquals(32, c.maxSteps());
    assertEquals(0.0, c.spuriousOversightProb());
    assertEquals(25, c.cells());
    assertEquals(128, c.withNEnvs(128).nEnvs());
  }

  @Test
  void badFieldsAreRejectedByName() {
    assertRejected("nEnvs", () -> new GridworldConfig(0, 5, 32, 0.1, 0, 1));
    assertRejected("nEnvs", () -> new GridworldConfig(-3, 5, 32, 0.1, 0, 1));
    assertRejected("size", () -> new GridworldConfig(1, 1, 32, 0.1, 0, 1));
    assertRejected("maxSteps", () -> new GridworldConfig(1, 5, 0, 0.1, 0, 1));
    assertRejected("oversightProb", () -> new GridworldConfig(1, 5, 32, -0.01, 0, 1));
    assertRejected("oversightProb", () -> new GridworldConfig(1, 5, 32, 1.01, 0, 1));
    assertRejected("oversightProb", () -> new GridworldConfig(1, 5, 32, Double.NaN, 0, 1));
    assertRejected("spuriousOversightProb", () -> new GridworldConfig(1, 5, 32, 0.1, 2, 1));
    assertRejected("nEnvs", () -> new GridworldConfig(1 << 24, 100, 32, 0.1, 0, 1));
  }

  @Test
  void smallestGridWorks() {
    Gridworld world = new Gridworld(new GridworldConfig(4, 2, 3, 0.5, 0.5, 8), Reward.TRUE);
    for (int t = 0; t < 50; t++) {
      world.step(new int[] {0, 1, 2, 3});
    }
    assertEquals(16, world.observationSize());
  }
}
