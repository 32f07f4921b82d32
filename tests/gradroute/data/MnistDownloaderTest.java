package gradroute.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Talks only to a server on the loopback address that the test starts itself. */
class MnistDownloaderTest {
  @TempDir Path dir;
  private HttpServer server;
  private URI base;

  @BeforeEach
  void startServer() throws IOException {
    Path source = dir.resolve("served");
    IdxFiles.writeDirectory(source, 6, 3, true);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      byte[] body;
      int status;
      if (path.startsWith("/good/")) {
        Path file = source.resolve(path.substring("/good/".length()));
        status = Files.isRegularFile(file) ? 200 : 404;
        body = status == 200 ? Files.readAllBytes(file) : new byte[0];
      } else if (path.startsWith("/html/")) {
        status = 200;
        body = "<html>moved</html>".getBytes();
      } else {
        status = 404;
        body = new byte[0];
      }
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    base = URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
        + server.getAddress().getPort() + "/");
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private MnistDownloader downloader(String... mirrorPaths) {
    List<URI> mirrors = Stream.of(mirrorPaths).map(base::resolve).toList();
    return new MnistDownloader(mirrors, Duration.ofSeconds(2), Duration.ofSeconds(5), 6, 3);
  }

  @Test
  void triesMirrorsInOrderAndLandsLoadableFiles() throws IOException {
    Path target = dir.resolve("mnist");

    downloader("missing/", "html/", "good/").download(target);

    TrainTest data = IdxDirectory.load(target);
    assertEquals(6, data.train().count());
    assertEquals(3, data.test().count());
    try (Stream<Path> files = Files.list(target)) {
      assertEquals(4, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void keepsFilesAlreadyThere() throws IOException {
    Path target = dir.resolve("mnist");
    IdxFiles.writeDirectory(target, 6, 3, false);

    downloader("missing/").download(target);

    assertTrue(IdxDirectory.isComplete(target));
  }

  @Test
  void failureListsEveryUrlAndWhy() throws IOException {
    Path target = dir.resolve("mnist");
    URI refused = URI.create("http://127.0.0.1:1/mnist/");
    MnistDownloader downloader = new MnistDownloader(
        List.of(refused, base.resolve("missing/"), base.resolve("html/")),
        Duration.ofSeconds(2), Duration.ofSeconds(5), 6, 3);

    IOException e = assertThrows(IOException.class, () -> downloader.download(target));

    String message = e.getMessage();
    String name = IdxDirectory.TRAIN_IMAGES + ".gz";
    assertTrue(message.startsWith("could not download " + name), message);
    assertTrue(message.contains(refused.resolve(name) + ": "), message);
    assertTrue(message.contains(base.resolve("missing/" + name) + ": HTTP status 404"), message);
    assertTrue(message.contains(base.resolve("html/" + name) + ": "), message);
    assertTrue(message.contains("wrong magic"), message);
    try (Stream<Path> files = Files.list(target)) {
      assertEquals(0, files.count(), "no partial files left behind");
    }
  }

  @Test
  void wrongItemCountIsRejected() throws IOException {
    MnistDownloader expectsMore = new MnistDownloader(List.of(base.resolve("good/")),
        Duration.ofSeconds(2), Duration.ofSeconds(5), 60_000, 10_000);

    IOException e = assertThrows(IOException.class,
        () -> expectsMore.download(dir.resolve("mnist")));

    assertTrue(e.getMessage().contains("holds 6 items"), e.getMessage());
  }

  @Test
  void defaultMirrorsAreTheKnownOnes() {
    assertEquals(3, MnistDownloader.MIRRORS.size());
    assertTrue(MnistDownloader.MIRRORS.stream().allMatch(u -> u.getPath().endsWith("/")));
  }
}
