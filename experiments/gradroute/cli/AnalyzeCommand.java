package gradroute.cli;

import com.fasterxml.jackson.databind.JsonNode;
import gradroute.experiment.circuits.CircuitsAnalysis;
import gradroute.experiment.interactionbasis.LibAnalysis;
import gradroute.experiment.nanogpt.NanoGptCommand;
import gradroute.experiment.nanogpt.NanoGptRunFolder;
import gradroute.experiment.nanogpt.SteeringAnalysis;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradroute analyze --run DIR}: the analysis that fits a finished run, chosen by the
 * experiment its config.json names, so one command opens any run folder.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = {"Analyse a finished run folder with the tool for its experiment (read from its config.json):",
        "  tinystories       zero-ablation of each component of every saved model (as 'tinystories analyze')",
        "  nanogpt unlearn   circuit discovery scored against the routed neurons (as 'circuits --run')",
        "  nanogpt steer     the steering readout of residual dim 0, from the folder's models and tokenizer",
        "  mnist             the local interaction basis of the autoencoders (as 'lib --run-dir')",
        "Writes into the run folder: analysis/, circuits/ or lib/."})
public final class AnalyzeCommand implements Callable<Integer> {
  /** The experiments analyze has an analysis for, in its error message. */
  static final List<String> SUPPORTED = List.of("tinystories", "nanogpt (steer, unlearn)", "mnist");

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "the run folder, e.g. results/nanogpt/q")
  Path run;

  @Option(names = "--quick", description = "the analyses' small settings (mnist: 300 basis images, 3 classifier epochs; unlearn: 8 prompt windows)")
  boolean quick;

  @Mixin DeviceOption device;

  @Override
  public Integer call() throws Exception {
    String experiment = experimentOf(run);
    TorchRuntime.init();
    Device dev = device.device();
    switch (experiment) {
      case "tinystories" -> gradroute.experiment.tinystories.TinyStoriesAnalysis.run(run, List.of(), dev);
      case NanoGptCommand.EXPERIMENT -> {
        NanoGptRunFolder folder = NanoGptRunFolder.open(run);
        if (folder.kind() == NanoGptRunFolder.Kind.UNLEARN) CircuitsAnalysis.run(run, quick ? 8 : 16, 5, 9, dev);
        else SteeringAnalysis.run(run, dev);
      }
      case "mnist" -> LibAnalysis.run(run, new LibAnalysis.Options(quick, null, null, null));
      default -> throw new IllegalArgumentException("analyze has no analysis for '" + experiment + "' runs (" + run + "); it supports "
          + String.join(", ", SUPPORTED));
    }
    return 0;
  }

  /** The experiment a run folder's config.json names; a folder without one is a clear error. */
  static String experimentOf(Path dir) throws java.io.IOException {
    Path record = dir.resolve(RunDirectory.CONFIG_FILE);
    if (!Files.isRegularFile(record)) {
      throw new IllegalArgumentException(dir + " is not a run folder (no " + RunDirectory.CONFIG_FILE + "); give --run <out>/<experiment>/<run>");
    }
    JsonNode experiment = Json.readTree(record).get("experiment");
    if (experiment == null || !experiment.isTextual()) throw new IllegalArgumentException(record + " names no experiment");
    return experiment.asText();
  }
}
