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
      gradroute.experiment.mnist.MnistCommand.class,
      gradroute.experiment.minigrid.MinigridCommand.class,
      gradroute.experiment.tinystories.TinyStoriesCommand.class,
      gradroute.experiment.nanogpt.NanoGptCommand.class,
      gradroute.experiment.interactionbasis.LibCommand.class,
      gradroute.experiment.breaking.BreakingCommand.class,
      gradroute.experiment.circuits.CircuitsCommand.class,
      AnalyzeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    Thread interrupted = new Thread(() -> System.err.println(
        "gradroute: stopped by a signal (SIGINT/SIGTERM) before the command finished; a run with checkpoints continues with --resume --run NAME"));
    Runtime.getRuntime().addShutdownHook(interrupted);
    int rc = run(args);
    Runtime.getRuntime().removeShutdownHook(interrupted); // finished: exiting is not an interruption
    System.exit(rc);
  }

  /** Runs the CLI and returns its exit code; bad input ends in one clear line, not a stack trace. */
  public static int run(String... args) {
    optIntoFlushDenormal();
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      String verbose = System.getenv("GRADROUTE_DEBUG");
      if (verbose != null && !verbose.isEmpty()) e.printStackTrace();
      commandLine.getErr().println("error: " + ErrorText.oneLine(e));
      return 1;
    });
    return cli.execute(args);
  }

  /**
   * The CLI opts into flush-to-zero (see {@link TorchRuntime}; a library user decides for
   * themselves) unless {@value TorchRuntime#FLUSH_DENORMAL_ENV} or {@code
   * -D}{@value TorchRuntime#FLUSH_DENORMAL_PROPERTY} says otherwise: every later {@link
   * TorchRuntime#init()} then turns it on.
   */
  static void optIntoFlushDenormal() {
    if (System.getProperty(TorchRuntime.FLUSH_DENORMAL_PROPERTY) == null && System.getenv(TorchRuntime.FLUSH_DENORMAL_ENV) == null) {
      System.setProperty(TorchRuntime.FLUSH_DENORMAL_PROPERTY, "true");
    }
  }
}
