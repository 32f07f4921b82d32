package gradroute.experiment;

import gradroute.experiment.nanogpt.SteerCommand;
import gradroute.experiment.nanogpt.UnlearnCommand;
import picocli.CommandLine.Command;

/** {@code gradroute nanogpt}: the nanoGPT-factrep reproductions: the steering scalar and topic unlearning. */
@Command(name = "nanogpt", mixinStandardHelpOptions = true,
    description = "Gradient routing in a modern GPT on real text: the steering scalar (steer) and topic unlearning without expansion (unlearn).",
    subcommands = {SteerCommand.class, UnlearnCommand.class})
public final class NanoGptExperiment implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
