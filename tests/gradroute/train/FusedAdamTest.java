package gradroute.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.AdamWConfig;
import gradroute.model.Mlp;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fused step against libtorch's own {@code Optimizer::step()} on the same model and batches. */
class FusedAdamTest {
  private static final int STEPS = 30;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  /** A small regression MLP; its batches depend only on the step (three batches in turn). */
  private static final class Run {
    final Mlp model;

    Run() {
      torch.manual_seed(11);
      model = new Mlp(new int[] {7, 33, 5, 1}, true);
    }

    /** Runs {@code steps} steps from {@code from} and returns their losses. */
    double[] train(Optimizer optimizer, Consumer<Optimizer> step, long from, int steps) {
      double[] losses = new double[steps];
      for (int s = 0; s < steps; s++) {
        try (PointerScope scope = new PointerScope()) {
          torch.manual_seed(1000 + (from + s) % 3);
          Tensor x = torch.randn(32, 7);
          Tensor y = x.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()).sin();
          Tensor loss = model.forward(x).sub(y).pow(new Scalar(2)).mean();
          optimizer.zero_grad();
          loss.backward();
          step.accept(optimizer);
          losses[s] = loss.item_double();
        }
      }
      return losses;
    }

    List<float[]> weights() {
      List<float[]> out = new ArrayList<>();
      for (Tensor p : model.parameters().get()) out.add(TensorArrays.toFloats(p));
      return out;
    }
  }

  private static Adam adam(Run r, double weightDecay) {
    AdamOptions o = new AdamOptions(1e-2);
    o.weight_decay().put(weightDecay);
    return new Adam(r.model.parameters(), o);
  }

  private static AdamW adamW(Run r) {
    return AdamWConfig.of(1e-2, 0.9, 0.95, 0.1).create(r.model.parameters());
  }

  private static void assertClose(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * Math.abs(expected[i]) + 1e-7, "loss of step " + i);
    }
  }

  private static void assertClose(List<float[]> expected, List<float[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      float[] e = expected.get(i), a = actual.get(i);
      assertEquals(e.length, a.length);
      for (int j = 0; j < e.length; j++) assertEquals(e[j], a[j], 1e-5f * Math.abs(e[j]) + 1e-6f, "parameter " + i + "[" + j + "]");
    }
  }

  @Test
  void adamGivesTheLossesAndWeightsOfTorchOptimAdam() {
    Run reference = new Run(), fused = new Run();
    double[] expected = reference.train(adam(reference, 5e-5), Optimizer::step, 0, STEPS);
    double[] actual = fused.train(adam(fused, 5e-5), o -> FusedAdam.step((Adam) o), 0, STEPS);
    assertClose(expected, actual);
    assertClose(reference.weights(), fused.weights());
    double first = actual[0] + actual[1] + actual[2], last = actual[STEPS - 3] + actual[STEPS - 2] + actual[STEPS - 1];
    assertTrue(last < first * 0.8, "the loss over the three batches fell: " + first + " -> " + last);
  }

  @Test
  void adamWGivesTheLossesAndWeightsOfTorchOptimAdamW() {
    Run reference = new Run(), fused = new Run();
    double[] expected = reference.train(adamW(reference), Optimizer::step, 0, STEPS);
    double[] actual = fused.train(adamW(fused), o -> FusedAdam.step((AdamW) o), 0, STEPS);
    assertClose(expected, actual);
    assertClose(reference.weights(), fused.weights());
  }

  @Test
  void learningRateChangesReachTheFusedStep() {
    Run reference = new Run(), fused = new Run();
    AdamW ro = adamW(reference), fo = adamW(fused);
    double[] expected = new double[STEPS], actual = new double[STEPS];
    for (int s = 0; s < STEPS; s++) {
      AdamWConfig.setLr(ro, 1e-2 / (s + 1));
      AdamWConfig.setLr(fo, 1e-2 / (s + 1));
      expected[s] = reference.train(ro, Optimizer::step, s, 1)[0];
      actual[s] = fused.train(fo, o -> FusedAdam.step((AdamW) o), s, 1)[0];
    }
    assertClose(expected, actual);
    assertClose(reference.weights(), fused.weights());
  }

  @Test
  void aCheckpointOfTheFusedStepResumesToTheUninterruptedRun(@TempDir Path dir) {
    Run straight = new Run();
    AdamW so = adamW(straight);
    straight.train(so, o -> FusedAdam.step((AdamW) o), 0, STEPS);

    Run first = new Run();
    AdamW fo = adamW(first);
    first.train(fo, o -> FusedAdam.step((AdamW) o), 0, STEPS / 2);
    OutputArchive out = new OutputArchive();
    ModuleState.save(out, first.model, fo);
    String file = dir.resolve("checkpoint.pt").toString();
    out.save_to(file);

    Run resumed = new Run();
    AdamW ro = adamW(resumed);
    InputArchive in = new InputArchive();
    in.load_from(file);
    ModuleState.load(in, resumed.model, ro);
    resumed.train(ro, o -> FusedAdam.step((AdamW) o), STEPS / 2, STEPS - STEPS / 2);
    List<float[]> expected = straight.weights(), actual = resumed.weights();
    for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), "parameter " + i);
  }

  @Test
  void parametersWithoutAGradientAreLeftAlone() {
    Run r = new Run();
    Tensor[] ps = r.model.parameters().get();
    Tensor frozen = ps[ps.length - 1];
    float[] before = TensorArrays.toFloats(frozen);
    frozen.requires_grad_(false);
    r.train(adam(r, 0.0), o -> FusedAdam.step((Adam) o), 0, 5);
    assertArrayEquals(before, TensorArrays.toFloats(frozen));
    assertFalse(java.util.Arrays.equals(TensorArrays.toFloats(ps[0]), new Run().weights().get(0)), "the other weights moved");
  }

  @Test
  void aBadParameterIsAJavaExceptionNamingIt() {
    Tensor p = torch.randn(4, 6).t().requires_grad_(true);
    p.mul(p).sum().backward();
    Adam optimizer = new Adam(new TensorVector(p), new AdamOptions(1e-2));
    RuntimeException e = assertThrows(RuntimeException.class, () -> FusedAdam.step(optimizer));
    assertTrue(e.getMessage().contains("fused_adam_step: parameter 0 of group 0 is not contiguous"), e.getMessage());
  }
}
