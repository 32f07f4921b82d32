package gradroute.experiment.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The mechanical properties of split training: exact zeros and what gets gradient from what. */
class SplitTrainingTest {
  static final Device CPU = new Device("cpu");

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  static MnistConfig config(boolean routing, double certificates, double l1, double correlation) {
    return new MnistConfig("test", "", new int[] {32, 16}, 8, 1, 12, 1e-3, 5e-5, routing, false,
        1, 0, 1, certificates, certificates, l1, l1, correlation, List.of(0L), false, "mnist", null, 10);
  }

  static final int[] LABELS = {0, 5, 1, 6, 2, 7, 3, 8, 4, 9, 0, 9};

  static SplitTraining training(MnistConfig c) {
    torch.manual_seed(3);
    SplitAutoencoder model = new SplitAutoencoder(20, c.hidden(), c.latent(), c.splitDecoders());
    Tensor images = torch.rand(LABELS.length, 20).mul(new org.bytedeco.pytorch.Scalar(2)).sub(new org.bytedeco.pytorch.Scalar(1));
    return new SplitTraining(c, model, images, LABELS, 0, CPU);
  }

  static Tensor images() {
    torch.manual_seed(4);
    return torch.rand(LABELS.length, 20).mul(new org.bytedeco.pytorch.Scalar(2)).sub(new org.bytedeco.pytorch.Scalar(1));
  }

  @Test
  void reconstructionGradientReachesOnlyTheExamplesOwnHalf() {
    SplitTraining t = training(config(true, 0, 0, 0));
    SplitTraining.Losses l = t.losses(images(), LABELS);
    l.z().retain_grad();
    l.total().backward();
    float[] grad = TensorArrays.toFloats(l.z().grad());
    int latent = 8, half = 4;
    for (int i = 0; i < LABELS.length; i++) {
      boolean low = LABELS[i] < 5;
      for (int j = 0; j < latent; j++) {
        boolean ownHalf = (j < half) == low;
        float g = grad[i * latent + j];
        if (!ownHalf) assertEquals(0f, g, "digit " + LABELS[i] + " dim " + j + " must get exactly zero gradient");
      }
    }
    SplitTraining control = training(config(false, 0, 0, 0));
    SplitTraining.Losses lc = control.losses(images(), LABELS);
    lc.z().retain_grad();
    lc.total().backward();
    float[] gc = TensorArrays.toFloats(lc.z().grad());
    for (int i = 0; i < LABELS.length; i++) {
      boolean anyA = false, anyB = false;
      for (int j = 0; j < half; j++) anyA |= gc[i * latent + j] != 0;
      for (int j = half; j < latent; j++) anyB |= gc[i * latent + j] != 0;
      assertTrue(anyA && anyB, "without routing both halves learn from example " + i);
    }
  }

  static float[] encoderGradient(double certificateWeight) {
    SplitTraining t = training(config(true, certificateWeight, 3e-3, 0.1));
    t.losses(images(), LABELS).total().backward();
    TensorVector params = t.model().named_parameters().values();
    StringBuilder unused = new StringBuilder();
    float[] all = new float[0];
    for (int i = 0; i < params.size(); i++) {
      String name = t.model().named_parameters().keys().get(i).getString();
      if (!name.startsWith("encoder.")) continue;
      float[] g = TensorArrays.toFloats(params.get(i).grad());
      float[] joined = new float[all.length + g.length];
      System.arraycopy(all, 0, joined, 0, all.length);
      System.arraycopy(g, 0, joined, all.length, g.length);
      all = joined;
    }
    return all;
  }

  @Test
  void certificatesGiveNoGradientToTheEncoder() {
    assertTrue(java.util.Arrays.equals(encoderGradient(0), encoderGradient(1)));
    assertTrue(java.util.Arrays.equals(encoderGradient(0), encoderGradient(7.5)));
  }

  static boolean decoderLearnsFrom(int[] labels) {
    SplitTraining t = training(config(true, 0, 0, 0));
    Tensor x = images().narrow(0, 0, labels.length);
    t.losses(x, labels).total().backward();
    TensorVector params = t.model().named_parameters().values();
    for (int i = 0; i < params.size(); i++) {
      String name = t.model().named_parameters().keys().get(i).getString();
      if (name.startsWith("decoder.") && params.get(i).grad().abs().sum().item_double() > 0) return true;
    }
    return false;
  }

  @Test
  void decoderLearnsFromBothGroupsAndEmptyGroupsGiveZero() {
    assertTrue(decoderLearnsFrom(new int[] {0, 1, 2}));
    assertTrue(decoderLearnsFrom(new int[] {5, 6, 7}));
    SplitTraining t = training(config(true, 0, 0, 0));
    SplitTraining.Losses l = t.losses(images().narrow(0, 0, 3), new int[] {0, 1, 2});
    assertEquals(0.0, l.bad().item_double(), "an empty digit group contributes 0, not NaN");
  }

  @Test
  void groupLossIsTheMeanOverItsOwnImagesAndPixels() {
    SplitTraining t = training(config(true, 0, 0, 0));
    Tensor x = images();
    SplitTraining.Losses l = t.losses(x, LABELS);
    float[] rec = TensorArrays.toFloats(t.model().forward(x, null).reconstruction());
    float[] xs = TensorArrays.toFloats(x);
    double sumLow = 0;
    int low = 0;
    for (int i = 0; i < LABELS.length; i++) {
      if (LABELS[i] >= 5) continue;
      low++;
      for (int p = 0; p < 20; p++) sumLow += Math.abs(rec[i * 20 + p] - xs[i * 20 + p]);
    }
    assertEquals(sumLow / (low * 20), l.good().item_double(), 1e-6);
    assertFalse(Double.isNaN(l.total().item_double()));
  }

  @Test
  void epochPermutationsAreSeededAndComplete() {
    int[] a = SplitTraining.permutation(100, 7, 3);
    assertTrue(java.util.Arrays.equals(a, SplitTraining.permutation(100, 7, 3)));
    assertFalse(java.util.Arrays.equals(a, SplitTraining.permutation(100, 7, 4)));
    int[] sorted = a.clone();
    java.util.Arrays.sort(sorted);
    for (int i = 0; i < 100; i++) assertEquals(i, sorted[i]);
  }
}
