package gradroute.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistSourceTest {
  @TempDir Path dir;

  @Test
  void namesRoundTrip() {
    for (MnistSource source : MnistSource.values()) {
      assertEquals(source, MnistSource.fromId(source.id()));
    }
    assertEquals(MnistSource.MNIST_IDX, MnistSource.fromId("mnist-idx"));
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MnistSource.fromId("cifar"));

    assertTrue(e.getMessage().contains("mnist, mnist-idx, fashion"), e.getMessage());
  }

  @Test
  void idxSourceNeedsADirectoryAndNpmSourceTakesNone() {
    assertThrows(IllegalArgumentException.class, () -> MnistSource.MNIST_IDX.load(null, dir, 0));
    assertThrows(IllegalArgumentException.class, () -> MnistSource.MNIST.load(dir, dir, 0));
  }

  @Test
  void idxSourceLoadsTheDirectoryWhateverTheSeed() throws IOException {
    IdxFiles.writeDirectory(dir, 7, 4, false);

    TrainTest a = MnistSource.MNIST_IDX.load(dir, dir, 1);
    TrainTest b = MnistSource.MNIST_IDX.load(dir, dir, 2);

    assertEquals(7, a.train().count());
    assertEquals(4, a.test().count());
    assertEquals(a.train().labels().length, b.train().labels().length);
  }

  @Test
  void cacheDirComesFromTheEnvironmentOrHome() {
    assertEquals(Path.of("/data/x"),
        DataCache.defaultDir(Map.of(DataCache.ENV, "/data/x"), "/home/u"));
    assertEquals(Path.of("/home/u/.cache/gradroute/data"),
        DataCache.defaultDir(Map.of(DataCache.ENV, " "), "/home/u"));
    assertEquals(Path.of("/home/u/.cache/gradroute/data"), DataCache.defaultDir(Map.of(), "/home/u"));
  }
}
