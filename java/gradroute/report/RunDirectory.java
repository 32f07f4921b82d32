package gradroute.report;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The folder {@code <resultsRoot>/<experiment>/<runName>/} that one run writes its results into.
 * Creating it writes the run's {@code config.json} first, so every result sits next to the
 * configuration that produced it.
 *
 * <p>A named run reuses its folder if it exists (re-running overwrites files one by one, each
 * atomically). An unnamed run is named by its local start time, {@code yyyyMMdd-HHmmss}, with
 * {@code -2}, {@code -3}, ... appended when that folder already exists.
 */
public final class RunDirectory {
  public static final String CONFIG_FILE = "config.json";
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Path root;
  private final String experiment;
  private final String runName;

  private RunDirectory(Path root, String experiment, String runName) {
    this.root = root;
    this.experiment = experiment;
    this.runName = runName;
  }

  /** {@code results/<experiment>/<timestamp>/}, relative to the working directory. */
  public static RunDirectory create(String experiment, Object config) throws IOException {
    return create(Path.of("results"), experiment, null, config);
  }

  /**
   * Creates the run folder and writes {@code config} to its {@code config.json}.
   *
   * @param runName the run's folder name, or null for a timestamp
   * @param config anything {@link Json} can serialise, typically the experiment's config record
   */
  public static RunDirectory create(Path resultsRoot, String experiment, String runName, Object config)
      throws IOException {
    requireSegment(experiment, "experiment");
    Path experimentDir = resultsRoot.resolve(experiment);
    Path root;
    if (runName != null) {
      requireSegment(runName, "run name");
      root = Files.createDirectories(experimentDir.resolve(runName));
    } else {
      Files.createDirectories(experimentDir);
      root = createUnique(experimentDir, LocalDateTime.now().format(TIMESTAMP));
    }
    var run = new RunDirectory(root, experiment, root.getFileName().toString());
    Json.write(run.path(CONFIG_FILE), config);
    return run;
  }

  /** An existing run folder (one with a {@code config.json}), e.g. to add an analysis to it. */
  public static RunDirectory open(Path root, String experiment) throws IOException {
    if (!Files.isRegularFile(root.resolve(CONFIG_FILE))) {
      throw new IllegalArgumentException(root + " is not a run folder: it has no " + CONFIG_FILE);
    }
    return new RunDirectory(root, experiment, root.getFileName().toString());
  }

  public Path root() {
    return root;
  }

  public String experiment() {
    return experiment;
  }

  public String runName() {
    return runName;
  }

  /** A file inside the run folder; subfolders such as {@code "plots/loss.png"} are allowed. */
  public Path path(String file) {
    Path resolved = root.resolve(file).normalize();
    if (file.isBlank() || !resolved.startsWith(root.normalize()) || resolved.equals(root.normalize())) {
      throw new IllegalArgumentException("'" + file + "' is not a file inside " + root);
    }
    return resolved;
  }

  @Override
  public String toString() {
    return root.toString();
  }

  private static Path createUnique(Path parent, String name) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Path candidate = parent.resolve(attempt == 1 ? name : name + "-" + attempt);
      try {
        return Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException e) {
        // another run started in the same second; take the next suffix
      }
    }
  }

  private static void requireSegment(String name, String what) {
    if (name == null
        || name.isBlank()
        || name.equals(".")
        || name.equals("..")
        || name.contains("/")
        || name.contains("\\")) {
      throw new IllegalArgumentException(what + " must be a single folder name, got '" + name + "'");
    }
  }
}
