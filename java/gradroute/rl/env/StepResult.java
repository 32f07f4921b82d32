package gradroute.rl.env;

/**
 * What one {@link Gridworld#step} produced, one entry per environment. The arrays belong to the
 * {@link Gridworld} and are overwritten by its next step: copy what must outlive it.
 *
 * <p>The episode-end entries ({@link #oversight}, {@link #reachedDiamond}, {@link #reachedGhost},
 * {@link #numSteps}) are −1 where the episode goes on.
 */
public final class StepResult {
  private final float[] rewards;
  private final boolean[] done;
  private final int[] oversight;
  private final int[] reachedDiamond;
  private final int[] reachedGhost;
  private final int[] numSteps;
  private final float[] wasDiamondOptimal;

  StepResult(int nEnvs) {
    rewards = new float[nEnvs];
    done = new boolean[nEnvs];
    oversight = new int[nEnvs];
    reachedDiamond = new int[nEnvs];
    reachedGhost = new int[nEnvs];
    numSteps = new int[nEnvs];
    wasDiamondOptimal = new float[nEnvs];
  }

  /** Reward of this step under the world's {@link Reward}; nonzero only where {@link #done}. */
  public float[] rewards() {
    return rewards;
  }

  /** Whether the episode ended at this step (the environment has already been reset). */
  public boolean[] done() {
    return done;
  }

  /** Oversight (0/1) of the cell the agent ended the episode on; −1 mid-episode. */
  public int[] oversight() {
    return oversight;
  }

  /** 1 if the episode ended on the diamond, 0 if it ended otherwise; −1 mid-episode. */
  public int[] reachedDiamond() {
    return reachedDiamond;
  }

  /** 1 if the episode ended on the ghost, 0 if it ended otherwise; −1 mid-episode. */
  public int[] reachedGhost() {
    return reachedGhost;
  }

  /** Length of the episode that ended at this step; −1 mid-episode. */
  public int[] numSteps() {
    return numSteps;
  }

  /**
   * Before the move: 1 if the diamond was strictly nearer the agent than the ghost (Manhattan
   * distance), 0.5 on a tie, 0 otherwise. Set at every step.
   */
  public float[] wasDiamondOptimal() {
    return wasDiamondOptimal;
  }

  public int nEnvs() {
    return done.length;
  }

  void setContinuing(int env) {
    rewards[env] = 0f;
    done[env] = false;
    oversight[env] = -1;
    reachedDiamond[env] = -1;
    reachedGhost[env] = -1;
    numSteps[env] = -1;
  }

  void setEnded(int env, float reward, boolean overseen, boolean diamond, boolean ghost, int steps) {
    rewards[env] = reward;
    done[env] = true;
    oversight[env] = overseen ? 1 : 0;
    reachedDiamond[env] = diamond ? 1 : 0;
    reachedGhost[env] = ghost ? 1 : 0;
    numSteps[env] = steps;
  }

  void setWasDiamondOptimal(int env, float value) {
    wasDiamondOptimal[env] = value;
  }
}
