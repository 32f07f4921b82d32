package gradroute.rl.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GridworldTest {
  private static final int SIZE = 5;

  private static int cell(int row, int col) {
    return row * SIZE + col;
  }

  private static Gridworld single(Reward reward) {
    return new Gridworld(GridworldConfig.of(1, 0.5, 7), reward);
  }

  private static boolean[] overseen(int... cells) {
    boolean[] map = new boolean[SIZE * SIZE];
    for (int c : cells) {
      map[c] = true;
    }
    return map;
  }

  private static StepResult act(Gridworld world, int action) {
    return world.step(new int[] {action});
  }

  @Test
  void movesOneCellInEachDirection() {
    Gridworld world = single(Reward.TRUE);
    int[][] expected = {
      {Gridworld.UP, cell(1, 2)},
      {Gridworld.RIGHT, cell(2, 3)},
      {Gridworld.DOWN, cell(3, 2)},
      {Gridworld.LEFT, cell(2, 1)},
    };
    for (int[] move : expected) {
      world.setState(0, cell(2, 2), cell(0, 0), cell(4, 4), overseen());
      StepResult r = act(world, move[0]);
      assertFalse(r.done()[0]);
      assertEquals(move[1], world.state(0).agent(), "action " + move[0]);
      assertEquals(1, world.stepCount(0));
    }
  }

  @Test
  void bumpingIntoTheBorderStaysInPlace() {
    Gridworld world = single(Reward.TRUE);
    int[][] corners = {
      {cell(0, 0), Gridworld.UP}, {cell(0, 0), Gridworld.LEFT},
      {cell(0, 4), Gridworld.UP}, {cell(0, 4), Gridworld.RIGHT},
      {cell(4, 0), Gridworld.DOWN}, {cell(4, 0), Gridworld.LEFT},
      {cell(4, 4), Gridworld.DOWN}, {cell(4, 4), Gridworld.RIGHT},
    };
    for (int[] c : corners) {
      world.setState(0, c[0], cell(2, 2), cell(2, 3), overseen());
      act(world, c[1]);
      assertEquals(c[0], world.state(0).agent(), "cell " + c[0] + " action " + c[1]);
    }
  }

  @ParameterizedTest
  @EnumSource(Reward.class)
  void reachingTheDiamondEndsTheEpisode(Reward reward) {
    for (boolean seen : new boolean[] {false, true}) {
      Gridworld world = single(reward);
      world.setState(0, cell(2, 1), cell(0, 0), cell(2, 2), seen ? overseen(cell(2, 2)) : overseen());
      act(world, Gridworld.DOWN); // to (3,1)
      StepResult r = act(world, Gridworld.UP); // back to (2,1)
      assertFalse(r.done()[0]);
      r = act(world, Gridworld.RIGHT);
      assertTrue(r.done()[0]);
      assertEquals(1, r.reachedDiamond()[0]);
      assertEquals(0, r.reachedGhost()[0]);
      assertEquals(seen ? 1 : 0, r.oversight()[0]);
      assertEquals(3, r.numSteps()[0]);
      assertEquals(expectedReward(reward, true, false, seen), r.rewards()[0], 0f, reward + " seen=" + seen);
    }
  }

  @ParameterizedTest
  @EnumSource(Reward.class)
  void reachingTheGhostEndsTheEpisode(Reward reward) {
    for (boolean seen : new boolean[] {false, true}) {
      Gridworld world = single(reward);
      world.setState(0, cell(1, 1), cell(0, 1), cell(4, 4), seen ? overseen(cell(0, 1)) : overseen());
      StepResult r = act(world, Gridworld.UP);
      assertTrue(r.done()[0]);
      assertEquals(0, r.reachedDiamond()[0]);
      assertEquals(1, r.reachedGhost()[0]);
      assertEquals(seen ? 1 : 0, r.oversight()[0]);
      assertEquals(1, r.numSteps()[0]);
      assertEquals(expectedReward(reward, false, true, seen), r.rewards()[0], 0f, reward + " seen=" + seen);
    }
  }

  private static float expectedReward(Reward reward, boolean diamond, boolean ghost, boolean seen) {
    switch (reward) {
      case NAIVE:
        return ghost ? (seen ? -1f : 1f) : diamond ? 1f : 0f;
      case ROUTING:
        return diamond || ghost ? 1f : 0f;
      case ROUTING_BIASED:
        return diamond ? (seen ? 1.03f : 1f) : ghost ? 1f : 0f;
      default:
        return diamond ? 1f : ghost ? -1f : 0f;
    }
  }

  @ParameterizedTest
  @EnumSource(Reward.class)
  void theStepLimitEndsTheEpisodeWithoutReward(Reward reward) {
    Gridworld world = single(reward);
    // The agent's own cell is overseen, so the info reports that cell's oversight, not a terminal's.
    world.setState(0, cell(0, 0), cell(4, 4), cell(4, 3), overseen(cell(0, 0), cell(4, 4)));
    for (int t = 1; t < 32; t++) {
      StepResult r = act(world, Gridworld.UP);
      assertFalse(r.done()[0], "step " + t);
      assertEquals(0f, r.rewards()[0]);
      assertEquals(-1, r.oversight()[0]);
      assertEquals(-1, r.reachedDiamond()[0]);
      assertEquals(-1, r.reachedGhost()[0]);
      assertEquals(-1, r.numSteps()[0]);
      assertEquals(t, world.stepCount(0));
    }
    StepResult r = act(world, Gridworld.UP);
    assertTrue(r.done()[0]);
    assertEquals(0f, r.rewards()[0]);
    assertEquals(32, r.numSteps()[0]);
    assertEquals(0, r.reachedDiamond()[0]);
    assertEquals(0, r.reachedGhost()[0]);
    assertEquals(1, r.oversight()[0]);
    assertEquals(0, world.stepCount(0));
  }

  @Test
  void aFinishedEnvironmentIsResetAtOnceButObservedInItsTerminalState() {
    Gridworld world = new Gridworld(GridworldConfig.of(3, 1.0, 11), Reward.TRUE);
    boolean[] map = overseen(cell(2, 2), cell(0, 0));
    world.setState(1, cell(2, 1), cell(0, 0), cell(2, 2), map);
    GridState before0 = world.state(0);
    StepResult r = world.step(new int[] {Gridworld.UP, Gridworld.RIGHT, Gridworld.UP});
    assertTrue(r.done()[1]);

    GridState live = world.state(1);
    assertEquals(0, world.stepCount(1));
    assertNotEquals(live.agent(), live.ghost());
    assertNotEquals(live.agent(), live.diamond());
    assertNotEquals(live.ghost(), live.diamond());
    assertTrue(live.isOverseen(live.ghost()) && live.isOverseen(live.diamond()), "p = 1");

    GridState terminal = new GridState(SIZE, cell(2, 2), cell(0, 0), cell(2, 2), map);
    assertEquals(terminal, world.observedState(1));
    float[] obs = new float[3 * world.observationSize()];
    world.observation(obs);
    assertEquals(terminal, GridState.decode(obs, world.observationSize(), SIZE));
    assertEquals(world.state(0), GridState.decode(obs, 0, SIZE), "running envs show their live state");
    assertNotEquals(before0, world.state(0));

    // The next step acts on the fresh episode, and from then on the live state is shown.
    world.step(new int[] {Gridworld.DOWN, Gridworld.DOWN, Gridworld.DOWN});
    world.observation(obs);
    assertEquals(world.state(1), GridState.decode(obs, world.observationSize(), SIZE));
  }

  @Test
  void wasDiamondOptimalComparesDistancesBeforeTheMove() {
    Gridworld world = single(Reward.TRUE);
    world.setState(0, cell(2, 2), cell(0, 0), cell(2, 4), overseen()); // diamond 2, ghost 4
    assertEquals(1f, act(world, Gridworld.LEFT).wasDiamondOptimal()[0]);
    world.setState(0, cell(2, 2), cell(2, 4), cell(0, 0), overseen()); // diamond 4, ghost 2
    assertEquals(0f, act(world, Gridworld.LEFT).wasDiamondOptimal()[0]);
    // A tie before the move stays 0.5 although moving right leaves the diamond nearer.
    world.setState(0, cell(2, 2), cell(2, 0), cell(2, 4), overseen());
    StepResult r = act(world, Gridworld.RIGHT);
    assertEquals(0.5f, r.wasDiamondOptimal()[0]);
    assertEquals(1f, act(world, Gridworld.LEFT).wasDiamondOptimal()[0], "after it the diamond is nearer");
    // Manhattan, not Euclidean: (1,1) away equals (0,2) away.
    world.setState(0, cell(2, 2), cell(3, 3), cell(2, 0), overseen());
    assertEquals(0.5f, act(world, Gridworld.UP).wasDiamondOptimal()[0]);
  }

  @Test
  void stepReusesItsResultAndChecksActions() {
    Gridworld world = new Gridworld(GridworldConfig.of(2, 0.1, 1), Reward.NAIVE);
    StepResult first = world.step(new int[] {0, 1});
    assertSame(first, world.step(new int[] {2, 3}));
    assertThrows(IllegalArgumentException.class, () -> world.step(new int[] {0}));
    assertThrows(IllegalArgumentException.class, () -> world.step(new int[] {0, 4}));
    assertThrows(IllegalArgumentException.class, () -> world.step(new int[] {-1, 0}));
  }

  @Test
  void setStateRejectsOverlappingCells() {
    Gridworld world = single(Reward.TRUE);
    assertThrows(IllegalArgumentException.class, () -> world.setState(0, 3, 3, 4, overseen()));
    assertThrows(IllegalArgumentException.class, () -> world.setState(0, 3, 4, 4, overseen()));
    assertThrows(IllegalArgumentException.class, () -> world.setState(0, 3, 4, 25, overseen()));
    assertThrows(IllegalArgumentException.class, () -> world.setState(0, 1, 2, 3, new boolean[24]));
    assertThrows(IndexOutOfBoundsException.class, () -> world.setState(1, 1, 2, 3, overseen()));
  }

  @Test
  void sameSeedSameTrajectoriesOtherSeedOtherOnes() {
    GridworldConfig config = GridworldConfig.of(16, 0.3, 42);
    Gridworld a = new Gridworld(config, Reward.NAIVE);
    Gridworld b = new Gridworld(config, Reward.NAIVE);
    Gridworld other = new Gridworld(config.withSeed(43), Reward.NAIVE);
    float[] obsA = new float[16 * 100];
    float[] obsB = new float[16 * 100];
    float[] obsOther = new float[16 * 100];
    other.observation(obsOther);
    a.observation(obsA);
    assertFalse(java.util.Arrays.equals(obsA, obsOther));

    Random actions = new Random(5);
    int[] act = new int[16];
    int episodes = 0;
    for (int t = 0; t < 500; t++) {
      for (int e = 0; e < 16; e++) {
        act[e] = actions.nextInt(4);
      }
      StepResult ra = a.step(act);
      float[] rewardsA = ra.rewards().clone();
      boolean[] doneA = ra.done().clone();
      int[] stepsA = ra.numSteps().clone();
      StepResult rb = b.step(act);
      assertArrayEquals(rewardsA, rb.rewards());
      assertArrayEquals(doneA, rb.done());
      assertArrayEquals(stepsA, rb.numSteps());
      a.observation(obsA);
      b.observation(obsB);
      assertArrayEquals(obsA, obsB, "step " + t);
      for (boolean d : doneA) {
        episodes += d ? 1 : 0;
      }
    }
    assertTrue(episodes > 100, "episodes ended: " + episodes);
  }

  @Test
  void observationEncodesEachEnvironmentAndDecodesBack() {
    Gridworld world = new Gridworld(new GridworldConfig(8, 5, 32, 0.5, 0.2, 3), Reward.TRUE);
    assertEquals(100, world.observationSize());
    float[] obs = new float[5 + 8 * 100];
    java.util.Arrays.fill(obs, 9f);
    world.observation(obs, 5);
    assertEquals(9f, obs[4]);
    for (int e = 0; e < 8; e++) {
      int base = 5 + e * 100;
      for (int ch = 0; ch < 3; ch++) {
        float sum = 0;
        for (int c = 0; c < 25; c++) {
          float v = obs[base + ch * 25 + c];
          assertTrue(v == 0f || v == 1f);
          sum += v;
        }
        assertEquals(1f, sum, "env " + e + " channel " + ch);
      }
      assertEquals(world.state(e), GridState.decode(obs, base, 5));
    }
    // Row-major: agent at (row 1, col 3) is float 1 * 5 + 3 of channel 0.
    world.setState(0, cell(1, 3), cell(0, 0), cell(4, 4), overseen(cell(4, 4)));
    world.observation(obs, 0);
    assertEquals(1f, obs[8]);
    assertEquals(1f, obs[25]);
    assertEquals(1f, obs[50 + 24]);
    assertEquals(1f, obs[75 + 24]);
    assertEquals(0f, obs[75]);
    assertThrows(IllegalArgumentException.class, () -> world.observation(new float[799]));
    assertThrows(IllegalArgumentException.class, () -> world.observation(new float[800], 1));
  }

  @Test
  void textShowsObjectsAndOversight() {
    Gridworld world = single(Reward.TRUE);
    world.setState(0, cell(0, 1), cell(1, 0), cell(4, 4), overseen(cell(4, 4), cell(2, 2)));
    String expected =
        " .  A  .  .  . \n"
            + " G  .  .  .  . \n"
            + " .  . [.] .  . \n"
            + " .  .  .  .  . \n"
            + " .  .  .  . [D]\n";
    assertEquals(expected, world.toText(0));
    act(world, Gridworld.LEFT);
    act(world, Gridworld.DOWN);
    assertTrue(world.observedState(0).toText().startsWith(" .  .  .  .  . \n g "));
  }
}
