package gradroute.data;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (60,000 training and 10,000 test images of clothing, 28×28, classes 0..9) as IDX
 * files: where Debian's package {@code dataset-fashion-mnist} installs them, or any
 * {@link IdxDirectory}.
 */
public final class FashionMnist {
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private FashionMnist() {}

  public static boolean isInstalled() {
    return IdxDirectory.isComplete(DEBIAN_DIR);
  }

  /** From {@link #DEBIAN_DIR}. */
  public static TrainTest load() throws IOException {
    return load(DEBIAN_DIR);
  }

  public static TrainTest load(Path dir) throws IOException {
    try {
      return IdxDirectory.load(dir);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(e.getFile(), null, e.getReason()
          + "\nFashion-MNIST is not there: install it with `apt-get install " + DEBIAN_PACKAGE
          + "` (it puts the files in " + DEBIAN_DIR + "), or give a directory that holds them");
    }
  }
}
