package gradroute.data;

import java.util.Objects;

/** A training set and the test set kept apart from it. */
public record TrainTest(ImageDataset train, ImageDataset test) {
  public TrainTest {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    if (train.rows() != test.rows() || train.cols() != test.cols()) {
      throw new IllegalArgumentException(
          "train images are " + train.rows() + "x" + train.cols()
              + " but test images are " + test.rows() + "x" + test.cols());
    }
  }
}
