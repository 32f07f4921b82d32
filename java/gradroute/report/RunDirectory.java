package gradroute.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gradroute.runtime.ErrorText;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The folder {@code <resultsRoot>/<experiment>/<runName>/} that one run writes its results into.
 * Creating it writes the run's {@code config.json} first, so every result sits next to the
 * configuration that produced it.
 *
 * <p>A named run reuses its folder if it exists (callers decide whether that is allowed: the CLI
 * refuses it unless told to resume or to {@link #clear overwrite}). An unnamed run is named by its local start time, {@code yyyyMMdd-HHmmss}, with
 * {@code -2}, {@code -3}, ... appended when that folder already exists.
 *
 * <p>A result is {@code summary.json}, written last ({@link #writeSummary}); a run that fails
 * after its folder exists is marked by {@code FAILED.json} ({@link #markFailed}) and has no
 * summary, so a folder never looks like a result it is not.
 */
public final class RunDirectory {
  public static final String CONFIG_FILE = "config.json";
  public static final String SUMMARY_FILE = "summary.json";
  public static final String FAILED_FILE = "FAILED.json";
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Path root;
  private final String experiment;
  private final String runName;
  private JsonNode record;
  private boolean recordPending;

  private RunDirectory(Path root, String experiment, String runName, JsonNode record) {
    this.root = root;
    this.experiment = experiment;
    this.runName = runName;
    this.record = record;
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
    if (runName != null) requireSegment(runName, "run name");
    Path experimentDir = resultsRoot.resolve(experiment);
    Path root;
    try {
      if (runName != null) {
        root = Files.createDirectories(experimentDir.resolve(runName));
      } else {
        Files.createDirectories(experimentDir);
        root = createUnique(experimentDir, LocalDateTime.now().format(TIMESTAMP));
      }
    } catch (IOException e) {
      throw new IOException("cannot create the run folder in " + resultsRoot + ": " + ErrorText.oneLine(e), e);
    }
    var run = new RunDirectory(root, experiment, root.getFileName().toString(), Json.mapper().valueToTree(config));
    Json.write(run.path(CONFIG_FILE), config);
    return run;
  }

  /**
   * The existing run {@code <resultsRoot>/<experiment>/<runName>/}, to continue it.
   *
   * @throws IllegalArgumentException naming the run and listing the runs that do exist
   */
  public static RunDirectory existing(Path resultsRoot, String experiment, String runName) throws IOException {
    requireSegment(experiment, "experiment");
    requireSegment(runName, "run name");
    Path root = resultsRoot.resolve(experiment).resolve(runName);
    if (!Files.isRegularFile(root.resolve(CONFIG_FILE))) {
      List<String> runs = runs(resultsRoot, experiment);
      throw new IllegalArgumentException("there is no run '" + runName + "' in " + resultsRoot.resolve(experiment) + " to resume ("
          + (runs.isEmpty() ? "no runs there" : "runs there: " + String.join(", ", runs)) + ")");
    }
    return new RunDirectory(root, experiment, runName, Json.readTree(root.resolve(CONFIG_FILE)));
  }

  /** The names of the runs (folders with a config.json) of {@code experiment}, sorted. */
  public static List<String> runs(Path resultsRoot, String experiment) throws IOException {
    Path dir = resultsRoot.resolve(experiment);
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> children = Files.list(dir)) {
      return children.filter(p -> Files.isRegularFile(p.resolve(CONFIG_FILE))).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** What config.json holds: the run's config and provenance as written when it started. */
  public JsonNode record() {
    return record;
  }

  /**
   * Records a changed config for a resumed run that was told to continue with it: the summary
   * carries it at once, config.json only once the run succeeds ({@link #writeSummary}), so a run
   * that fails still resumes with its original config.
   */
  public void rewriteRecordOnSuccess(Object config) {
    record = Json.mapper().valueToTree(config);
    recordPending = true;
  }

  /** The run's result: {@code summary} with the run's record (config, provenance) as its {@code run} member. */
  public void writeSummary(Object summary) throws IOException {
    JsonNode tree = Json.mapper().valueToTree(summary);
    if (tree instanceof ObjectNode obj && record != null) obj.set("run", record);
    if (recordPending) {
      Json.write(path(CONFIG_FILE), record);
      recordPending = false;
    }
    Json.write(path(SUMMARY_FILE), tree);
    Files.deleteIfExists(root.resolve(FAILED_FILE));
  }

  /**
   * Empties an existing run folder (all but its {@link RunLock} file) so that a run started afresh
   * under the same name ({@code --overwrite}) cannot pick up the old run's checkpoints or results.
   */
  public static void clear(Path runFolder) throws IOException {
    if (!Files.isDirectory(runFolder)) return;
    try (Stream<Path> all = Files.walk(runFolder)) {
      for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
        if (p.equals(runFolder) || p.equals(runFolder.resolve(RunLock.FILE))) continue;
        Files.delete(p);
      }
    }
  }

  /** Removes an earlier outcome (summary or failure mark) before the run is (re)started. */
  public void clearOutcome() throws IOException {
    Files.deleteIfExists(root.resolve(SUMMARY_FILE));
    Files.deleteIfExists(root.resolve(FAILED_FILE));
  }

  /**
   * Marks the run failed: FAILED.json names the error, and no summary.json nor plot (PNG) of an
   * earlier outcome remains beside it.
   */
  public void markFailed(Throwable error) throws IOException {
    Files.deleteIfExists(root.resolve(SUMMARY_FILE));
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".png")) Files.delete(p);
      }
    }
    Map<String, Object> failure = new LinkedHashMap<>();
    failure.put("error", ErrorText.oneLine(error));
    failure.put("type", error.getClass().getName());
    failure.put("time", Instant.now().toString());
    Json.write(path(FAILED_FILE), failure);
  }

  /**
   * Deletes the folder if it holds nothing but config.json (and its {@link RunLock} file): a run
   * that failed before writing anything.
   */
  public boolean deleteIfOnlyRecord() throws IOException {
    List<Path> entries = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      children.filter(p -> !p.getFileName().toString().equals(RunLock.FILE)).forEach(entries::add);
    }
    if (entries.size() != 1 || !entries.get(0).getFileName().toString().equals(CONFIG_FILE)) return false;
    Files.delete(entries.get(0));
    Files.deleteIfExists(root.resolve(RunLock.FILE));
    Files.delete(root);
    try (Stream<Path> siblings = Files.list(root.getParent())) {
      if (siblings.findAny().isEmpty()) Files.delete(root.getParent()); // the experiment's folder, if this made it
    }
    return true;
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

  /**
   * Checks that {@code runName} is a single folder name.
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static void requireRunName(String runName) {
    requireSegment(runName, "run name");
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
