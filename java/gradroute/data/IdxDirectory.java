package gradroute.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A directory holding a data set in the four standard MNIST IDX files, each plain or gzipped:
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}
 * and {@code t10k-labels-idx1-ubyte}, optionally with a {@code .gz} suffix. The same layout serves
 * MNIST and Fashion-MNIST.
 */
public final class IdxDirectory {
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  public static final List<String> FILES =
      List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

  private IdxDirectory() {}

  /** Whether all four files are there (by name; their content is checked on loading). */
  public static boolean isComplete(Path dir) {
    return FILES.stream().allMatch(stem -> find(dir, stem).isPresent());
  }

  /** The training set and the test set of the directory. */
  public static TrainTest load(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    List<String> report = new ArrayList<>();
    for (String stem : FILES) {
      Optional<Path> file = find(dir, stem);
      file.ifPresent(files::add);
      report.add("  " + stem + "[.gz]: " + file.map(f -> "found " + f.getFileName())
          .orElse("missing"));
    }
    if (files.size() < FILES.size()) {
      throw new NoSuchFileException(dir.toString(), null,
          (Files.isDirectory(dir) ? "" : "no such directory; ")
              + "an IDX data set directory needs these files (plain or .gz):\n"
              + String.join("\n", report));
    }
    return new TrainTest(IdxReader.read(files.get(0), files.get(1)),
        IdxReader.read(files.get(2), files.get(3)));
  }

  /** {@code stem} if it is there, else {@code stem.gz}. */
  static Optional<Path> find(Path dir, String stem) {
    for (String name : List.of(stem, stem + ".gz")) {
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file)) {
        return Optional.of(file);
      }
    }
    return Optional.empty();
  }
}
