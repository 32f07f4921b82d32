package gradroute.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.Mlp;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  /** A tiny regression whose batch depends only on the step, as every gradroute trainer does. */
  static class Regression implements Trainable {
    final Mlp model;
    final Adam optimizer;
    long stopAfter = Long.MAX_VALUE;
    boolean explode;

    Regression() {
      torch.manual_seed(5);
      model = new Mlp(new int[] {3, 8, 1}, true);
      optimizer = new Adam(model.parameters(), new AdamOptions(0.01));
    }

    @Override
    public Map<String, Double> step(long step) {
      if (step >= stopAfter) throw new IllegalStateException("killed at step " + step);
      torch.manual_seed(100 + step);
      Tensor x = torch.randn(16, 3);
      Tensor y = x.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
      Tensor loss = model.forward(x).sub(y).pow(new Scalar(2)).mean();
      if (explode) loss = loss.div(new Scalar(0.0));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      return Map.of("loss", loss.item_double());
    }

    @Override
    public void save(OutputArchive archive) {
      ModuleState.save(archive, model, optimizer);
    }

    @Override
    public void load(InputArchive archive) {
      ModuleState.load(archive, model, optimizer);
    }

    float[] weights() {
      return TensorArrays.toFloats(model.layer(0).weight());
    }
  }

  @Test
  void killedRunResumesToTheSameParameters(@TempDir Path dir) {
    Regression straight = new Regression();
    History full = new TrainingLoop("straight", 20, 1, null, 1).run(straight, false);
    assertEquals(20, full.rows().size());

    Regression killed = new Regression();
    killed.stopAfter = 13;
    Checkpoint checkpoint = new Checkpoint(dir, "run");
    assertThrows(IllegalStateException.class, () -> new TrainingLoop("killed", 20, 1, checkpoint, 5).run(killed, true));
    assertTrue(checkpoint.exists());

    Regression resumed = new Regression(); // a fresh process: new model, state from the checkpoint
    History rest = new TrainingLoop("resumed", 20, 1, checkpoint, 5).run(resumed, true);
    assertEquals(20, rest.rows().size(), "history is restored with the checkpoint");
    assertTrue(java.util.Arrays.equals(straight.weights(), resumed.weights()), "resumed training ends where uninterrupted training does");
  }

  @Test
  void nonFiniteLossStopsTrainingWithAClearError() {
    Regression r = new Regression();
    r.explode = true;
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> new TrainingLoop("nan", 5, 1, null, 1).run(r, false));
    assertTrue(e.getMessage().contains("step 0"), e.getMessage());
  }

  @Test
  void checkpointOfAnotherModelIsRejected(@TempDir Path dir) throws Exception {
    Regression r = new Regression();
    Checkpoint checkpoint = new Checkpoint(dir, "run");
    new TrainingLoop("a", 2, 1, checkpoint, 1).run(r, false);
    Trainable other = new Regression() {
      final Mlp wider = new Mlp(new int[] {3, 9, 1}, true);

      @Override
      public void load(InputArchive archive) {
        InputArchive m = new InputArchive();
        archive.read("model", m);
        ModuleState.load(wider, m);
      }
    };
    Exception e = assertThrows(Exception.class, () -> new TrainingLoop("b", 4, 1, checkpoint, 1).run(other, true));
    assertTrue(e.getMessage().contains("checkpoint"), e.getMessage());
    assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".partial")));
  }
}
