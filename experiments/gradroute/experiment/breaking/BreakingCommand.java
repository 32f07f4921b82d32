package gradroute.experiment.breaking;

import gradroute.cli.RunOptions;
import gradroute.cli.RunSetup;
import gradroute.experiment.mnist.MnistCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Circuit breaking on MNIST: a learned edge mask breaks a held-out set of 3s, beside random-mask and fine-tuning baselines. */
@Command(name = "mnist-breaking", mixinStandardHelpOptions = true,
    description = {"Circuit breaking on MNIST: a 784-50-5 classifier of digit pairs; a mask over its",
        "first-layer edges (mean-input replacement) is trained to break 30 held-out test 3s while keeping the rest,",
        "then rounded. Baselines: a random mask of the same size, fine-tuning only the mask's edges, fine-tuning everything.",
        "Presets: default, quick; any key overridable with --set KEY=VALUE (keys: experiments/configs/mnist-breaking/default.json).",
        "Writes results/mnist-breaking/<run>/ (summary.json with criteria, criteria.md, methods.csv, mask_history.csv, PNG plots)."})
public final class BreakingCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--quick", description = "small fast run (CI): the 'quick' preset")
  void quick(boolean on) {
    if (on) run.preset("quick");
  }

  @Option(names = "--steps", paramLabel = "N", description = "config key maskSteps")
  void steps(String v) {
    run.set("--steps", "maskSteps", v);
  }

  @Override
  public Integer call() throws Exception {
    RunSetup<BreakingConfig> setup = new RunSetup<>(run, "mnist-breaking", BreakingConfig.class, "default");
    BreakingConfig config = setup.config();
    setup.start(config, (c, dir, device, resume) -> {
      if (!device.is_cpu()) throw new IllegalArgumentException("mnist-breaking runs on the CPU only (a 784-50-5 classifier), got --device " + run.deviceName());
      BreakingRuns.run(c, dir, MnistCommand.digits(c.source(), c.data()));
    });
    return 0;
  }
}
