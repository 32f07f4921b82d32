package gradroute.cli;

import gradroute.bench.BenchResults;
import gradroute.bench.MemoryBenchmark;
import gradroute.bench.MinigridBenchmark;
import gradroute.bench.RouteBenchmark;
import gradroute.bench.TrainBenchmark;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks.",
    subcommands = {BenchCommand.Route.class, BenchCommand.Minigrid.class, BenchCommand.Memory.class, BenchCommand.Train.class},
    mixinStandardHelpOptions = true)
public final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "route", mixinStandardHelpOptions = true,
      description = "Forward+backward time and peak memory of the routing ops: native vs reference formula vs Java hook.")
  static final class Route implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Option(names = "--quick", description = "smaller sizes and fewer repetitions (CI)")
    boolean quick;

    @Option(names = "--routers", split = ",", defaultValue = "native,reference,hook",
        description = "which implementations to time (default: ${DEFAULT-VALUE})")
    List<String> routers;

    @Option(names = "--out", defaultValue = "results/bench/route.json", description = "result file (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
      for (String r : routers) {
        if (!List.of("native", "reference", "hook").contains(r)) {
          throw new IllegalArgumentException("--routers: unknown implementation '" + r + "' (native, reference, hook)");
        }
      }
      RouteBenchmark.Result result = new RouteBenchmark(quick, routers, device.device()).run();
      System.out.println(RouteBenchmark.table(result));
      BenchResults.write("route", result, out);
      System.out.println("written " + out);
      return 0;
    }
  }

  @Command(name = "minigrid", mixinStandardHelpOptions = true,
      description = "Gridworld experiment throughput: env steps/s, updates/s and the environment's share of an update (< 25%%).")
  static final class Minigrid implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Option(names = "--quick", description = "fewer steps and updates (CI)")
    boolean quick;

    @Option(names = "--envs", defaultValue = "32", description = "environments per update (default: ${DEFAULT-VALUE})")
    int envs;

    @Option(names = "--out", defaultValue = "results/bench/minigrid.json", description = "result file (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
      MinigridBenchmark.Result result = new MinigridBenchmark(quick, envs, device.device()).run();
      System.out.println(MinigridBenchmark.table(result));
      BenchResults.write("minigrid", result, out);
      System.out.println("written " + out);
      return result.envShareOk() ? 0 : 1;
    }
  }

  @Command(name = "memory", mixinStandardHelpOptions = true,
      description = "RSS growth (MiB per 1000 steps) of a long route loop and a long training loop, with and without the per-step scope.")
  static final class Memory implements Callable<Integer> {
    @Option(names = "--quick", description = "fewer steps (CI)")
    boolean quick;

    @Option(names = "--out", defaultValue = "results/bench/memory.json", description = "result file (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
      MemoryBenchmark.Result result = new MemoryBenchmark(quick).run();
      System.out.println(MemoryBenchmark.table(result));
      BenchResults.write("memory", result, out);
      System.out.println("written " + out);
      return 0;
    }
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = {"Training steps/s of the MNIST cpu preset, the TinyStories demo transformer and a larger GPT, with and",
          "without routing, against the same models in PyTorch for Python (experiments/python/train_bench.py), interleaved."})
  static final class Train implements Callable<Integer> {
    @Mixin DeviceOption device;

    @Option(names = "--quick", description = "one short round, a short long run (CI); the Python side still runs when torch is there")
    boolean quick;

    @Option(names = "--models", split = ",", description = "models (default: mnist,tinystories,gpt; --quick: mnist,tinystories)")
    List<String> models;

    @Option(names = "--no-python", description = "time the gradroute side only")
    boolean noPython;

    @Option(names = "--rounds", description = "interleaved rounds (default: 5, --quick 1)")
    Integer rounds;

    @Option(names = "--long-steps", description = "steps of the long MNIST run for last-tenth/first-tenth steps/s (default: 1920, the cpu preset's run; --quick 100; 0 skips it)")
    Integer longSteps;

    @Option(names = "--python-script", defaultValue = "experiments/python/train_bench.py", description = "the Python side (default: ${DEFAULT-VALUE})")
    Path script;

    @Option(names = "--out", defaultValue = "results/bench/train.json", description = "result file (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
      int r = rounds != null ? rounds : quick ? 1 : 5;
      int drift = longSteps != null ? longSteps : quick ? 100 : 1920;
      List<String> m = models != null ? models : quick ? List.of("mnist", "tinystories") : List.of("mnist", "tinystories", "gpt");
      TrainBenchmark.Result result = new TrainBenchmark(quick, m, r, drift, device.device(), noPython ? null : script).run();
      System.out.println(TrainBenchmark.table(result));
      BenchResults.write("train", result, out);
      System.out.println("written " + out);
      return 0;
    }
  }
}
