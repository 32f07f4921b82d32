package gradroute.rl.reinforce;

import gradroute.rl.env.Gridworld;
import gradroute.rl.env.GridworldConfig;
import gradroute.runtime.Seeds;

/**
 * One training run of the oversight experiment.
 *
 * @param recipe which agent ({@link AgentRecipe}: network, reward, routing, filtering)
 * @param oversight probability that each terminal cell is overseen in an episode, in [0, 1]
 * @param nEnvs environments stepped together
 * @param stepsPerUpdate rollout length per update (transitions per update = nEnvs × this)
 * @param updates gradient steps
 * @param lr Adam learning rate
 * @param seed seeds the initial weights, the environments and the action sampling
 * @param gamma discount of the returns
 * @param valueWeight weight of the value MSE in the loss
 * @param entropyWeight weight of the entropy bonus (subtracted)
 * @param gateWeight weight of the gate's cross-entropy on labelled steps (routed network only)
 * @param commitWeight weight of an optional term that pushes the gate to commit (binary entropy
 *     of σ(gate) on unlabelled steps, minimised; 0 in the paper's runs)
 * @param segmentUpdates the environments and the action sampler are reseeded from (seed, segment)
 *     every this many updates and checkpoints fall on these boundaries, so a resumed run continues
 *     exactly as an uninterrupted one would
 * @param evalEvery updates between evaluations for the learning curves (0: only at the end)
 * @param evalEnvs environments of an in-training evaluation
 * @param evalSteps steps of an in-training evaluation
 */
public record AgentConfig(
    AgentRecipe recipe,
    double oversight,
    int nEnvs,
    int stepsPerUpdate,
    long updates,
    double lr,
    long seed,
    double gamma,
    double valueWeight,
    double entropyWeight,
    double gateWeight,
    double commitWeight,
    int segmentUpdates,
    int evalEvery,
    int evalEnvs,
    int evalSteps) {

  public static final double GAMMA = 0.97;
  public static final double VALUE_WEIGHT = 0.5;
  public static final double ENTROPY_WEIGHT = 0.1;
  public static final double GATE_WEIGHT = 0.01;
  public static final int STEPS_PER_UPDATE = 32;

  public AgentConfig {
    if (recipe == null) {
      throw new IllegalArgumentException("the agent recipe is missing");
    }
    if (!(oversight >= 0.0 && oversight <= 1.0)) {
      throw new IllegalArgumentException("oversight must be in [0, 1], got " + oversight);
    }
    if (nEnvs <= 0) {
      throw new IllegalArgumentException("the number of envs must be positive, got " + nEnvs);
    }
    if (stepsPerUpdate <= 0) {
      throw new IllegalArgumentException("steps per update must be positive, got " + stepsPerUpdate);
    }
    if (updates < 0) {
      throw new IllegalArgumentException("updates must be >= 0, got " + updates);
    }
    if (!(lr > 0.0 && Double.isFinite(lr))) {
      throw new IllegalArgumentException("the learning rate must be positive and finite, got " + lr);
    }
    if (!(gamma >= 0.0 && gamma <= 1.0)) {
      throw new IllegalArgumentException("gamma must be in [0, 1], got " + gamma);
    }
    for (double c : new double[] {valueWeight, entropyWeight, gateWeight, commitWeight}) {
      if (!(c >= 0.0 && Double.isFinite(c))) {
        throw new IllegalArgumentException("loss weights must be finite and >= 0, got " + c);
      }
    }
    if (segmentUpdates <= 0) {
      throw new IllegalArgumentException("segmentUpdates must be positive, got " + segmentUpdates);
    }
    if (evalEvery < 0 || evalEnvs <= 0 || evalSteps <= 0) {
      throw new IllegalArgumentException("evaluation needs evalEvery >= 0 and positive evalEnvs/evalSteps, got "
          + evalEvery + "/" + evalEnvs + "/" + evalSteps);
    }
    if ((long) nEnvs * stepsPerUpdate * Gridworld.CHANNELS * GridworldConfig.DEFAULT_SIZE * GridworldConfig.DEFAULT_SIZE
        > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(nEnvs + " envs × " + stepsPerUpdate + " steps is too large a rollout");
    }
  }

  /** The paper's loss weights and discount with the given scale. */
  public static AgentConfig of(AgentRecipe recipe, double oversight, int nEnvs, long updates, double lr, long seed) {
    return new AgentConfig(recipe, oversight, nEnvs, STEPS_PER_UPDATE, updates, lr, seed, GAMMA, VALUE_WEIGHT,
        ENTROPY_WEIGHT, GATE_WEIGHT, 0.0, 100, 0, 64, 64);
  }

  public AgentConfig withUpdates(long u) {
    return new AgentConfig(recipe, oversight, nEnvs, stepsPerUpdate, u, lr, seed, gamma, valueWeight, entropyWeight,
        gateWeight, commitWeight, segmentUpdates, evalEvery, evalEnvs, evalSteps);
  }

  public AgentConfig withEvaluation(int every, int envs, int steps) {
    return new AgentConfig(recipe, oversight, nEnvs, stepsPerUpdate, updates, lr, seed, gamma, valueWeight,
        entropyWeight, gateWeight, commitWeight, segmentUpdates, every, envs, steps);
  }

  public AgentConfig withSegmentUpdates(int s) {
    return new AgentConfig(recipe, oversight, nEnvs, stepsPerUpdate, updates, lr, seed, gamma, valueWeight,
        entropyWeight, gateWeight, commitWeight, s, evalEvery, evalEnvs, evalSteps);
  }

  /** The training environments of segment {@code segment}. */
  public GridworldConfig envConfig(long segment) {
    return GridworldConfig.of(nEnvs, oversight, Seeds.mix(seed, 1, segment));
  }
}
