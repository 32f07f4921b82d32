package gradroute.experiment.interactionbasis;

import gradroute.data.ImageDataset;
import gradroute.data.TrainTest;
import gradroute.experiment.ConsoleSummary;
import gradroute.experiment.mnist.MnistCommand;
import gradroute.experiment.mnist.MnistConfig;
import gradroute.experiment.mnist.SplitAutoencoder;
import gradroute.interactionbasis.MlpStack;
import gradroute.report.Criterion;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.runtime.TorchRuntime;
import gradroute.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * The local interaction basis of a finished MNIST run's autoencoders, and the classifier check:
 * writes {@code <run>/lib/} (published whole) and prints the console summary.
 */
public final class LibAnalysis {
  /** Seed of the image samples the bases are built and scored on (fixed: the same images for every model). */
  static final long SAMPLE_SEED = 20241004L;

  /**
   * The analysis' sizes; a null one takes its default (quick or full).
   *
   * @param quick small and fast: 300 images build the bases, 500 test, 3 classifier epochs
   * @param samples training images the bases are built from (default 2000)
   * @param testImages test images the ablations are scored on (default all)
   * @param classifierEpochs epochs of the classifier check, 0 to skip it (default 30)
   */
  public record Options(boolean quick, Integer samples, Integer testImages, Integer classifierEpochs) {}

  private LibAnalysis() {}

  /** Analyses the MNIST run in {@code dir}. */
  public static LibReport.Summary run(Path dir, Options o) throws java.io.IOException {
    if (!Files.isRegularFile(dir.resolve(RunDirectory.CONFIG_FILE))) {
      throw new IllegalArgumentException(dir + " is not an MNIST run folder (no " + RunDirectory.CONFIG_FILE + "); run ./gradroute mnist --run NAME first");
    }
    int buildCount = positive("--samples", o.samples() != null ? o.samples() : o.quick() ? 300 : 2000);
    int epochs = o.classifierEpochs() != null ? o.classifierEpochs() : o.quick() ? 3 : 30;
    if (epochs < 0) throw new IllegalArgumentException("--classifier-epochs must be 0 or more, got " + epochs);
    TorchRuntime.init();
    long start = System.nanoTime();
    MnistConfig config = Json.mapper().treeToValue(Json.readTree(dir.resolve(RunDirectory.CONFIG_FILE)).get("config"), MnistConfig.class);
    if (config == null) throw new IllegalArgumentException(dir.resolve(RunDirectory.CONFIG_FILE) + " holds no MNIST config");
    TrainTest digits = MnistCommand.digits(config);
    ImageDataset train = digits.train();
    int testCount = positive("--test-images", Math.min(digits.test().count(), o.testImages() != null ? o.testImages() : o.quick() ? 500 : digits.test().count()));
    if (buildCount > train.count()) throw new IllegalArgumentException("--samples " + buildCount + " exceeds the " + train.count() + " training images");
    // the digit files are stored one digit after another: sample, or the first images are all 0s and 1s
    ImageDataset build = sample(train, buildCount, SAMPLE_SEED);
    ImageDataset test = sample(digits.test(), testCount, SAMPLE_SEED + 1);
    int width = train.pixelsPerImage();
    Tensor trainImages = Tensor.create(train.pixelsMinusOneToOne(), train.count(), width);
    Tensor buildImages = Tensor.create(build.pixelsMinusOneToOne(), buildCount, width);
    Tensor testSet = Tensor.create(test.pixelsMinusOneToOne(), testCount, width);
    int[] testLabels = test.labels();

    List<AutoencoderAnalysis.Result> models = new ArrayList<>();
    for (long seed : config.seeds()) {
      for (String kind : new String[] {"routed", "control"}) {
        Checkpoint checkpoint = new Checkpoint(dir.resolve("checkpoints"), kind + "-seed" + seed);
        if (!checkpoint.exists()) continue;
        SplitAutoencoder model = new SplitAutoencoder(width, config.hidden(), config.latent(), config.splitDecoders());
        checkpoint.loadModel(model);
        MlpStack stack = MlpStack.of(false, model.encoder(), model.decoder());
        Tensor encoderLast = model.encoder().layer(model.encoder().depth() - 1).weight();
        System.out.printf("lib: %s seed %d ...%n", kind, seed);
        models.add(new AutoencoderAnalysis(stack, model.encoder().depth(), encoderLast)
            .analyse(kind, seed, kind.equals("routed"), buildImages, build.labels(), testSet, testLabels));
      }
    }
    if (models.isEmpty()) throw new IllegalArgumentException("the run " + dir + " has no finished model checkpoints (checkpoints/routed-seed*.json)");
    List<ClassifierCheck.Result> classifier = new ArrayList<>();
    int step = o.quick() ? 25 : 5;
    if (epochs > 0) {
      ClassifierCheck check = new ClassifierCheck(new int[] {width, 100, 100, 10}, epochs, 128, 1e-3);
      for (long seed : config.seeds()) {
        System.out.printf("lib: classifier seed %d ...%n", seed);
        classifier.add(check.run(seed, trainImages, train.labels(), buildImages, testSet, testLabels, step));
      }
    }
    LibReport.Settings settings = new LibReport.Settings(buildCount, testCount, epochs, step, AutoencoderAnalysis.TOP, AutoencoderAnalysis.EDGE_TOLERANCE);
    Path target = dir.resolve("lib");
    String tag = Long.toHexString(ThreadLocalRandom.current().nextLong());
    Path staging = Files.createDirectories(dir.resolve(".lib.partial-" + tag));
    double seconds = (System.nanoTime() - start) / 1e9;
    LibReport.Summary summary = LibReport.write(staging, dir.getFileName().toString(), config.name(), settings, models, classifier, seconds);
    publish(staging, target, dir.resolve(".lib.old-" + tag));
    StringBuilder console = new StringBuilder(Criterion.markdown(summary.criteria().values()));
    summary.edgesNeededLibOverPca().forEach((k, v) -> console.append(String.format("%nedges needed, LIB / PCA, %s: %.2f", k, v)));
    console.append(String.format("%n%d models analysed", models.size()));
    ConsoleSummary.print(console.toString(), seconds, target);
    return summary;
  }

  /** Replaces {@code target} by the complete {@code staging} folder, so a reader never sees a half-written one. */
  private static void publish(Path staging, Path target, Path old) throws java.io.IOException {
    boolean hadOld = Files.exists(target);
    if (hadOld) Files.move(target, old, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    if (!gradroute.report.AtomicFiles.publishDirectory(staging, target)) throw new java.io.IOException("could not publish " + target);
    if (hadOld) deleteTree(old);
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  /** {@code n} images drawn without replacement by a seeded permutation (all of them, reordered, when n is the count). */
  private static ImageDataset sample(ImageDataset images, int n, long seed) {
    return images.subset(java.util.Arrays.copyOf(ImageDataset.permutation(images.count(), seed), n));
  }

  private static int positive(String flag, int n) {
    if (n < 1) throw new IllegalArgumentException(flag + " must be positive, got " + n);
    return n;
  }
}
