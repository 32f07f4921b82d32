package gradroute.rl.reinforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gradroute.rl.agent.RouteGates;
import gradroute.rl.env.Gridworld;
import gradroute.rl.env.GridworldConfig;
import gradroute.rl.env.Reward;
import gradroute.rl.env.StepResult;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rollout buffer against hand-computed returns, outcomes, routes and filter masks. */
class RolloutBufferTest {
  private static final int MID = EpisodeLabels.MID_EPISODE;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void returnsOutcomesRoutesAndMasksOfAHandMadeRollout() {
    // 2 envs, 4 steps. env 0: an episode ends at t=1 on an overseen diamond (reward 1), the next at
    // t=3 on an unseen ghost (reward 1 under the routing reward). env 1: an overseen ghost at t=0,
    // then nothing until the rollout ends.
    RolloutBuffer b = new RolloutBuffer(4, 2, 4, 5);
    float[] obs = new float[2 * 100];
    int[][] outcome = {
      {MID, RolloutBuffer.OVERSEEN_GHOST},
      {RolloutBuffer.OVERSEEN_DIAMOND, MID},
      {MID, MID},
      {RolloutBuffer.UNSEEN_GHOST, MID}};
    float[][] reward = {{0, 1}, {1, 0}, {0, 0}, {1, 0}};
    for (int t = 0; t < 4; t++) {
      java.util.Arrays.fill(obs, t);
      b.writeObservations(t, obs);
      boolean[] done = {outcome[t][0] != MID, outcome[t][1] != MID};
      b.record(t, new int[] {t % 4, 3 - t}, reward[t], done, outcome[t]);
    }
    double gamma = 0.5;
    // env 0: G = [0 + .5·1, 1, 0 + .5·1, 1]; env 1: G = [1, 0, 0, 0] (no bootstrap past the rollout)
    assertArrayEquals(new float[] {0.5f, 1f, 1f, 0f, 0.5f, 0f, 1f, 0f}, b.returns(gamma), 1e-7f);
    int[] outcomes = b.outcomes();
    assertArrayEquals(new int[] {
        RolloutBuffer.OVERSEEN_DIAMOND, RolloutBuffer.OVERSEEN_GHOST,
        RolloutBuffer.OVERSEEN_DIAMOND, RolloutBuffer.NOTHING,
        RolloutBuffer.UNSEEN_GHOST, RolloutBuffer.NOTHING,
        RolloutBuffer.UNSEEN_GHOST, RolloutBuffer.NOTHING}, outcomes);
    assertArrayEquals(new int[] {
        RouteGates.DIAMOND_ONLY, RouteGates.GHOST_ONLY, RouteGates.DIAMOND_ONLY, RouteGates.PLAIN,
        RouteGates.PLAIN, RouteGates.PLAIN, RouteGates.PLAIN, RouteGates.PLAIN}, RolloutBuffer.routes(outcomes));
    assertArrayEquals(new float[] {1, 1, 1, 1, 0, 1, 0, 1}, RolloutBuffer.filterMask(outcomes));
    assertArrayEquals(new long[] {0, 3, 1, 2, 2, 1, 3, 0}, b.actions());
    try (PointerScope scope = new PointerScope()) {
      float[] all = TensorArrays.toFloats(b.observations());
      assertEquals(8 * 100, all.length);
      for (int row = 0; row < 8; row++) {
        assertEquals(row / 2, all[row * 100 + 37], "row " + row + " holds step " + row / 2);
      }
      assertEquals(3f, TensorArrays.toFloats(b.observationsAt(3))[150]);
    }
  }

  @Test
  void recordsARealEpisodeEnd() {
    // agent at (0,0), diamond at (0,1), ghost far away; the diamond cell is overseen: one step right
    Gridworld world = new Gridworld(GridworldConfig.of(1, 0.0, 1), Reward.ROUTING);
    boolean[] overseen = new boolean[25];
    overseen[1] = true;
    world.setState(0, 0, 24, 1, overseen);
    RolloutBuffer b = new RolloutBuffer(1, 1, 4, 5);
    float[] obs = new float[100];
    world.observation(obs);
    b.writeObservations(0, obs);
    StepResult r = world.step(new int[] {Gridworld.RIGHT});
    b.record(0, new int[] {Gridworld.RIGHT}, r);
    assertArrayEquals(new int[] {RolloutBuffer.OVERSEEN_DIAMOND}, b.outcomes());
    assertArrayEquals(new float[] {1f}, b.returns(0.97), 0f);
  }

  @Test
  void rejectsInconsistentSteps() {
    RolloutBuffer b = new RolloutBuffer(2, 1, 4, 5);
    assertThrows(IllegalArgumentException.class,
        () -> b.record(0, new int[] {0}, new float[] {0}, new boolean[] {true}, new int[] {MID}));
    assertThrows(IllegalStateException.class, () -> b.returns(0.9), "a half-filled rollout has no returns");
    assertThrows(IllegalArgumentException.class, () -> new RolloutBuffer(0, 1, 4, 5));
    assertThrows(IllegalArgumentException.class, () -> new RolloutBuffer(1, 0, 4, 5));
  }
}
