package gradroute.train;

import com.fasterxml.jackson.core.type.TypeReference;
import gradroute.report.AtomicFiles;
import gradroute.report.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe training checkpoint in a directory: archives {@code <name>-<step>.pt} (libtorch
 * archive of model and optimiser state, written by the {@link Trainable}) and the marker {@code
 * <name>.json} (step, archive file, the archive's SHA-256, history, and the marker's own SHA-256).
 * The marker is the commit point; {@code <name>.previous.json} keeps the marker before it.
 *
 * <p>A save writes a new archive file (never the one a marker names), then copies the current
 * marker to the previous one, then writes the new marker, each atomically, and only then deletes
 * archives no marker names. A run killed at any stage therefore leaves the last or the one before
 * loadable. Loading checks both checksums; a torn, truncated or corrupt marker or archive is
 * reported with a warning and the previous checkpoint is used.
 */
public final class Checkpoint {
  private static final Logger log = LoggerFactory.getLogger(Checkpoint.class);

  /** What the marker holds, checksum excluded. */
  record Body(long nextStep, String archive, String archiveSha256, List<History.Row> history) {}

  /** The marker file; markerSha256 is the SHA-256 of the JSON of the other fields. */
  record Meta(long nextStep, String archive, String archiveSha256, List<History.Row> history, String markerSha256) {
    Body body() {
      return new Body(nextStep, archive, archiveSha256, history);
    }
  }

  /** Points of a save where tests kill it (fault injection). */
  enum Stage { ARCHIVE_TEMP_WRITTEN, ARCHIVE_WRITTEN, PREVIOUS_MARKER_WRITTEN, MARKER_WRITTEN }

  private final Path marker;
  private final Path previous;
  private final String base;
  private Consumer<Stage> stageHook = stage -> {};

  public Checkpoint(Path directory, String name) {
    this.base = name;
    this.marker = directory.resolve(name + ".json");
    this.previous = directory.resolve(name + ".previous.json");
  }

  public boolean exists() {
    return Files.exists(marker) || Files.exists(previous);
  }

  /**
   * The archives of this checkpoint in its directory ({@code <name>-<step>.pt}), sorted: when they
   * exist without a marker, the markers were deleted and which archive is current is unknown.
   */
  List<String> archives() throws IOException {
    if (!Files.isDirectory(marker.getParent())) return List.of();
    String own = java.util.regex.Pattern.quote(base) + "-\\d+(-\\d+)?\\.pt";
    try (Stream<Path> files = Files.list(marker.getParent())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.matches(own)).sorted().toList();
    }
  }

  /** The marker file ({@code <name>.json}). */
  public Path marker() {
    return marker;
  }

  void onStage(Consumer<Stage> hook) {
    this.stageHook = hook;
  }

  void save(Trainable trainable, long nextStep, History history) throws IOException {
    Files.createDirectories(marker.getParent());
    // only an intact marker becomes the previous one; a corrupt one must not replace a good previous
    Meta current = intactOrNull(marker);
    Meta before = readQuietly(previous);
    String archiveName = freshArchiveName(nextStep, current, before);
    Path archive = marker.resolveSibling(archiveName);
    OutputArchive out = new OutputArchive();
    trainable.save(out);
    long expected = current == null ? 0 : Files.size(marker.resolveSibling(current.archive()));
    Archives.save(out, archive, expected, () -> stageHook.accept(Stage.ARCHIVE_TEMP_WRITTEN));
    String archiveSha = sha256(archive);
    stageHook.accept(Stage.ARCHIVE_WRITTEN);
    if (current != null) {
      AtomicFiles.write(previous, Files.readAllBytes(marker));
      before = current;
    }
    stageHook.accept(Stage.PREVIOUS_MARKER_WRITTEN);
    Body body = new Body(nextStep, archiveName, archiveSha, history.rows());
    Json.write(marker, new Meta(nextStep, archiveName, archiveSha, body.history(), sha256(Json.toJson(body))));
    stageHook.accept(Stage.MARKER_WRITTEN);
    Set<String> keep = new java.util.HashSet<>(Set.of(archiveName));
    if (before != null && before.archive() != null) keep.add(before.archive());
    removeUnnamed(keep);
  }

  /**
   * Restores the trainable and history from the newest good checkpoint; returns the step to
   * continue from.
   *
   * @throws IOException when a checkpoint exists but neither it nor the previous one is intact
   * @throws CheckpointMismatchException when an intact checkpoint belongs to another model
   */
  long load(Trainable trainable, History history) throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : new Path[] {marker, previous}) {
      if (!Files.exists(file)) {
        if (file == marker) problems.add(file + " is missing");
        continue;
      }
      Meta meta;
      Path archive;
      try {
        meta = readVerified(file);
        archive = verifiedArchive(file, meta);
      } catch (IOException e) {
        problems.add(e.getMessage());
        log.warn("checkpoint {} is unusable ({}); trying the previous one", file, e.getMessage());
        continue;
      }
      InputArchive in = new InputArchive();
      try {
        in.load_from(archive.toString());
        trainable.load(in);
      } catch (CheckpointMismatchException e) {
        throw new CheckpointMismatchException("checkpoint " + archive + " does not fit this model: " + e.getMessage());
      } catch (RuntimeException e) {
        throw new IOException("cannot restore checkpoint " + archive + " (does it belong to this model and configuration?): "
            + firstLine(e), e);
      }
      if (!problems.isEmpty()) log.warn("resumed from the previous checkpoint {} (step {})", file, meta.nextStep());
      history.replaceWith(meta.history() == null ? List.of() : meta.history());
      return meta.nextStep();
    }
    throw new IOException("no intact checkpoint: " + String.join("; ", problems));
  }

  /**
   * Restores only the model of the newest good checkpoint (the {@code model} part that {@link
   * ModuleState#save(OutputArchive, org.bytedeco.pytorch.Module, org.bytedeco.pytorch.Optimizer)}
   * writes), to reopen a trained model for analysis; returns the step it was saved at.
   *
   * @throws IOException when there is no intact checkpoint
   * @throws CheckpointMismatchException when the checkpoint belongs to another model
   */
  public long loadModel(org.bytedeco.pytorch.Module model) throws IOException {
    if (!exists()) throw new IOException("there is no checkpoint " + marker);
    return load(new Trainable() {
      @Override
      public java.util.Map<String, Double> step(long step) {
        throw new UnsupportedOperationException("a model restored for analysis does not train");
      }

      @Override
      public void load(InputArchive archive) {
        InputArchive m = new InputArchive();
        archive.read("model", m);
        ModuleState.load(model, m);
      }
    }, new History());
  }

  private Meta readVerified(Path file) throws IOException {
    Meta meta;
    try {
      meta = Json.read(file, new TypeReference<Meta>() {});
    } catch (IOException | RuntimeException e) {
      throw new IOException("marker " + file + " is torn or corrupt: " + firstLine(e), e);
    }
    if (meta.archive() == null || meta.history() == null) throw new IOException("marker " + file + " is incomplete");
    if (meta.markerSha256() == null) {
      log.warn("checkpoint marker {} has no checksum (written by an older gradroute); not verified", file);
    } else if (!meta.markerSha256().equals(sha256(Json.toJson(meta.body())))) {
      throw new IOException("marker " + file + " fails its checksum (corrupt)");
    }
    return meta;
  }

  private Path verifiedArchive(Path file, Meta meta) throws IOException {
    Path archive = file.resolveSibling(meta.archive());
    if (!Files.isRegularFile(archive)) throw new IOException("marker " + file + " names " + archive + ", which is missing");
    if (meta.archiveSha256() != null && !meta.archiveSha256().equals(sha256(archive))) {
      throw new IOException("archive " + archive + " fails its SHA-256 check (torn or corrupt)");
    }
    return archive;
  }

  private Meta intactOrNull(Path file) {
    if (!Files.exists(file)) return null;
    try {
      Meta meta = readVerified(file);
      verifiedArchive(file, meta);
      return meta;
    } catch (IOException e) {
      log.warn("checkpoint {} is unusable ({}); keeping the previous one", file, e.getMessage());
      return null;
    }
  }

  private static Meta readQuietly(Path file) {
    if (!Files.exists(file)) return null;
    try {
      return Json.read(file, new TypeReference<Meta>() {});
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** {@code <name>-<step>.pt}, or with a suffix when a marker already names that file. */
  private String freshArchiveName(long nextStep, Meta current, Meta before) {
    for (int k = 0; ; k++) {
      String candidate = base + "-" + nextStep + (k == 0 ? "" : "-" + k) + ".pt";
      boolean named = (current != null && candidate.equals(current.archive())) || (before != null && candidate.equals(before.archive()));
      if (!named) return candidate;
    }
  }

  /** Deletes this checkpoint's archives (and leftover temp files) that no marker names. */
  private void removeUnnamed(Set<String> keep) throws IOException {
    try (Stream<Path> files = Files.list(marker.getParent())) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String n = p.getFileName().toString();
        String own = java.util.regex.Pattern.quote(base) + "-(\\d+(-\\d+)?|[ab])\\.pt";
        boolean archive = n.matches(own) && !keep.contains(n);
        boolean leftover = n.matches("\\." + own + "\\.[0-9a-f]+\\.tmp") || n.matches(own + "\\.partial");
        if (archive || leftover) Files.deleteIfExists(p);
      }
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String sha256(String text) {
    return HexFormat.of().formatHex(newDigest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}
