package gradroute.experiment.interactionbasis;

import gradroute.interactionbasis.MlpStack;
import gradroute.runtime.TensorArrays;
import org.bytedeco.pytorch.Tensor;

/** Reconstruction error (mean absolute error per pixel) of an autoencoder stack's outputs, per digit group. */
record Reconstruction(double all, double low, double high) {
  /** Digits below this form the group routed into half A. */
  static final int FIRST_HIGH_DIGIT = 5;

  static Reconstruction of(Tensor output, Tensor images, int[] labels) {
    double[] perImage = TensorArrays.toDoubles(output.sub(images).abs().mean(1));
    double sum = 0, low = 0, high = 0;
    int nLow = 0, nHigh = 0;
    for (int i = 0; i < perImage.length; i++) {
      sum += perImage[i];
      if (labels[i] < FIRST_HIGH_DIGIT) {
        low += perImage[i];
        nLow++;
      } else {
        high += perImage[i];
        nHigh++;
      }
    }
    return new Reconstruction(sum / perImage.length, low / Math.max(1, nLow), high / Math.max(1, nHigh));
  }

  static Reconstruction of(MlpStack stack, java.util.Map<Integer, java.util.function.UnaryOperator<Tensor>> edits, Tensor images, int[] labels) {
    return of(stack.output(images, edits), images, labels);
  }
}
