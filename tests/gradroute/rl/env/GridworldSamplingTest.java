package gradroute.rl.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Statistical checks of the episode sampling, each within 4 binomial standard deviations. */
class GridworldSamplingTest {
  private static final int EPISODES = 20_000;

  private static void assertBinomial(long hits, long trials, double p, String what) {
    double mean = trials * p;
    double sigma = Math.sqrt(trials * p * (1 - p));
    assertTrue(
        Math.abs(hits - mean) <= 4 * sigma + 1e-9,
        what + ": " + hits + " of " + trials + ", expected " + mean + " ± 4·" + sigma);
  }

  @Test
  void terminalsAreOverseenIndependentlyAndOtherCellsSpuriously() {
    double p = 0.3;
    double spurious = 0.05;
    Gridworld world = new Gridworld(new GridworldConfig(EPISODES, 5, 32, p, spurious, 9), Reward.TRUE);
    long ghostSeen = 0;
    long diamondSeen = 0;
    long both = 0;
    long otherSeen = 0;
    long agentCell = 0;
    long[] agentAt = new long[25];
    for (int e = 0; e < EPISODES; e++) {
      GridState s = world.state(e);
      boolean g = s.isOverseen(s.ghost());
      boolean d = s.isOverseen(s.diamond());
      ghostSeen += g ? 1 : 0;
      diamondSeen += d ? 1 : 0;
      both += g && d ? 1 : 0;
      for (int c = 0; c < 25; c++) {
        if (c != s.ghost() && c != s.diamond() && s.isOverseen(c)) {
          otherSeen++;
        }
      }
      agentCell += s.isOverseen(s.agent()) ? 1 : 0;
      agentAt[s.agent()]++;
    }
    assertBinomial(ghostSeen, EPISODES, p, "ghost overseen");
    assertBinomial(diamondSeen, EPISODES, p, "diamond overseen");
    assertBinomial(both, EPISODES, p * p, "both overseen");
    assertBinomial(otherSeen, 23L * EPISODES, spurious, "other cells overseen");
    assertBinomial(agentCell, EPISODES, spurious, "agent's start cell overseen");
    for (int c = 0; c < 25; c++) {
      assertBinomial(agentAt[c], EPISODES, 1.0 / 25, "agent starts at " + c);
    }
  }

  @Test
  void withoutSpuriousOversightOnlyTerminalsAreEverOverseen() {
    Gridworld world = new Gridworld(GridworldConfig.of(2_000, 1.0, 4), Reward.TRUE);
    for (int e = 0; e < 2_000; e++) {
      GridState s = world.state(e);
      for (int c = 0; c < 25; c++) {
        assertEquals(c == s.ghost() || c == s.diamond(), s.isOverseen(c));
      }
    }
  }

  @Test
  void episodesStartedByAutomaticResetsAreOverseenAtTheSameRate() {
    double p = 0.2;
    int n = 256;
    Gridworld world = new Gridworld(GridworldConfig.of(n, p, 21), Reward.NAIVE);
    SplittableRandom policy = new SplittableRandom(1);
    int[] actions = new int[n];
    long ended = 0;
    long endedOnTerminal = 0;
    long overseenTerminal = 0;
    while (ended < EPISODES) {
      for (int e = 0; e < n; e++) {
        actions[e] = policy.nextInt(4);
      }
      StepResult r = world.step(actions);
      for (int e = 0; e < n; e++) {
        if (r.done()[e]) {
          ended++;
          if (r.reachedDiamond()[e] == 1 || r.reachedGhost()[e] == 1) {
            endedOnTerminal++;
            overseenTerminal += r.oversight()[e];
          }
        }
      }
    }
    assertTrue(endedOnTerminal > EPISODES / 2, "terminals reached: " + endedOnTerminal);
    assertBinomial(overseenTerminal, endedOnTerminal, p, "reached terminal overseen");
  }
}
