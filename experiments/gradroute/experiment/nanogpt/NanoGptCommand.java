package gradroute.experiment.nanogpt;

import picocli.CommandLine.Command;

/** {@code gradroute nanogpt}: the nanoGPT-factrep reproductions: the steering scalar and topic unlearning. */
@Command(name = "nanogpt", mixinStandardHelpOptions = true,
    description = "Gradient routing in a modern GPT on real text: the steering scalar (steer) and topic unlearning without expansion (unlearn).",
    subcommands = {SteerCommand.class, UnlearnCommand.class, SteeringCurveCommand.class})
public final class NanoGptCommand implements Runnable {
  /** The results folder of both subcommands: {@code <out>/nanogpt/<run>/}. */
  public static final String EXPERIMENT = "nanogpt";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
