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
      FusedAdam.step(optimizer);
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
  void aResumedOptimiserTrainsAtTheLearningRateItWasBuiltWithNotTheCheckpoints(@TempDir Path dir) throws Exception {
    Regression trained = new Regression(); // Adam at 0.01
    trained.step(0);
    OutputArchive out = new OutputArchive();
    trained.save(out);
    out.save_to(dir.resolve("c.pt").toString());

    Regression resumed = new Regression();
    resumed.optimizer.param_groups().get(0).options().set_lr(0.1); // the config now says 0.1
    InputArchive in = new InputArchive();
    in.load_from(dir.resolve("c.pt").toString());
    resumed.load(in);
    assertEquals(0.1, resumed.optimizer.param_groups().get(0).options().get_lr(), "the checkpoint's learning rate came back");
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
  void aRestoreOnlyCheckpointResumesFromAnotherWritersCheckpointAndNeverWritesIt(@TempDir Path dir) throws Exception {
    Regression straight = new Regression();
    new TrainingLoop("straight", 20, 1, null, 1).run(straight, false);
    Regression killed = new Regression();
    killed.stopAfter = 13;
    Checkpoint checkpoint = new Checkpoint(dir, "run");
    assertThrows(IllegalStateException.class, () -> new TrainingLoop("writer", 20, 1, checkpoint, 5).run(killed, true));
    byte[] before = java.nio.file.Files.readAllBytes(checkpoint.marker());

    Regression follower = new Regression(); // a data-parallel rank above 0: resumes from rank 0's checkpoint
    TrainingLoop.bare("follower", 20).with(CheckpointListener.restoreOnly(checkpoint)).run(follower, true);
    assertTrue(java.util.Arrays.equals(straight.weights(), follower.weights()), "the follower resumed at step 10");
    assertTrue(java.util.Arrays.equals(before, java.nio.file.Files.readAllBytes(checkpoint.marker())), "the follower wrote no checkpoint");
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

  @Test
  void aNonFiniteTermOtherThanTheTotalStopsTrainingNamingRunStepAndEveryTerm() {
    Trainable t = step -> step == 3 ? Map.of("loss", 1.0, "pg_loss", Double.POSITIVE_INFINITY, "rate", 0.5) : Map.of("loss", 1.0);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> TrainingLoop.bare("my-run", 6).run(t, false));
    assertTrue(e.getMessage().contains("my-run") && e.getMessage().contains("step 3") && e.getMessage().contains("loss=1.0")
        && e.getMessage().contains("pg_loss=Infinity"), e.getMessage());
    assertTrue(!e.getMessage().contains("rate"), "metrics that are not loss terms are not listed: " + e.getMessage());
    Trainable nanRate = step -> Map.of("loss", 1.0, "rate", Double.NaN);
    TrainingLoop.bare("rates may be NaN", 2).run(nanRate, false);
  }

  @Test
  void aNonFiniteEvaluationStopsTrainingToo() {
    Trainable t = step -> Map.of("loss", 1.0);
    var e = assertThrows(TrainingDivergedException.class,
        () -> TrainingLoop.bare("eval", 4).with(new Evaluate("selection_loss", 2, () -> Double.NaN)).run(t, false));
    assertTrue(e.getMessage().contains("step 1") && e.getMessage().contains("selection_loss=NaN"), e.getMessage());
  }

  @Test
  void timingCountsOnlyTheStepsThisProcessRan(@TempDir Path dir) {
    Checkpoint checkpoint = new Checkpoint(dir, "run");
    Regression killed = new Regression();
    killed.stopAfter = 7;
    assertThrows(IllegalStateException.class, () -> new TrainingLoop("first", 10, 1, checkpoint, 5).run(killed, false));
    Timing timing = new Timing();
    new TrainingLoop("resumed", 10, 1, checkpoint, 5).with(timing).run(new Regression(), true);
    assertEquals(5, timing.steps(), "steps 5..9, not the 5 restored from the checkpoint");
    assertEquals(timing.steps() / timing.seconds(), timing.stepsPerSecond(), 1e-9);
  }

  @Test
  void earlyStoppingAndKeepBestFollowAMetric() {
    double[] values = {3, 2, 4, 5, 6, 1};
    Trainable t = step -> Map.of("loss", values[(int) step]);
    long[] kept = {-1};
    long[] restored = {0};
    KeepBest best = new KeepBest("loss", 10, () -> kept[0]++, () -> restored[0]++);
    History h = TrainingLoop.bare("early", values.length).with(new HistoryRecorder(1))
        .with(new EarlyStopping("loss", 3, 10)).with(best).run(t, false);
    assertEquals(5, h.rows().size(), "stopped after the third rise in a row (steps 2, 3, 4)");
    assertEquals(1, best.bestStep());
    assertEquals(2.0, best.best());
    assertEquals(1, kept[0], "copied aside at steps 0 and 1");
    assertEquals(1, restored[0], "the best weights are put back at the end");
  }

  @Test
  void aStepMayNotReturnNativeMemoryItFreed() {
    var e = assertThrows(IllegalStateException.class, () -> Steps.scoped(() -> torch.ones(2)));
    assertTrue(e.getMessage().contains("freed"), e.getMessage());
    assertEquals(4.0, Steps.scoped(() -> torch.ones(4).sum().item_double()));
  }
}
