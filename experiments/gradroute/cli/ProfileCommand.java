package gradroute.cli;

import gradroute.bench.ProfileRun;
import gradroute.profile.Profile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "profile", mixinStandardHelpOptions = true,
    description = {"Runs N steps under libtorch's own profiler and prints the top ops by self CPU time;",
        "writes <out>/ops.csv, ops.json (calls, self and total time, input shapes) and trace.json (Chrome trace)."})
final class ProfileCommand implements Callable<Integer> {
  @Mixin DeviceOption device;

  @Parameters(index = "0", defaultValue = "mnist",
      description = "mnist (the cpu preset's routed step), tinystories, gpt (each also NAME-unrouted), minigrid (one routed gridworld update), route (the routing ops); default: ${DEFAULT-VALUE}")
  String target;

  @Option(names = "--steps", defaultValue = "20", description = "profiled steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--warmup", defaultValue = "5", description = "steps run first, not profiled (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--top", defaultValue = "15", description = "ops printed (default: ${DEFAULT-VALUE})")
  int top;

  @Option(names = "--out", description = "output folder (default: results/profile/<target>)")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path dir = out != null ? out : Path.of("results", "profile", target);
    Profile profile = ProfileRun.run(target, steps, warmup, device.device(), dir);
    System.out.printf("%s: %d steps profiled%n", target, steps);
    System.out.print(profile.table(top));
    System.out.println("written " + dir.resolve("ops.csv") + ", " + dir.resolve("ops.json") + ", " + dir.resolve("trace.json")
        + " (open in chrome://tracing or ui.perfetto.dev)");
    return 0;
  }
}
