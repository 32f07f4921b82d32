package gradroute.experiment.mnist;

import static gradroute.runtime.Ops.meanOver;

import gradroute.runtime.TensorArrays;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Test-set evaluation: per-digit MAE and MSE of the decoder and both
 * certificates, the split ratios R_A = C_A(5–9)/C_A(0–4) and R_B = C_B(0–4)/C_B(5–9) (per-digit
 * means, then the mean over the five digits) and S = R_A·R_B, against the median-image baseline.
 */
final class SplitEvaluation {
  record Digit(int digit, int count, double decoderMae, double certificateAMae, double certificateBMae,
               double decoderMse, double certificateAMse, double certificateBMse, double medianImageMae) {}

  record Result(List<Digit> perDigit, double rA, double rB, double s, double decoderMae,
                double certificateAOwnMae, double certificateAAwayMae, double certificateBOwnMae,
                double certificateBAwayMae, double medianImageMae) {}

  /** First test image of each digit and its three reconstructions, for the picture. */
  record Examples(float[][] originals, float[][] decoder, float[][] certificateA, float[][] certificateB) {}

  private SplitEvaluation() {}

  static Result evaluate(SplitAutoencoder model, Tensor images, int[] labels, Tensor medianImage) {
    int n = labels.length;
    double[][] sums = new double[10][7];
    int[] counts = new int[10];
    try (NoGradGuard g = new NoGradGuard()) {
      for (int from = 0; from < n; from += 1000) {
        int len = Math.min(1000, n - from);
        Tensor x = images.narrow(0, from, len);
        SplitAutoencoder.Outputs out = model.forward(x, null);
        Tensor[] preds = {out.reconstruction(), out.certificateA(), out.certificateB()};
        float[][] mae = new float[3][];
        float[][] mse = new float[3][];
        for (int k = 0; k < 3; k++) {
          Tensor err = preds[k].sub(x);
          mae[k] = TensorArrays.toFloats(meanOver(err.abs(), false, 1));
          mse[k] = TensorArrays.toFloats(meanOver(err.pow(new Scalar(2)), false, 1));
        }
        float[] median = TensorArrays.toFloats(meanOver(x.sub(medianImage).abs(), false, 1));
        for (int i = 0; i < len; i++) {
          int d = labels[from + i];
          counts[d]++;
          sums[d][0] += mae[0][i];
          sums[d][1] += mae[1][i];
          sums[d][2] += mae[2][i];
          sums[d][3] += mse[0][i];
          sums[d][4] += mse[1][i];
          sums[d][5] += mse[2][i];
          sums[d][6] += median[i];
        }
      }
    }
    List<Digit> digits = new ArrayList<>();
    double decoder = 0, medianAll = 0;
    for (int d = 0; d < 10; d++) {
      int c = Math.max(1, counts[d]);
      digits.add(new Digit(d, counts[d], sums[d][0] / c, sums[d][1] / c, sums[d][2] / c, sums[d][3] / c,
          sums[d][4] / c, sums[d][5] / c, sums[d][6] / c));
      decoder += sums[d][0];
      medianAll += sums[d][6];
    }
    double aOwn = groupMean(digits, 0, 5, Digit::certificateAMae);
    double aAway = groupMean(digits, 5, 10, Digit::certificateAMae);
    double bOwn = groupMean(digits, 5, 10, Digit::certificateBMae);
    double bAway = groupMean(digits, 0, 5, Digit::certificateBMae);
    double rA = aAway / aOwn;
    double rB = bAway / bOwn;
    return new Result(digits, rA, rB, rA * rB, decoder / n, aOwn, aAway, bOwn, bAway, medianAll / n);
  }

  private static double groupMean(List<Digit> digits, int from, int to, java.util.function.ToDoubleFunction<Digit> f) {
    double s = 0;
    for (int d = from; d < to; d++) s += f.applyAsDouble(digits.get(d));
    return s / (to - from);
  }

  static Examples examples(SplitAutoencoder model, Tensor images, int[] labels) {
    float[][][] rows = new float[4][10][];
    try (NoGradGuard g = new NoGradGuard()) {
      for (int d = 0; d < 10; d++) {
        int i = 0;
        while (i < labels.length && labels[i] != d) i++;
        if (i == labels.length) continue;
        Tensor x = images.narrow(0, i, 1);
        SplitAutoencoder.Outputs out = model.forward(x, null);
        rows[0][d] = TensorArrays.toFloats(x);
        rows[1][d] = TensorArrays.toFloats(out.reconstruction());
        rows[2][d] = TensorArrays.toFloats(out.certificateA());
        rows[3][d] = TensorArrays.toFloats(out.certificateB());
      }
    }
    return new Examples(rows[0], rows[1], rows[2], rows[3]);
  }

  /** Per-pixel median of the training images: the "knows nothing about the digit" prediction. */
  static float[] medianImage(float[] pixels, int count, int width) {
    float[] median = new float[width];
    float[] column = new float[count];
    for (int p = 0; p < width; p++) {
      for (int i = 0; i < count; i++) column[i] = pixels[i * width + p];
      java.util.Arrays.sort(column);
      median[p] = count % 2 == 1 ? column[count / 2] : 0.5f * (column[count / 2 - 1] + column[count / 2]);
    }
    return median;
  }
}
