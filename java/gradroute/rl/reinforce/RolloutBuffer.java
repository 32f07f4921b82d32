package gradroute.rl.reinforce;

import gradroute.rl.agent.RouteGates;
import gradroute.rl.env.StepResult;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One update's experience, laid out {@code [steps][nEnvs]}: observations in one preallocated native
 * tensor (so the update's single batched forward pass reads them in place), actions, rewards, episode
 * ends and each episode's outcome. Row {@code t * nEnvs + e} of every flattened view is step t of env
 * e.
 *
 * <p>Create it outside any {@link org.bytedeco.javacpp.PointerScope}: its tensor lives across updates.
 */
public final class RolloutBuffer {
  /** Outcome codes of an episode end (mid-episode entries are {@link EpisodeLabels#MID_EPISODE}). */
  public static final int NOTHING = 0;
  public static final int OVERSEEN_DIAMOND = 1;
  public static final int OVERSEEN_GHOST = 2;
  public static final int UNSEEN_DIAMOND = 3;
  public static final int UNSEEN_GHOST = 4;

  private final int steps;
  private final int nEnvs;
  private final int observationSize;
  private final int channels;
  private final int size;
  private final Tensor observations;
  private final FloatPointer observationData;
  private final long[] actions;
  private final float[][] rewards;
  private final boolean[][] dones;
  private final int[][] endOutcomes;
  private final int[][] outcomes;
  private final float[][] returns;
  private int filled;

  public RolloutBuffer(int steps, int nEnvs, int channels, int size) {
    if (steps <= 0) {
      throw new IllegalArgumentException("steps per update must be positive, got " + steps);
    }
    if (nEnvs <= 0) {
      throw new IllegalArgumentException("the number of envs must be positive, got " + nEnvs);
    }
    this.steps = steps;
    this.nEnvs = nEnvs;
    this.channels = channels;
    this.size = size;
    this.observationSize = channels * size * size;
    long total = (long) steps * nEnvs * observationSize;
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(steps + " steps × " + nEnvs + " envs is too large a rollout");
    }
    observations = torch.zeros(steps, nEnvs, channels, size, size).retainReference();
    observationData = observations.data_ptr_float();
    actions = new long[steps * nEnvs];
    rewards = new float[steps][nEnvs];
    dones = new boolean[steps][nEnvs];
    endOutcomes = new int[steps][nEnvs];
    outcomes = new int[steps][nEnvs];
    returns = new float[steps][nEnvs];
  }

  public int steps() {
    return steps;
  }

  public int nEnvs() {
    return nEnvs;
  }

  public int rows() {
    return steps * nEnvs;
  }

  /** Copies step {@code t}'s observations ({@code nEnvs × observationSize} floats) into the buffer. */
  public void writeObservations(int t, float[] stepObservations) {
    checkStep(t);
    int n = nEnvs * observationSize;
    if (stepObservations.length < n) {
      throw new IllegalArgumentException("expected " + n + " observation floats, got " + stepObservations.length);
    }
    observationData.position((long) t * n).put(stepObservations, 0, n);
    observationData.position(0);
  }

  /** Step {@code t}'s observations, {@code [nEnvs, C, S, S]}: a view into the buffer. */
  public Tensor observationsAt(int t) {
    checkStep(t);
    return observations.select(0, t);
  }

  /** All observations, {@code [steps * nEnvs, C, S, S]}: a view into the buffer. */
  public Tensor observations() {
    return observations.view(-1, channels, size, size);
  }

  /** Records what step {@code t} did; its observations must already be written. */
  public void record(int t, int[] stepActions, StepResult result) {
    int[] codes = endOutcomes[t];
    boolean[] done = result.done();
    for (int e = 0; e < nEnvs; e++) {
      codes[e] = done[e] ? outcomeOf(result, e) : EpisodeLabels.MID_EPISODE;
    }
    record(t, stepActions, result.rewards(), done, codes);
  }

  /**
   * The same from plain arrays: {@code outcomeCodes[e]} is an outcome code where {@code done[e]},
   * {@link EpisodeLabels#MID_EPISODE} elsewhere.
   */
  public void record(int t, int[] stepActions, float[] stepRewards, boolean[] done, int[] outcomeCodes) {
    checkStep(t);
    if (stepActions.length != nEnvs || stepRewards.length != nEnvs || done.length != nEnvs || outcomeCodes.length != nEnvs) {
      throw new IllegalArgumentException("step " + t + ": every array must have " + nEnvs + " entries");
    }
    int base = t * nEnvs;
    for (int e = 0; e < nEnvs; e++) {
      boolean ended = done[e];
      int code = outcomeCodes[e];
      if (ended != (code != EpisodeLabels.MID_EPISODE) || code < EpisodeLabels.MID_EPISODE || code > UNSEEN_GHOST) {
        throw new IllegalArgumentException("step " + t + ", env " + e + ": outcome " + code + " with done=" + ended);
      }
      actions[base + e] = stepActions[e];
    }
    System.arraycopy(stepRewards, 0, rewards[t], 0, nEnvs);
    System.arraycopy(done, 0, dones[t], 0, nEnvs);
    if (outcomeCodes != endOutcomes[t]) {
      System.arraycopy(outcomeCodes, 0, endOutcomes[t], 0, nEnvs);
    }
    filled = Math.max(filled, t + 1);
  }

  /** Discounted returns, flattened by row; restart at episode ends, no bootstrap past the rollout. */
  public float[] returns(double gamma) {
    requireFull();
    Returns.discounted(rewards, dones, gamma, returns);
    return flatten(returns);
  }

  /** Every step's episode outcome (the code of the first episode end at or after it; 0 when none), by row. */
  public int[] outcomes() {
    requireFull();
    EpisodeLabels.propagateBackwards(endOutcomes, outcomes);
    int[] out = new int[rows()];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(outcomes[t], 0, out, t * nEnvs, nEnvs);
    }
    return out;
  }

  /** Actions by row. */
  public long[] actions() {
    return actions;
  }

  /** The gradient route of each row: overseen diamond → diamond only, overseen ghost → ghost only. */
  public static int[] routes(int[] outcomes) {
    int[] routes = new int[outcomes.length];
    for (int i = 0; i < outcomes.length; i++) {
      routes[i] = outcomes[i] == OVERSEEN_DIAMOND ? RouteGates.DIAMOND_ONLY
          : outcomes[i] == OVERSEEN_GHOST ? RouteGates.GHOST_ONLY : RouteGates.PLAIN;
    }
    return routes;
  }

  /** 1 for rows filtering keeps (overseen episodes and those that reached nothing), 0 otherwise. */
  public static float[] filterMask(int[] outcomes) {
    float[] keep = new float[outcomes.length];
    for (int i = 0; i < outcomes.length; i++) {
      keep[i] = outcomes[i] == UNSEEN_DIAMOND || outcomes[i] == UNSEEN_GHOST ? 0f : 1f;
    }
    return keep;
  }

  /** The outcome code of env {@code e}'s episode that ended at this step. */
  public static int outcomeOf(StepResult r, int e) {
    boolean overseen = r.oversight()[e] == 1;
    if (r.reachedDiamond()[e] == 1) {
      return overseen ? OVERSEEN_DIAMOND : UNSEEN_DIAMOND;
    }
    if (r.reachedGhost()[e] == 1) {
      return overseen ? OVERSEEN_GHOST : UNSEEN_GHOST;
    }
    return NOTHING;
  }

  private float[] flatten(float[][] a) {
    float[] out = new float[rows()];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(a[t], 0, out, t * nEnvs, nEnvs);
    }
    return out;
  }

  private void requireFull() {
    if (filled != steps) {
      throw new IllegalStateException("the rollout holds " + filled + " of " + steps + " steps");
    }
  }

  private void checkStep(int t) {
    if (t < 0 || t >= steps) {
      throw new IndexOutOfBoundsException("step " + t + " is outside [0, " + steps + ")");
    }
  }
}
