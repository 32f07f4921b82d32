package gradroute.rl.reinforce;

import gradroute.rl.agent.PolicyNetwork;
import gradroute.rl.agent.PolicyView;
import gradroute.rl.agent.RoutedPolicy;
import gradroute.rl.agent.SingleExpertPolicy;
import gradroute.rl.agent.ValueNetwork;
import gradroute.rl.env.Gridworld;
import gradroute.rl.env.GridworldConfig;
import gradroute.rl.env.StepResult;
import gradroute.runtime.Seeds;
import gradroute.train.ModuleState;
import gradroute.train.Trainable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * REINFORCE with a value baseline for one {@link AgentConfig}. Each {@link #step} rolls out
 * {@code stepsPerUpdate} steps in every environment (one no-grad policy forward per step, actions
 * sampled in Java), computes discounted returns and episode outcomes, and takes one Adam step on the
 * {@link ReinforceLoss} of one batched forward pass over the whole rollout.
 *
 * <p>Reproducible and resumable: the initial weights come from the run's seed; the environments and
 * the action sampler are reseeded from (seed, segment) every {@link AgentConfig#segmentUpdates()}
 * updates, so a run resumed from a checkpoint at a segment boundary (where {@link
 * gradroute.train.TrainingLoop} checkpoints when given the same interval) continues exactly as an
 * uninterrupted one. Checkpoints hold the policy, the value network and Adam's state.
 *
 * <p>Construct outside any {@link org.bytedeco.javacpp.PointerScope}: networks, optimiser and the
 * rollout buffer live across steps. {@code device} null means the CPU.
 */
public final class ReinforceTrainer implements Trainable {
  private static final Object INIT_LOCK = new Object();

  private final AgentConfig config;
  private final Device device;
  private final PolicyNetwork policy;
  private final ValueNetwork value;
  private final Adam optimizer;
  private final RolloutBuffer buffer;
  private final int size;
  private final float[] observationScratch;
  private final int[] actions;
  private final boolean cpu;
  private Gridworld world;
  private SplittableRandom sampler;
  private long envNanos;
  private long stepNanos;
  private long stepsTimed;

  public ReinforceTrainer(AgentConfig config, Device device) {
    this.config = config;
    this.device = device;
    this.cpu = device == null || device.is_cpu();
    this.size = GridworldConfig.DEFAULT_SIZE;
    // the global generator seeds the initial weights: one trainer at a time, so parallel runs stay reproducible
    synchronized (INIT_LOCK) {
      torch.manual_seed(Seeds.mix(config.seed(), 0, 0));
      policy = config.recipe().routedNetwork() ? RoutedPolicy.forGrid(size, config.recipe().gated()) : SingleExpertPolicy.forGrid(size);
      value = ValueNetwork.forGrid(size);
    }
    if (!cpu) {
      policy.to(device, false);
      value.to(device, false);
    }
    Tensor[] p = policy.parameters().get();
    Tensor[] v = value.parameters().get();
    Tensor[] all = Arrays.copyOf(p, p.length + v.length);
    System.arraycopy(v, 0, all, p.length, v.length);
    optimizer = new Adam(new TensorVector(all), new AdamOptions(config.lr()));
    buffer = new RolloutBuffer(config.stepsPerUpdate(), config.nEnvs(), Gridworld.CHANNELS, size);
    observationScratch = new float[config.nEnvs() * Gridworld.CHANNELS * size * size];
    actions = new int[config.nEnvs()];
  }

  public AgentConfig config() {
    return config;
  }

  public PolicyNetwork policy() {
    return policy;
  }

  public ValueNetwork value() {
    return value;
  }

  /** The loss and its terms (policy, value, gate, entropy) are checked for divergence; the rates may be NaN. */
  @Override
  public boolean isLossTerm(String name) {
    return name.equals("loss") || name.endsWith("_loss") || name.equals("entropy");
  }

  @Override
  public Map<String, Double> step(long step) {
    long start = System.nanoTime();
    if (world == null || step % config.segmentUpdates() == 0) {
      long segment = step / config.segmentUpdates();
      world = new Gridworld(config.envConfig(segment), config.recipe().reward());
      sampler = new SplittableRandom(Seeds.mix(config.seed(), 2, segment));
    }
    RolloutStats stats = rollout();
    Map<String, Double> metrics = update(stats);
    stepNanos += System.nanoTime() - start;
    stepsTimed++;
    if (config.evalEvery() > 0 && (step % config.evalEvery() == 0 || step == config.updates() - 1)) {
      Evaluation.Result r = evaluate(config.recipe().evaluatedView(), config.evalEnvs(), config.evalSteps(), Seeds.mix(config.seed(), 3, step));
      metrics.put("eval_return", r.meanReturn());
      metrics.put("eval_ghost_rate_unseen", r.ghostRateGhostUnseen());
      metrics.put("eval_diamond_rate_unseen", r.diamondRateGhostUnseen());
      if (config.recipe().routedNetwork()) {
        // each expert on its own, so a run's history shows whether (and when) the experts split
        for (PolicyView expert : new PolicyView[] {PolicyView.DIAMOND, PolicyView.GHOST}) {
          Evaluation.Result e = evaluate(expert, config.evalEnvs(), config.evalSteps(), Seeds.mix(config.seed(), 3, step));
          metrics.put("eval_" + expert.label() + "_expert_diamond_rate", e.diamondRate());
          metrics.put("eval_" + expert.label() + "_expert_ghost_rate", e.ghostRate());
        }
      }
    }
    return metrics;
  }

  /** Evaluates {@code view} on {@code envs} fresh environments for {@code steps} steps. */
  public Evaluation.Result evaluate(PolicyView view, int envs, int steps, long seed) {
    return Evaluation.run(policy, view, GridworldConfig.of(envs, config.oversight(), seed), steps, device);
  }

  private static final class RolloutStats {
    long episodes;
    long diamond;
    long ghost;
    long unseenGhost;
    long overseenTerminal;
  }

  private RolloutStats rollout() {
    RolloutStats s = new RolloutStats();
    int n = config.nEnvs();
    for (int t = 0; t < buffer.steps(); t++) {
      long e0 = System.nanoTime();
      world.observation(observationScratch);
      envNanos += System.nanoTime() - e0;
      buffer.writeObservations(t, observationScratch);
      try (NoGradGuard guard = new NoGradGuard()) {
        Tensor x = buffer.observationsAt(t);
        if (!cpu) {
          x = x.to(device, x.scalar_type());
        }
        ActionSampler.sample(policy.logits(x, PolicyView.TRAINING), sampler, actions);
      }
      long e1 = System.nanoTime();
      StepResult r = world.step(actions);
      envNanos += System.nanoTime() - e1;
      buffer.record(t, actions, r);
      boolean[] done = r.done();
      for (int e = 0; e < n; e++) {
        if (done[e]) {
          s.episodes++;
          boolean overseen = r.oversight()[e] == 1;
          if (r.reachedDiamond()[e] == 1) s.diamond++;
          if (r.reachedGhost()[e] == 1) {
            s.ghost++;
            if (!overseen) s.unseenGhost++;
          }
          if (overseen && (r.reachedDiamond()[e] == 1 || r.reachedGhost()[e] == 1)) s.overseenTerminal++;
        }
      }
    }
    return s;
  }

  private Map<String, Double> update(RolloutStats stats) {
    int rows = buffer.rows();
    float[] returns = buffer.returns(config.gamma());
    int[] outcomes = buffer.outcomes();
    Tensor obs = Evaluation.onDevice(buffer.observations(), device);
    ReinforceLoss.Parts loss = ReinforceLoss.compute(config, policy, value, obs, returns, buffer.actions(), outcomes, device);
    optimizer.zero_grad();
    loss.total().backward();
    // torch::optim's own step, not FusedAdam: the update is matrix-product bound (Adam is about 2 %
    // of it, `./gradroute profile minigrid`), and the fused kernel's rounding would change every
    // seed's trajectory and with it the README's measured tables
    optimizer.step();

    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", (double) loss.total().item_float());
    double episodes = stats.episodes;
    m.put("train_true_return", episodes == 0 ? Double.NaN : (stats.diamond - stats.ghost) / episodes);
    m.put("train_ghost_rate", episodes == 0 ? Double.NaN : stats.ghost / episodes);
    m.put("entropy", (double) loss.entropy().item_float());
    m.put("pg_loss", (double) loss.policy().item_float());
    m.put("value_loss", (double) loss.value().item_float());
    m.put("train_diamond_rate", episodes == 0 ? Double.NaN : stats.diamond / episodes);
    m.put("train_unseen_ghost_rate", episodes == 0 ? Double.NaN : stats.unseenGhost / episodes);
    m.put("episodes", episodes);
    m.put("labelled_episodes", (double) stats.overseenTerminal);
    if (loss.gateLogit() != null) {
      m.put("gate_loss", loss.gate() == null ? 0.0 : loss.gate().item_float());
      m.put("labelled_fraction", loss.labelledRows() / (double) rows);
      GateStatistics.put(gradroute.runtime.TensorArrays.toFloats(loss.gateLogit()), outcomes, m);
    }
    if (config.recipe().filtersUnseen()) {
      m.put("kept_fraction", loss.keptRows() / rows);
    }
    return m;
  }

  /** Seconds spent in environment calls (step and observation) per update, on average so far. */
  public double envSecondsPerUpdate() {
    return stepsTimed == 0 ? Double.NaN : envNanos / 1e9 / stepsTimed;
  }

  /** Seconds per update (rollout and gradient step, without evaluation), on average so far. */
  public double secondsPerUpdate() {
    return stepsTimed == 0 ? Double.NaN : stepNanos / 1e9 / stepsTimed;
  }

  public void resetTimers() {
    envNanos = 0;
    stepNanos = 0;
    stepsTimed = 0;
  }

  @Override
  public void save(OutputArchive archive) {
    OutputArchive p = new OutputArchive();
    ModuleState.save(policy, p);
    archive.write("policy", p);
    OutputArchive v = new OutputArchive();
    ModuleState.save(value, v);
    archive.write("value", v);
    OutputArchive o = new OutputArchive();
    optimizer.save(o);
    archive.write("optimizer", o);
  }

  @Override
  public void load(InputArchive archive) {
    InputArchive p = new InputArchive();
    archive.read("policy", p);
    ModuleState.load(policy, p);
    InputArchive v = new InputArchive();
    archive.read("value", v);
    ModuleState.load(value, v);
    InputArchive o = new InputArchive();
    archive.read("optimizer", o);
    ModuleState.loadOptimizer(optimizer, o);
    world = null; // the next step reseeds from its segment
  }
}
