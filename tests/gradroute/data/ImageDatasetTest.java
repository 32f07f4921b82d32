package gradroute.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
  /** Image i is 2×2 with every pixel i; label i mod 10. */
  private static ImageDataset numbered(int count) {
    byte[] pixels = new byte[count * 4];
    for (int i = 0; i < count; i++) {
      Arrays.fill(pixels, i * 4, i * 4 + 4, (byte) i);
    }
    return ImageDataset.of(2, 2, pixels, IdxFiles.cycle(count));
  }

  @Test
  void normalisesLikeTorchvisionToTensorThenNormalizeHalf() {
    ImageDataset data = ImageDataset.of(1, 4, new byte[] {0, (byte) 255, (byte) 128, 51},
        new int[] {3});

    float[] expected = new float[4];
    int[] bytes = {0, 255, 128, 51};
    for (int k = 0; k < 4; k++) {
      expected[k] = ((float) bytes[k] / 255f - 0.5f) / 0.5f;
    }
    assertArrayEquals(expected, data.normalised(0));
    assertArrayEquals(expected, data.pixelsMinusOneToOne());
    assertEquals(-1f, data.normalised(0)[0]);
    assertEquals(1f, data.normalised(0)[1]);
    assertEquals(2.0 * 128 / 255 - 1, data.normalised(0)[2], 1e-7);
    assertEquals(0.2f, data.zeroToOne(0)[3], 1e-7);
  }

  @Test
  void accessorsHandOutCopies() {
    ImageDataset data = numbered(3);

    data.pixels()[0] = 99;
    data.labels()[0] = 9;
    data.image(0)[0] = 99;

    assertEquals(0, data.pixel(0, 0, 0));
    assertEquals(0, data.label(0));
  }

  @Test
  void ofCopiesItsInput() {
    byte[] pixels = new byte[4];
    int[] labels = {5};
    ImageDataset data = ImageDataset.of(2, 2, pixels, labels);

    pixels[0] = 7;
    labels[0] = 6;

    assertEquals(0, data.pixel(0, 0, 0));
    assertEquals(5, data.label(0));
  }

  @Test
  void rejectsInconsistentInput() {
    assertThrows(IllegalArgumentException.class,
        () -> ImageDataset.of(2, 2, new byte[7], new int[2]));
    assertThrows(IllegalArgumentException.class,
        () -> ImageDataset.of(2, 2, new byte[4], new int[] {10}));
    assertThrows(IndexOutOfBoundsException.class, () -> numbered(2).image(2));
    assertThrows(IndexOutOfBoundsException.class, () -> numbered(2).pixel(0, 2, 0));
  }

  @Test
  void subsetTakesTheGivenImagesInOrder() {
    ImageDataset subset = numbered(10).subset(new int[] {7, 2, 7});

    assertEquals(3, subset.count());
    assertArrayEquals(new int[] {7, 2, 7}, subset.labels());
    assertArrayEquals(new byte[] {2, 2, 2, 2}, subset.image(1));
  }

  @Test
  void splitIsDeterministicBySeed() {
    ImageDataset data = numbered(200);

    TrainTest a = data.split(0.8, 42);
    TrainTest b = data.split(0.8, 42);
    TrainTest c = data.split(0.8, 43);

    assertArrayEquals(a.train().pixels(), b.train().pixels());
    assertArrayEquals(a.test().pixels(), b.test().pixels());
    assertFalse(Arrays.equals(a.test().pixels(), c.test().pixels()));
  }

  @Test
  void splitIsDisjointAndCoversEverything() {
    ImageDataset data = numbered(250);

    TrainTest split = data.split(0.8, 7);

    assertEquals(200, split.train().count());
    assertEquals(50, split.test().count());
    Set<Integer> seen = new HashSet<>();
    for (ImageDataset part : new ImageDataset[] {split.train(), split.test()}) {
      int previous = -1;
      for (int i = 0; i < part.count(); i++) {
        int id = part.pixel(i, 0, 0);
        assertTrue(seen.add(id), "image " + id + " is in both parts");
        assertTrue(id > previous, "a part keeps the original order");
        previous = id;
      }
    }
    assertEquals(250, seen.size());
  }

  @Test
  void splitOfTenThousandIsEightThousandToTwoThousand() {
    TrainTest split = ImageDataset.of(1, 1, new byte[10_000], new int[10_000]).split(0.8, 0);

    assertEquals(8_000, split.train().count());
    assertEquals(2_000, split.test().count());
  }

  @Test
  void permutationIsAShuffleOfAllIndices() {
    int[] order = ImageDataset.permutation(1000, 5);
    int[] sorted = order.clone();
    Arrays.sort(sorted);

    for (int i = 0; i < sorted.length; i++) {
      assertEquals(i, sorted[i]);
    }
    assertArrayEquals(order, ImageDataset.permutation(1000, 5));
    assertFalse(Arrays.equals(order, ImageDataset.permutation(1000, 6)));
  }

  @Test
  void splitRejectsFractionOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> numbered(4).split(1.5, 0));
    assertThrows(IllegalArgumentException.class, () -> numbered(4).split(Double.NaN, 0));
  }

  @Test
  void countsPerLabel() {
    assertArrayEquals(new int[] {3, 3, 2, 2, 2, 2, 2, 2, 2, 2}, numbered(22).countPerLabel());
  }
}
