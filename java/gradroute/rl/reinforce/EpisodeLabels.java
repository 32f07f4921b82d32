package gradroute.rl.reinforce;

/**
 * Spreads a label known only when an episode ends (e.g. "overseen and reached the diamond") back
 * over all the steps of that episode, so that every step of a rollout can be routed.
 */
public final class EpisodeLabels {
  /** The entry of a step where the episode went on. */
  public static final int MID_EPISODE = -1;

  private EpisodeLabels() {}

  /**
   * For one env's column of steps: {@link #MID_EPISODE} mid-episode and a label ≥ 0 where an episode
   * ended. Each step gets the label of the first episode end at or after it; steps after the last
   * end (an episode the rollout cut short) get 0. E.g. {@code [-1,-1,-1,1,0,-1] → [1,1,1,1,0,0]}.
   */
  public static int[] propagateBackwards(int[] column) {
    int[] out = new int[column.length];
    int label = 0;
    for (int t = column.length - 1; t >= 0; t--) {
      label = labelAt(column[t], label, t, 0);
      out[t] = label;
    }
    return out;
  }

  /** The same for a rollout laid out {@code [steps][nEnvs]}, each env column on its own. */
  public static int[][] propagateBackwards(int[][] endLabels) {
    int[][] out = new int[endLabels.length][];
    for (int t = 0; t < endLabels.length; t++) {
      out[t] = new int[endLabels[t].length];
    }
    propagateBackwards(endLabels, out);
    return out;
  }

  /** Into {@code out} (same shape; may be {@code endLabels} itself). */
  public static void propagateBackwards(int[][] endLabels, int[][] out) {
    int steps = endLabels.length;
    if (out.length != steps) {
      throw new IllegalArgumentException("out has " + out.length + " steps, expected " + steps);
    }
    if (steps == 0) {
      return;
    }
    int n = endLabels[0].length;
    for (int t = 0; t < steps; t++) {
      if (endLabels[t].length != n || out[t].length != n) {
        throw new IllegalArgumentException("step " + t + " does not have " + n + " envs");
      }
    }
    for (int e = 0; e < n; e++) {
      int label = 0;
      for (int t = steps - 1; t >= 0; t--) {
        label = labelAt(endLabels[t][e], label, t, e);
        out[t][e] = label;
      }
    }
  }

  private static int labelAt(int entry, int labelAfter, int step, int env) {
    if (entry == MID_EPISODE) {
      return labelAfter;
    }
    if (entry < 0) {
      throw new IllegalArgumentException(
          "entry " + entry + " at step " + step + ", env " + env + " is neither -1 nor a label >= 0");
    }
    return entry;
  }
}
