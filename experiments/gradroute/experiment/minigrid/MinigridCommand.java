package gradroute.experiment.minigrid;

import gradroute.cli.RunOptions;
import gradroute.cli.RunSetup;
import gradroute.report.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradroute minigrid}: the gridworld scalable-oversight experiment (gradient routing vs naive
 * outcome rewards, filtering, an oracle and a no-routing control) over oversight levels and seeds.
 * The presets are experiments/configs/minigrid/*.json: cpu (default: 1% oversight, where the
 * done-when criteria are judged), figure (the paper's curve over six oversight levels, with the
 * no_gate ablation) and quick.
 *
 * <p>The one change from the paper's loss in the CPU presets: an entropy bonus of 0.01, not 0.1.
 * With γ = 0.97 a step towards a terminal is worth only about 6% of the return more than a step
 * away, so a bonus of 0.1 holds every policy near uniform for the few thousand updates a CPU affords
 * (entropy 1.2 of 1.39 after 1800 updates); at 0.01 the steered agent's unseen-ghost rate at 1%
 * oversight fell from 0.40 to 0.30 in the calibration runs (README, "Gridworld").
 */
@Command(name = "minigrid", mixinStandardHelpOptions = true,
    description = {
      "Gridworld scalable oversight: train routed, naive, filtering, oracle and control agents at each oversight level,",
      "steer the routed agent to its diamond expert, and compare how often each reaches a ghost nobody oversees.",
      "Writes <out>/minigrid/<run>/: summary.json, summary.csv, runs.csv, plots/, steered_episode.png, runs/<id>/."})
public final class MinigridCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--quick", description = "a small smoke-test sweep (under 2 minutes on 2 cores): the 'quick' preset")
  void quick(boolean on) {
    if (on) run.preset("quick");
  }

  @Option(names = "--oversight", paramLabel = "P", description = "oversight levels, each in [0, 1] (default 0.01; figure preset 0.005,0.01,0.02,0.05,0.1,0.2; quick 0.05,0.2)")
  void oversight(String v) {
    run.set("--oversight", "oversight", v);
  }

  @Option(names = "--method", paramLabel = "M",
      description = "routed|naive|filter|oracle|control|nogate|all, comma list (default routed,naive,filter,oracle; figure adds nogate; quick all)")
  void methods(String v) {
    run.set("--method", "methods", v);
  }

  @Option(names = "--updates", paramLabel = "N", description = "gradient updates per run (default 7200; quick 30); the oracle gets oversight × as many")
  void updates(String v) {
    run.set("--updates", "updates", v);
  }

  @Option(names = "--envs", paramLabel = "N", description = "environments stepped together, transitions per update = envs × 32 (default 32; quick 16)")
  void envs(String v) {
    run.set("--envs", "nEnvs", v);
  }

  @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate (default 1e-3)")
  void lr(String v) {
    run.set("--lr", "lr", v);
  }

  @Option(names = "--entropy-weight", paramLabel = "X", description = "weight of the entropy bonus (default 0.01; paper: 0.1)")
  void entropyWeight(String v) {
    run.set("--entropy-weight", "entropyWeight", v);
  }

  @Option(names = "--gate-weight", paramLabel = "X", description = "weight of the gate's label loss (paper: 0.01)")
  void gateWeight(String v) {
    run.set("--gate-weight", "gateWeight", v);
  }

  @Option(names = "--commit-weight", paramLabel = "X", description = "weight of the optional term pushing the gate to commit on unlabelled steps (paper: 0)")
  void commitWeight(String v) {
    run.set("--commit-weight", "commitWeight", v);
  }

  @Mixin gradroute.cli.WorkersOption workers;

  @Option(names = "--same-as", paramLabel = "RUN",
      description = "a finished run of the same config (folder name under <out>/minigrid) made with other --workers or thread settings: the summary's criteria say whether the two summaries are the same")
  String sameAs;

  private int parallelRuns(org.bytedeco.pytorch.Device dev) {
    return workers.resolve(dev.is_cpu());
  }

  @Override
  public Integer call() throws Exception {
    workers.check();
    RunSetup<MinigridConfig> setup = new RunSetup<>(run, "minigrid", MinigridConfig.class, "cpu");
    setup.start(setup.config(), (settings, dir, dev, resume) -> {
      System.out.printf("minigrid: %d runs, %d updates in all, on %s (%d side by side) -> %s%n",
          settings.methodList().size() * settings.oversight().size() * settings.seeds().size(), settings.totalUpdates(),
          run.deviceName(), parallelRuns(dev), dir.root());
      OversightSweep sweep = new OversightSweep(settings, dev, dir, resume, parallelRuns(dev));
      if (sameAs != null) {
        Path other = dir.root().getParent().resolve(sameAs).resolve("summary.json");
        if (!Files.exists(other)) throw new IllegalArgumentException("--same-as: no summary at " + other);
        sweep.sameAs(sameAs, Json.read(other, OversightSweep.Summary.class).cells());
      }
      sweep.run();
    });
    return 0;
  }
}
