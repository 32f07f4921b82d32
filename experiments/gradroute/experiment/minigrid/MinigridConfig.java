package gradroute.experiment.minigrid;

import gradroute.config.ConfigException;
import gradroute.config.Range;
import gradroute.config.Validated;
import gradroute.rl.reinforce.AgentConfig;
import java.util.List;

/**
 * Every knob of the gridworld oversight sweep; the presets are experiments/configs/minigrid/*.json
 * (cpu, quick) and {@code --set key=value} or the command's flags override single keys.
 *
 * @param methods method names (see {@link Method#parse})
 * @param finalEvalEnvs environments of the final evaluation of each policy
 * @param finalEvalSteps steps of the final evaluation
 * @param entropyWeight weight of the entropy bonus (the paper's 0.1)
 * @param gateWeight weight of the gate's label loss (the paper's 0.01)
 * @param commitWeight weight of the optional gate-commitment term (0 in the paper's runs)
 */
public record MinigridConfig(
    List<String> methods,
    @Range(min = 0, max = 1) List<Double> oversight,
    @Range(min = 0, max = 1e6) List<Integer> seeds,
    @Range(min = 1, max = 1 << 16) int nEnvs,
    @Range(min = 1, max = 1 << 16) int stepsPerUpdate,
    @Range(min = 1, max = 1e9) long updates,
    @Range(min = 1e-12, max = 1e12) double lr,
    @Range(min = 1, max = 1e9) int segmentUpdates,
    @Range(min = 0, max = 1e9) int evalEvery,
    @Range(min = 1, max = 1 << 16) int evalEnvs,
    @Range(min = 1, max = 1 << 16) int evalSteps,
    @Range(min = 1, max = 1 << 16) int finalEvalEnvs,
    @Range(min = 1, max = 1 << 16) int finalEvalSteps,
    @Range(min = 0, max = 1e6) double entropyWeight,
    @Range(min = 0, max = 1e6) double gateWeight,
    @Range(min = 0, max = 1e6) double commitWeight) implements Validated {

  public MinigridConfig {
    methods = methods == null ? null : List.copyOf(methods);
    oversight = oversight == null ? null : List.copyOf(oversight);
    seeds = seeds == null ? null : List.copyOf(seeds);
  }

  @Override
  public void validate() {
    if (methods == null) throw new ConfigException("methods: no method given");
    Method.parseList(methods);
    if (oversight == null || oversight.isEmpty()) throw new ConfigException("no oversight level given");
    for (double p : oversight) {
      if (!(p >= 0.0 && p <= 1.0)) throw new ConfigException("oversight levels must be in [0, 1], got " + p);
    }
    if (seeds == null || seeds.isEmpty()) throw new ConfigException("seeds needs at least one seed");
    if (finalEvalEnvs <= 0 || finalEvalSteps <= 0) throw new ConfigException("the final evaluation needs positive envs and steps");
    // the per-run checks (envs, steps, updates, lr, evaluation) run here too, once
    agentConfig(Method.ROUTING, oversight.get(0), 0, nEnvs, stepsPerUpdate, updates, lr, segmentUpdates, evalEvery,
        evalEnvs, evalSteps, entropyWeight, gateWeight, commitWeight);
  }

  public List<Method> methodList() {
    return Method.parseList(methods);
  }

  AgentConfig agent(Method method, double p, int seed) {
    return agentConfig(method, p, seed, nEnvs, stepsPerUpdate, method.updatesFor(updates, p), lr, segmentUpdates,
        evalEvery, evalEnvs, evalSteps, entropyWeight, gateWeight, commitWeight);
  }

  private static AgentConfig agentConfig(Method method, double p, int seed, int nEnvs, int steps, long updates,
      double lr, int segment, int evalEvery, int evalEnvs, int evalSteps, double entropyWeight, double gateWeight,
      double commitWeight) {
    return new AgentConfig(method.recipe(), p, nEnvs, steps, updates, lr, seed, AgentConfig.GAMMA, AgentConfig.VALUE_WEIGHT,
        entropyWeight, gateWeight, commitWeight, segment, evalEvery, evalEnvs, evalSteps);
  }

  /** Total updates of the sweep (the oracle's reduced ones included). */
  public long totalUpdates() {
    long total = 0;
    for (Method m : methodList()) {
      for (double p : oversight) {
        total += m.updatesFor(updates, p) * seeds.size();
      }
    }
    return total;
  }
}
