package gradroute.experiment.interactionbasis;

import gradroute.data.ImageDataset;
import gradroute.data.TrainTest;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./gradroute lib}: the local interaction basis of a finished MNIST run's autoencoders, and the classifier check. */
@Command(name = "lib", mixinStandardHelpOptions = true,
    description = {"The local interaction basis (LIB) of a finished MNIST latent-splitting run: whether the latent's LIB",
        "directions split between the halves routing assigned, whether the edges around the latent are block-diagonal,",
        "reconstruction when one half's directions are kept, and the edges LIB and PCA need to stay within 0.1%.",
        "Also trains an MNIST classifier (784-100-100-10) per seed and checks LIB/PCA ablation curves on it.",
        "Writes <run>/lib/ (summary.json with criteria, criteria.md, CSV tables, PNG plots)."})
public final class LibCommand implements Callable<Integer> {
  /** Seed of the image samples the bases are built and scored on (fixed: the same images for every model). */
  static final long SAMPLE_SEED = 20241004L;

  @Option(names = "--out", defaultValue = "results", paramLabel = "DIR", description = "results root (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--run", paramLabel = "NAME", description = "the MNIST run folder under <out>/mnist/")
  String runName;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "the MNIST run folder itself (instead of --out/--run)")
  Path runDir;

  @Option(names = "--quick", description = "small and fast (CI): 300 images to build the bases, 500 to test, 3 classifier epochs")
  boolean quick;

  @Option(names = "--samples", paramLabel = "N", description = "training images the bases are built from (default 2000; quick 300)")
  Integer samples;

  @Option(names = "--test-images", paramLabel = "N", description = "test images ablations are scored on (default: all; quick 500)")
  Integer testImages;

  @Option(names = "--classifier-epochs", paramLabel = "N", description = "epochs of the classifier check, 0 to skip it (default 30; quick 3)")
  Integer classifierEpochs;

  @Override
  public Integer call() throws Exception {
    if ((runDir == null) == (runName == null)) throw new IllegalArgumentException("give either --run NAME or --run-dir DIR");
    Path dir = runDir != null ? runDir : out.resolve("mnist").resolve(runName);
    if (!Files.isRegularFile(dir.resolve(RunDirectory.CONFIG_FILE))) {
      throw new IllegalArgumentException(dir + " is not an MNIST run folder (no " + RunDirectory.CONFIG_FILE + "); run ./gradroute mnist --run NAME first");
    }
    int buildCount = positive("--samples", samples != null ? samples : quick ? 300 : 2000);
    int epochs = classifierEpochs != null ? classifierEpochs : quick ? 3 : 30;
    if (epochs < 0) throw new IllegalArgumentException("--classifier-epochs must be 0 or more, got " + epochs);
    TorchRuntime.init();
    long start = System.nanoTime();
    MnistConfig config = Json.mapper().treeToValue(Json.readTree(dir.resolve(RunDirectory.CONFIG_FILE)).get("config"), MnistConfig.class);
    if (config == null) throw new IllegalArgumentException(dir.resolve(RunDirectory.CONFIG_FILE) + " holds no MNIST config");
    TrainTest digits = MnistCommand.digits(config);
    ImageDataset train = digits.train();
    int testCount = positive("--test-images", Math.min(digits.test().count(), testImages != null ? testImages : quick ? 500 : digits.test().count()));
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
    int step = quick ? 25 : 5;
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
    System.out.println(Criterion.markdown(summary.criteria().values()));
    summary.edgesNeededLibOverPca().forEach((k, v) -> System.out.printf("edges needed, LIB / PCA, %s: %.2f%n", k, v));
    System.out.printf("%d models analysed in %.0f s; results in %s%n", models.size(), seconds, target);
    return 0;
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
