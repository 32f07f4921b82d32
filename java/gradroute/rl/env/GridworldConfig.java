package gradroute.rl.env;

/**
 * Settings of a {@link Gridworld}: {@code nEnvs} independent {@code size × size} grids, episodes cut
 * at {@code maxSteps}, terminal cells overseen with probability {@code oversightProb} each, every
 * other cell with {@code spuriousOversightProb}.
 */
public record GridworldConfig(
    int nEnvs, int size, int maxSteps, double oversightProb, double spuriousOversightProb, long seed) {

  public static final int DEFAULT_SIZE = 5;
  public static final int DEFAULT_MAX_STEPS = 32;

  public GridworldConfig {
    if (nEnvs <= 0) {
      throw new IllegalArgumentException("nEnvs must be positive, got " + nEnvs);
    }
    if (size < 2) {
      throw new IllegalArgumentException(
          "size must be at least 2 (the agent, ghost and diamond need 3 distinct cells), got " + size);
    }
    if (maxSteps <= 0) {
      throw new IllegalArgumentException("maxSteps must be positive, got " + maxSteps);
    }
    requireProbability("oversightProb", oversightProb);
    requireProbability("spuriousOversightProb", spuriousOversightProb);
    long observationFloats = (long) nEnvs * Gridworld.CHANNELS * size * size;
    if (observationFloats > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "nEnvs × 4 × size² = " + observationFloats + " floats does not fit in one Java array");
    }
  }

  /** The paper's grid: 5×5, 32 steps, no spurious oversight. */
  public static GridworldConfig of(int nEnvs, double oversightProb, long seed) {
    return new GridworldConfig(nEnvs, DEFAULT_SIZE, DEFAULT_MAX_STEPS, oversightProb, 0.0, seed);
  }

  public GridworldConfig withNEnvs(int n) {
    return new GridworldConfig(n, size, maxSteps, oversightProb, spuriousOversightProb, seed);
  }

  public GridworldConfig withSeed(long s) {
    return new GridworldConfig(nEnvs, size, maxSteps, oversightProb, spuriousOversightProb, s);
  }

  public int cells() {
    return size * size;
  }

  private static void requireProbability(String name, double p) {
    if (!(p >= 0.0 && p <= 1.0)) { // also rejects NaN
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + p);
    }
  }
}
