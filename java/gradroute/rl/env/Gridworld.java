package gradroute.rl.env;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * {@code n} independent continuing gridworlds stepped together: each holds an agent, a ghost and a
 * diamond; reaching either of the two, or running out of steps, ends the episode and the
 * environment is reset at once. Plain arrays throughout; {@link #step} allocates nothing.
 *
 * <p>After a step, {@link #observation} shows the state the step ended in, so a finished
 * environment shows its terminal state even though it has already been reset (as in the reference
 * implementation); the next action then applies to the fresh episode.
 */
public final class Gridworld {
  public static final int CHANNELS = 4;
  public static final int ACTIONS = 4;
  public static final int UP = 0;
  public static final int RIGHT = 1;
  public static final int DOWN = 2;
  public static final int LEFT = 3;

  private final GridworldConfig config;
  private final Reward reward;
  private final int n;
  private final int size;
  private final int cells;
  private final SplittableRandom[] random;

  private final int[] agent;
  private final int[] ghost;
  private final int[] diamond;
  private final int[] stepCount;
  private final boolean[] oversight; // [env * cells + cell]

  // The state a just-finished environment ended in, shown by observation() until the next step.
  private final boolean[] showsTerminal;
  private final int[] terminalAgent;
  private final int[] terminalGhost;
  private final int[] terminalDiamond;
  private final boolean[] terminalOversight;

  private final StepResult result;

  public Gridworld(GridworldConfig config, Reward reward) {
    this.config = config;
    this.reward = reward;
    n = config.nEnvs();
    size = config.size();
    cells = config.cells();
    random = new SplittableRandom[n];
    SplittableRandom root = new SplittableRandom(config.seed());
    for (int e = 0; e < n; e++) {
      random[e] = root.split();
    }
    agent = new int[n];
    ghost = new int[n];
    diamond = new int[n];
    stepCount = new int[n];
    oversight = new boolean[n * cells];
    showsTerminal = new boolean[n];
    terminalAgent = new int[n];
    terminalGhost = new int[n];
    terminalDiamond = new int[n];
    terminalOversight = new boolean[n * cells];
    result = new StepResult(n);
    reset();
  }

  public GridworldConfig config() {
    return config;
  }

  public Reward reward() {
    return reward;
  }

  public int nEnvs() {
    return n;
  }

  /** Floats per environment in {@link #observation}: 4 × size × size (100 for 5×5). */
  public int observationSize() {
    return CHANNELS * cells;
  }

  /** Starts a new episode in every environment. */
  public void reset() {
    for (int e = 0; e < n; e++) {
      resetEnv(e);
    }
  }

  /**
   * Moves every agent ({@link #UP}, {@link #RIGHT}, {@link #DOWN} or {@link #LEFT}; a move into the
   * border leaves it in place), ends the episodes that reached a terminal or the step limit and
   * resets them. The returned result is reused by the next call.
   */
  public StepResult step(int[] actions) {
    if (actions.length != n) {
      throw new IllegalArgumentException("expected " + n + " actions, got " + actions.length);
    }
    for (int e = 0; e < n; e++) {
      if (actions[e] < 0 || actions[e] >= ACTIONS) {
        throw new IllegalArgumentException("action " + actions[e] + " of env " + e + " is not in [0, 4)");
      }
    }
    int maxSteps = config.maxSteps();
    for (int e = 0; e < n; e++) {
      showsTerminal[e] = false;
      int from = agent[e];
      int toDiamond = distance(from, diamond[e]);
      int toGhost = distance(from, ghost[e]);
      result.setWasDiamondOptimal(e, toDiamond < toGhost ? 1f : toDiamond == toGhost ? 0.5f : 0f);

      int to = move(from, actions[e]);
      agent[e] = to;
      int steps = ++stepCount[e];
      boolean onDiamond = to == diamond[e];
      boolean onGhost = to == ghost[e];
      if (onDiamond || onGhost || steps >= maxSteps) {
        boolean overseen = oversight[e * cells + to];
        result.setEnded(
            e, reward.atEpisodeEnd(onDiamond, onGhost, overseen), overseen, onDiamond, onGhost, steps);
        keepTerminal(e);
        resetEnv(e);
      } else {
        result.setContinuing(e);
      }
    }
    return result;
  }

  /** {@link #observation(float[], int)} at offset 0. */
  public void observation(float[] out) {
    observation(out, 0);
  }

  /**
   * Writes {@code nEnvs × 4 × size × size} floats from {@code offset}: per environment the agent,
   * ghost and diamond one-hot channels and the 0/1 oversight map, each row-major. A finished
   * environment shows the terminal state of its last step (see the class comment).
   */
  public void observation(float[] out, int offset) {
    int perEnv = observationSize();
    if (offset < 0 || out.length - offset < (long) n * perEnv) {
      throw new IllegalArgumentException(
          "observation needs " + (long) n * perEnv + " floats from offset " + offset
              + ", the array has " + out.length);
    }
    for (int e = 0; e < n; e++) {
      int base = offset + e * perEnv;
      boolean terminal = showsTerminal[e];
      boolean[] map = terminal ? terminalOversight : oversight;
      Arrays.fill(out, base, base + 3 * cells, 0f);
      out[base + (terminal ? terminalAgent[e] : agent[e])] = 1f;
      out[base + cells + (terminal ? terminalGhost[e] : ghost[e])] = 1f;
      out[base + 2 * cells + (terminal ? terminalDiamond[e] : diamond[e])] = 1f;
      int mapBase = base + 3 * cells;
      int from = e * cells;
      for (int c = 0; c < cells; c++) {
        out[mapBase + c] = map[from + c] ? 1f : 0f;
      }
    }
  }

  /** The live state of {@code env} (after any reset). */
  public GridState state(int env) {
    checkEnv(env);
    return new GridState(size, agent[env], ghost[env], diamond[env], oversightOf(oversight, env));
  }

  /** The state {@link #observation} shows for {@code env}: terminal if its last step ended it. */
  public GridState observedState(int env) {
    checkEnv(env);
    if (!showsTerminal[env]) {
      return state(env);
    }
    return new GridState(
        size,
        terminalAgent[env],
        terminalGhost[env],
        terminalDiamond[env],
        oversightOf(terminalOversight, env));
  }

  /** Steps taken in the current episode of {@code env}. */
  public int stepCount(int env) {
    checkEnv(env);
    return stepCount[env];
  }

  /** {@link GridState#toText()} of the live state of {@code env}. */
  public String toText(int env) {
    return state(env).toText();
  }

  /** Draws the live state of {@code env}; see {@link GridRenderer#renderPng}. */
  public void renderPng(int env, Path file, int cellPixels) throws IOException {
    GridRenderer.renderPng(state(env), file, cellPixels);
  }

  /**
   * Puts {@code env} in a hand-made state at the start of an episode (step counter 0), for tests
   * and demonstrations. The three cells must be distinct.
   */
  public void setState(int env, int agentCell, int ghostCell, int diamondCell, boolean[] overseen) {
    checkEnv(env);
    if (agentCell == ghostCell || agentCell == diamondCell) {
      throw new IllegalArgumentException("the agent must not start on the ghost or the diamond");
    }
    GridState checked = new GridState(size, agentCell, ghostCell, diamondCell, overseen);
    agent[env] = checked.agent();
    ghost[env] = checked.ghost();
    diamond[env] = checked.diamond();
    System.arraycopy(overseen, 0, oversight, env * cells, cells);
    stepCount[env] = 0;
    showsTerminal[env] = false;
  }

  private int move(int cell, int action) {
    int row = cell / size;
    int col = cell - row * size;
    switch (action) {
      case UP:
        return row > 0 ? cell - size : cell;
      case RIGHT:
        return col < size - 1 ? cell + 1 : cell;
      case DOWN:
        return row < size - 1 ? cell + size : cell;
      default:
        return col > 0 ? cell - 1 : cell;
    }
  }

  private int distance(int a, int b) {
    int ra = a / size;
    int rb = b / size;
    return Math.abs(ra - rb) + Math.abs((a - ra * size) - (b - rb * size));
  }

  private void keepTerminal(int e) {
    showsTerminal[e] = true;
    terminalAgent[e] = agent[e];
    terminalGhost[e] = ghost[e];
    terminalDiamond[e] = diamond[e];
    System.arraycopy(oversight, e * cells, terminalOversight, e * cells, cells);
  }

  private void resetEnv(int e) {
    SplittableRandom rng = random[e];
    // Three distinct uniform cells: the same law as the first three of a random permutation.
    int a = rng.nextInt(cells);
    int g = rng.nextInt(cells - 1);
    if (g >= a) {
      g++;
    }
    int d;
    do {
      d = rng.nextInt(cells);
    } while (d == a || d == g);
    agent[e] = a;
    ghost[e] = g;
    diamond[e] = d;
    stepCount[e] = 0;

    int from = e * cells;
    double spurious = config.spuriousOversightProb();
    if (spurious == 0.0) {
      Arrays.fill(oversight, from, from + cells, false);
    } else {
      for (int c = 0; c < cells; c++) {
        oversight[from + c] = rng.nextDouble() < spurious;
      }
    }
    double p = config.oversightProb();
    oversight[from + g] = rng.nextDouble() < p;
    oversight[from + d] = rng.nextDouble() < p;
  }

  private boolean[] oversightOf(boolean[] maps, int env) {
    boolean[] map = new boolean[cells];
    System.arraycopy(maps, env * cells, map, 0, cells);
    return map;
  }

  private void checkEnv(int env) {
    if (env < 0 || env >= n) {
      throw new IndexOutOfBoundsException("env " + env + " is outside [0, " + n + ")");
    }
  }
}
