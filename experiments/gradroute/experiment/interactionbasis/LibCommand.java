package gradroute.experiment.interactionbasis;

import java.nio.file.Path;
import java.util.concurrent.Callable;
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
    LibAnalysis.run(dir, new LibAnalysis.Options(quick, samples, testImages, classifierEpochs));
    return 0;
  }
}
