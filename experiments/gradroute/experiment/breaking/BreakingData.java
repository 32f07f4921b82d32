package gradroute.experiment.breaking;

import gradroute.data.ImageDataset;
import gradroute.data.TrainTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The images of a circuit-breaking run, pixels in [−1, 1], labels the digit pairs (digit / 2): the
 * training set, the bad set (the first {@code badCount} test images of the bad digit), the other
 * test images of the bad digit, and the test images of every other digit.
 */
record BreakingData(Tensor trainImages, Tensor trainClasses, Tensor meanImage, Split bad, Split restOfBadDigit, Split otherDigits) {
  /** Images with their class labels. */
  record Split(Tensor images, Tensor classes, int count) {}

  static BreakingData of(TrainTest digits, int badDigit, int badCount) {
    ImageDataset train = digits.train(), test = digits.test();
    List<Integer> bad = new ArrayList<>(), rest = new ArrayList<>(), others = new ArrayList<>();
    for (int i = 0; i < test.count(); i++) {
      if (test.label(i) != badDigit) others.add(i);
      else if (bad.size() < badCount) bad.add(i);
      else rest.add(i);
    }
    if (bad.size() < badCount) {
      throw new IllegalArgumentException("badCount " + badCount + ": the test set has only " + bad.size() + " images of digit " + badDigit);
    }
    Tensor trainImages = images(train);
    return new BreakingData(trainImages, classes(train.labels()), trainImages.mean(new long[] {0}, false, null),
        split(test, bad), split(test, rest), split(test, others));
  }

  private static Split split(ImageDataset test, List<Integer> indices) {
    ImageDataset subset = test.subset(indices.stream().mapToInt(Integer::intValue).toArray());
    return new Split(images(subset), classes(subset.labels()), subset.count());
  }

  private static Tensor images(ImageDataset d) {
    return Tensor.create(d.pixelsMinusOneToOne(), d.count(), d.pixelsPerImage());
  }

  private static Tensor classes(int[] digits) {
    return Tensor.create(Arrays.stream(digits).mapToLong(d -> d / 2).toArray());
  }

  int trainCount() {
    return (int) trainImages.size(0);
  }
}
