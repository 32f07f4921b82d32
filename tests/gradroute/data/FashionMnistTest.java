package gradroute.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir Path dir;

  /** Runs where Debian's dataset-fashion-mnist is installed. */
  @Test
  void loadsDebianFiles() throws IOException {
    Assumptions.assumeTrue(FashionMnist.isInstalled(),
        "dataset-fashion-mnist not installed in " + FashionMnist.DEBIAN_DIR);

    TrainTest data = MnistSource.FASHION.load(null, dir, 0);

    assertEquals(60_000, data.train().count());
    assertEquals(10_000, data.test().count());
    assertEquals(28, data.train().rows());
    assertEquals(28, data.train().cols());
    int[] tenPerMille = new int[10];
    java.util.Arrays.fill(tenPerMille, 1000);
    assertArrayEquals(tenPerMille, data.test().countPerLabel());
  }

  @Test
  void missingFilesSayHowToInstall() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> FashionMnist.load(dir));

    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte[.gz]: missing"), e.getMessage());
  }

  @Test
  void loadsAUserDirectory() throws IOException {
    IdxFiles.writeDirectory(dir, 3, 2, true);

    TrainTest data = MnistSource.FASHION.load(dir, dir, 0);

    assertEquals(3, data.train().count());
    assertEquals(10, FashionMnist.CLASS_NAMES.size());
  }
}
