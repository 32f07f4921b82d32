package gradroute.experiment.tinystories;

import gradroute.cli.DeviceOption;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gradroute tinystories analyze}: where does the forest knowledge live in a trained run's models? */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = {"Zero-ablate, one at a time, each layer's attention output, MLP output and (on expanded ERA/control models) "
        + "added MLP units of a finished tinystories run's models, and report forget, retain and forest-topic-token loss for each.",
        "Writes analysis/<model>.csv, analysis/analysis.md and plots/analysis_<model>.png into the run folder."})
public final class TinyStoriesAnalyzeCommand implements Callable<Integer> {
  @Mixin DeviceOption device;

  @Option(names = "--out", defaultValue = "results", paramLabel = "DIR", description = "results root (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--run", paramLabel = "NAME", description = "the run folder under <out>/tinystories/")
  String runName;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "the run folder itself (instead of --out/--run)")
  Path runDir;

  @Option(names = "--model", split = ",", paramLabel = "NAME",
      description = "models/<NAME>.pt to analyse, e.g. s0-era-p1.0,s0-control (default: every saved model)")
  List<String> models;

  @Override
  public Integer call() throws Exception {
    if ((runDir == null) == (runName == null)) throw new IllegalArgumentException("give either --run NAME or --run-dir DIR");
    Path dir = runDir != null ? runDir : out.resolve("tinystories").resolve(runName);
    TorchRuntime.init();
    TinyStoriesAnalysis.run(dir, models == null ? List.of() : List.copyOf(models), device.device());
    return 0;
  }
}
