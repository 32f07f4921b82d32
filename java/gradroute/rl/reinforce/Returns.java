package gradroute.rl.reinforce;

/** Discounted returns over a rollout laid out {@code [steps][nEnvs]}. */
public final class Returns {
  private Returns() {}

  /** See {@link #discounted(float[][], boolean[][], double, float[][])}. */
  public static float[][] discounted(float[][] rewards, boolean[][] dones, double gamma) {
    float[][] out = new float[rewards.length][];
    for (int t = 0; t < rewards.length; t++) {
      out[t] = new float[rewards[t].length];
    }
    discounted(rewards, dones, gamma, out);
    return out;
  }

  /**
   * {@code G[t] = r[t] + γ·G[t+1]}, computed backwards within each env, restarting after every step
   * where {@code dones[t][e]}; steps after the last episode end of the rollout see no future reward
   * (no bootstrap). {@code out} may be {@code rewards} itself.
   */
  public static void discounted(float[][] rewards, boolean[][] dones, double gamma, float[][] out) {
    if (!(gamma >= 0.0 && gamma <= 1.0)) {
      throw new IllegalArgumentException("gamma must be in [0, 1], got " + gamma);
    }
    int steps = rewards.length;
    if (dones.length != steps || out.length != steps) {
      throw new IllegalArgumentException("rewards, dones and out must have the same number of steps");
    }
    if (steps == 0) {
      return;
    }
    int n = rewards[0].length;
    for (int t = 0; t < steps; t++) {
      if (rewards[t].length != n || dones[t].length != n || out[t].length != n) {
        throw new IllegalArgumentException("step " + t + " does not have " + n + " envs");
      }
    }
    float g = (float) gamma;
    System.arraycopy(rewards[steps - 1], 0, out[steps - 1], 0, n);
    for (int t = steps - 2; t >= 0; t--) {
      float[] r = rewards[t];
      boolean[] done = dones[t];
      float[] next = out[t + 1];
      float[] here = out[t];
      for (int e = 0; e < n; e++) {
        here[e] = done[e] ? r[e] : r[e] + g * next[e];
      }
    }
  }
}
