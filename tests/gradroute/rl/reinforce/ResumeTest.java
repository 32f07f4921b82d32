package gradroute.rl.reinforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.experiment.minigrid.Method;
import gradroute.runtime.SingleThreaded;
import gradroute.train.Checkpoint;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped at a checkpoint and resumed ends with the same weights as an uninterrupted one. */
@ExtendWith(SingleThreaded.class)
class ResumeTest {
  private static AgentConfig config(Method m, long updates) {
    // 8 envs × 8 steps, environments reseeded every 2 updates (where checkpoints fall)
    return new AgentConfig(m.recipe(), 0.3, 8, 8, updates, 1e-3, 42, 0.97, 0.5, 0.1, 0.01, 0.0, 2, 0, 4, 4);
  }

  @Test
  void resumingContinuesExactlyLikeAnUninterruptedRun(@TempDir Path dir) {
    for (Method m : new Method[] {Method.ROUTING, Method.FILTERING}) {
      ReinforceTrainer straight = new ReinforceTrainer(config(m, 6), null);
      History full = new TrainingLoop("straight", 6, 1, new Checkpoint(dir.resolve(m + "-a"), "ckpt"), 2).run(straight, false);

      ReinforceTrainer first = new ReinforceTrainer(config(m, 6), null);
      new TrainingLoop("first", 4, 1, new Checkpoint(dir.resolve(m + "-b"), "ckpt"), 2).run(first, false);
      ReinforceTrainer resumed = new ReinforceTrainer(config(m, 6), null);
      History continued = new TrainingLoop("resumed", 6, 1, new Checkpoint(dir.resolve(m + "-b"), "ckpt"), 2).run(resumed, true);

      assertEquals(6, continued.rows().size(), "history restored and continued");
      assertEquals(full.rows().get(5).metrics().get("loss"), continued.rows().get(5).metrics().get("loss"), m + ": last loss");
      Tensor[] a = straight.policy().parameters().get();
      Tensor[] b = resumed.policy().parameters().get();
      Tensor[] firstParams = first.policy().parameters().get();
      assertEquals(a.length, b.length);
      boolean movedOn = false;
      for (int i = 0; i < a.length; i++) {
        assertTrue(torch.equal(a[i], b[i]), m + ": parameter " + i + " differs after resuming");
        movedOn |= !torch.equal(firstParams[i], b[i]);
      }
      assertTrue(movedOn, "the resumed run trained past the checkpoint");
      Tensor[] va = straight.value().parameters().get();
      Tensor[] vb = resumed.value().parameters().get();
      for (int i = 0; i < va.length; i++) {
        assertTrue(torch.equal(va[i], vb[i]), m + ": value parameter " + i);
      }
    }
  }

  @Test
  void aDifferentSeedTrainsDifferently() {
    ReinforceTrainer a = new ReinforceTrainer(config(Method.NAIVE_OUTCOMES, 2), null);
    AgentConfig other = new AgentConfig(Method.NAIVE_OUTCOMES.recipe(), 0.3, 8, 8, 2, 1e-3, 43, 0.97, 0.5, 0.1, 0.01, 0.0, 2, 0, 4, 4);
    ReinforceTrainer b = new ReinforceTrainer(other, null);
    assertFalse(torch.equal(a.policy().parameters().get()[0], b.policy().parameters().get()[0]));
  }

  @Test
  void aDivergingAgentStopsWithAnErrorNamingRunStepAndLossTerms() {
    AgentConfig exploding = new AgentConfig(Method.ROUTING.recipe(), 0.3, 8, 8, 4, 1e30, 42, 0.97, 0.5, 0.1, 0.01, 0.0, 2, 0, 4, 4);
    var e = org.junit.jupiter.api.Assertions.assertThrows(gradroute.train.TrainingDivergedException.class,
        () -> new TrainingLoop("routed-lr1e30", 4, 1, null, 2).run(new ReinforceTrainer(exploding, null), false));
    assertTrue(e.getMessage().contains("routed-lr1e30") && e.getMessage().contains("step ") && e.getMessage().contains("pg_loss=")
        && e.getMessage().contains("value_loss="), e.getMessage());
  }
}
