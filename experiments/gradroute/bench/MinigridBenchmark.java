package gradroute.bench;

import gradroute.experiment.minigrid.Method;
import gradroute.report.CsvTable;
import gradroute.rl.env.Gridworld;
import gradroute.rl.env.GridworldConfig;
import gradroute.rl.env.Reward;
import gradroute.rl.reinforce.AgentConfig;
import gradroute.rl.reinforce.ReinforceTrainer;
import gradroute.runtime.CpuThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;

/**
 * Throughput of the gridworld experiment: raw environment steps per second, and per update of the
 * REINFORCE trainer (routed and single-expert networks) the time, the transitions per second and the
 * share of the update spent in the environment (which must stay under 25%: the hot path is the one
 * batched forward/backward pass, not Java loops).
 */
public final class MinigridBenchmark {
  public static final double MAX_ENV_SHARE = 0.25;

  public record EnvRow(int envs, long steps, double envStepsPerSecond) {}

  public record TrainerRow(String method, int envs, int stepsPerUpdate, int torchThreads, int blasThreads,
                           int updates, double secondsPerUpdate, double updatesPerSecond, double transitionsPerSecond,
                           double envSecondsPerUpdate, double envShare) {}

  public record Result(String device, boolean quick, List<EnvRow> env, List<TrainerRow> trainer, double maxEnvShare,
                       boolean envShareOk) {}

  private final boolean quick;
  private final int envs;
  private final Device device;

  public MinigridBenchmark(boolean quick, int envs, Device device) {
    if (envs <= 0) {
      throw new IllegalArgumentException("--envs must be positive, got " + envs);
    }
    this.quick = quick;
    this.envs = envs;
    this.device = device;
  }

  public Result run() {
    List<EnvRow> env = new ArrayList<>();
    for (int n : new int[] {envs, 512}) {
      env.add(envRow(n));
    }
    List<TrainerRow> trainer = new ArrayList<>();
    int cores = CpuThreads.torchThreads();
    int blas = CpuThreads.blasThreads();
    try {
      List<int[]> threadSettings = new ArrayList<>();
      threadSettings.add(new int[] {cores, blas});
      if (device.is_cpu() && (cores != 1 || blas != 1)) {
        threadSettings.add(new int[] {1, 1});
      }
      for (int[] threads : threadSettings) {
        if (device.is_cpu()) {
          CpuThreads.set(threads[0], threads[1]);
        }
        for (Method m : new Method[] {Method.ROUTING, Method.NAIVE_OUTCOMES}) {
          trainer.add(trainerRow(m, threads));
        }
      }
    } finally {
      if (device.is_cpu()) {
        CpuThreads.set(cores, blas);
      }
    }
    double worst = trainer.stream().mapToDouble(TrainerRow::envShare).max().orElse(Double.NaN);
    return new Result(device.str().getString(), quick, env, trainer, worst, worst < MAX_ENV_SHARE);
  }

  private EnvRow envRow(int n) {
    Gridworld world = new Gridworld(GridworldConfig.of(n, 0.05, 1), Reward.ROUTING);
    float[] obs = new float[n * world.observationSize()];
    int[][] actions = new int[64][n];
    SplittableRandom r = new SplittableRandom(2);
    for (int[] a : actions) {
      for (int e = 0; e < n; e++) a[e] = r.nextInt(Gridworld.ACTIONS);
    }
    long target = quick ? 200_000 : 2_000_000;
    long steps = Math.max(64, target / n);
    for (int i = 0; i < Math.min(steps, 200); i++) {
      world.step(actions[i % 64]);
      world.observation(obs);
    }
    long start = System.nanoTime();
    for (long i = 0; i < steps; i++) {
      world.step(actions[(int) (i % 64)]);
      world.observation(obs);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new EnvRow(n, steps, steps * (double) n / seconds);
  }

  private TrainerRow trainerRow(Method method, int[] threads) {
    int updates = quick ? 8 : 40;
    AgentConfig config = AgentConfig.of(method.recipe(), 0.05, envs, updates + 3, 1e-3, 7);
    ReinforceTrainer trainer = new ReinforceTrainer(config, device);
    for (int i = 0; i < updates + 3; i++) {
      if (i == 3) trainer.resetTimers(); // warm-up
      try (PointerScope scope = new PointerScope()) {
        trainer.step(i);
      }
    }
    double perUpdate = trainer.secondsPerUpdate();
    double env = trainer.envSecondsPerUpdate();
    return new TrainerRow(method.id(), envs, config.stepsPerUpdate(), threads[0], threads[1], updates, perUpdate,
        1 / perUpdate, envs * (double) config.stepsPerUpdate() / perUpdate, env, env / perUpdate);
  }

  public static String table(Result r) {
    CsvTable env = CsvTable.withColumns("envs", "steps", "env steps/s").withDecimals(0);
    for (EnvRow row : r.env()) env.addRow(row.envs(), row.steps(), row.envStepsPerSecond());
    CsvTable trainer = CsvTable.withColumns("network", "envs", "torch threads", "BLAS threads", "s/update", "updates/s",
        "transitions/s", "env ms/update", "env share").withDecimals(3);
    for (TrainerRow t : r.trainer()) {
      trainer.addRow(t.method().equals(Method.ROUTING.id()) ? "routed" : "single expert", t.envs(), t.torchThreads(),
          t.blasThreads(), t.secondsPerUpdate(), t.updatesPerSecond(), Math.round(t.transitionsPerSecond()),
          t.envSecondsPerUpdate() * 1e3, t.envShare());
    }
    return "gridworld environment (step + observation, random actions)\n" + env.toMarkdown()
        + "\nREINFORCE update (rollout of 32 steps + one batched forward/backward + Adam) on " + r.device() + "\n"
        + trainer.toMarkdown()
        + String.format("%nenvironment share of an update: at most %.2f%% (must be < %.0f%%): %s%n",
            100 * r.maxEnvShare(), 100 * MAX_ENV_SHARE, r.envShareOk() ? "ok" : "TOO HIGH");
  }
}
