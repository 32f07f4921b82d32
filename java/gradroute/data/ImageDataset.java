package gradroute.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An immutable set of labelled greyscale images: unsigned 8-bit pixels, row-major, images stored
 * one after another, each labelled with a class 0..9. Accessors hand out copies.
 */
public final class ImageDataset {
  // (p/255 - 0.5)/0.5 in float32, the operations of torchvision ToTensor + Normalize(0.5, 0.5):
  // the same float as 2(p/255) - 1, since scaling by 2 is exact.
  private static final float[] MINUS_ONE_TO_ONE = new float[256];

  static {
    for (int p = 0; p < 256; p++) {
      MINUS_ONE_TO_ONE[p] = ((float) p / 255f - 0.5f) / 0.5f;
    }
  }

  private final int rows;
  private final int cols;
  private final byte[] pixels;
  private final int[] labels;

  private ImageDataset(int rows, int cols, byte[] pixels, int[] labels) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("image size " + rows + "x" + cols + " has no pixels");
    }
    if ((long) labels.length * rows * cols != pixels.length) {
      throw new IllegalArgumentException(
          pixels.length + " pixel bytes are not " + labels.length + " images of " + rows + "x"
              + cols);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= IdxReader.NUM_CLASSES) {
        throw new IllegalArgumentException("label " + labels[i] + " of image " + i
            + " is outside 0.." + (IdxReader.NUM_CLASSES - 1));
      }
    }
    this.rows = rows;
    this.cols = cols;
    this.pixels = pixels;
    this.labels = labels;
  }

  /** A dataset holding copies of {@code pixels} (count×rows×cols bytes) and {@code labels}. */
  public static ImageDataset of(int rows, int cols, byte[] pixels, int[] labels) {
    return new ImageDataset(rows, cols, pixels.clone(), labels.clone());
  }

  /** Takes ownership of the arrays: for callers that built them and drop them. */
  static ImageDataset wrap(int rows, int cols, byte[] pixels, int[] labels) {
    return new ImageDataset(rows, cols, pixels, labels);
  }

  public int count() {
    return labels.length;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public int pixelsPerImage() {
    return rows * cols;
  }

  /** All pixels, image after image, as unsigned bytes (mask with 0xFF). */
  public byte[] pixels() {
    return pixels.clone();
  }

  /** The pixels of image {@code i}, row-major, as unsigned bytes. */
  public byte[] image(int i) {
    int from = offset(i);
    return Arrays.copyOfRange(pixels, from, from + pixelsPerImage());
  }

  /** One pixel of image {@code i}, 0..255. */
  public int pixel(int i, int row, int col) {
    if (row < 0 || row >= rows || col < 0 || col >= cols) {
      throw new IndexOutOfBoundsException(
          "pixel (" + row + ", " + col + ") is outside " + rows + "x" + cols);
    }
    return pixels[offset(i) + row * cols + col] & 0xFF;
  }

  public int label(int i) {
    Objects.checkIndex(i, labels.length);
    return labels[i];
  }

  public int[] labels() {
    return labels.clone();
  }

  /** How many images carry each label 0..9. */
  public int[] countPerLabel() {
    int[] counts = new int[IdxReader.NUM_CLASSES];
    for (int label : labels) {
      counts[label]++;
    }
    return counts;
  }

  /** Image {@code i} as floats in [0, 1]: p/255. */
  public float[] zeroToOne(int i) {
    int from = offset(i);
    float[] out = new float[pixelsPerImage()];
    for (int k = 0; k < out.length; k++) {
      out[k] = (float) (pixels[from + k] & 0xFF) / 255f;
    }
    return out;
  }

  /** Image {@code i} normalised to [−1, 1]: 2·(p/255) − 1, torchvision's Normalize(0.5, 0.5). */
  public float[] normalised(int i) {
    int from = offset(i);
    float[] out = new float[pixelsPerImage()];
    for (int k = 0; k < out.length; k++) {
      out[k] = MINUS_ONE_TO_ONE[pixels[from + k] & 0xFF];
    }
    return out;
  }

  /** All images normalised to [−1, 1] as in {@link #normalised}, count×rows×cols floats. */
  public float[] pixelsMinusOneToOne() {
    float[] out = new float[pixels.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = MINUS_ONE_TO_ONE[pixels[k] & 0xFF];
    }
    return out;
  }

  /** The images at {@code indices}, in that order; an index may repeat. */
  public ImageDataset subset(int[] indices) {
    int size = pixelsPerImage();
    byte[] newPixels = new byte[Math.multiplyExact(indices.length, size)];
    int[] newLabels = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      System.arraycopy(pixels, offset(indices[k]), newPixels, k * size, size);
      newLabels[k] = labels[indices[k]];
    }
    return new ImageDataset(rows, cols, newPixels, newLabels);
  }

  /**
   * Splits into round(count·trainFraction) training images and the rest, disjoint, by a seeded
   * shuffle: Fisher–Yates from the last index down, swapping index i with
   * {@code new SplittableRandom(seed).nextInt(i + 1)}. The first part of the permutation is the
   * training set. Each part keeps the original order of its images, so a split depends only on
   * (count, trainFraction, seed).
   */
  public TrainTest split(double trainFraction, long seed) {
    if (!(trainFraction >= 0 && trainFraction <= 1)) {
      throw new IllegalArgumentException("trainFraction " + trainFraction + " is not in [0, 1]");
    }
    int[] order = permutation(count(), seed);
    int trainCount = (int) Math.round(count() * trainFraction);
    int[] train = Arrays.copyOfRange(order, 0, trainCount);
    int[] test = Arrays.copyOfRange(order, trainCount, order.length);
    Arrays.sort(train);
    Arrays.sort(test);
    return new TrainTest(subset(train), subset(test));
  }

  /** A seeded Fisher–Yates permutation of 0..n-1 (the order {@link #split} and trainers use). */
  public static int[] permutation(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  private int offset(int i) {
    Objects.checkIndex(i, labels.length);
    return i * pixelsPerImage();
  }

  @Override
  public String toString() {
    return "ImageDataset[" + count() + " images of " + rows + "x" + cols + ", per label "
        + Arrays.toString(countPerLabel()) + "]";
  }
}
