package gradroute.cli;

import gradroute.runtime.ErrorText;
import gradroute.runtime.TorchRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gradroute} command line: experiments, data, benchmarks. */
@Command(
    name = "gradroute",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Gradient routing on libtorch: train, steer and ablate networks whose capabilities are routed into chosen parts.",
    subcommands = {
      VersionCommand.class,
      BenchCommand.class,
      ProfileCommand.class,
      DataCommand.class,
      gradroute.experiment.MnistExperiment.class,
      gradroute.experiment.MinigridExperiment.class,
      gradroute.experiment.TinyStoriesExperiment.class,
      gradroute.experiment.NanoGptExperiment.class,
      gradroute.experiment.interactionbasis.LibCommand.class,
      gradroute.experiment.nanogpt.CircuitsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code; bad input ends in one clear line, not a stack trace. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      String verbose = System.getenv("GRADROUTE_DEBUG");
      if (verbose != null && !verbose.isEmpty()) e.printStackTrace();
      commandLine.getErr().println("error: " + ErrorText.oneLine(e));
      return 1;
    });
    return cli.execute(args);
  }

  /** Called by commands before they touch libtorch. */
  static void initRuntime() {
    TorchRuntime.init();
  }
}
