package gradroute.model.unlearn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmEval;
import gradroute.model.LrSchedule;
import gradroute.model.TinyModels;
import gradroute.model.TokenBatch;
import gradroute.runtime.TorchRuntime;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UnlearningTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static final List<long[]> FORGET = List.of(new long[] {0, 5, 6, 7, 8, 9, 10}, new long[] {0, 5, 6, 9, 8, 7, 10});
  private static final List<long[]> RETAIN = List.of(new long[] {0, 11, 12, 13, 14, 15}, new long[] {0, 15, 14, 13, 12, 11});

  @Test
  void retrainingAttackLowersTheForgetLossOnACopy() {
    try (Gpt m = Gpt.create(TinyModels.config(), 1)) {
      TokenBatch attack = new TokenBatch(FORGET, 13, 0);
      LmEval test = new LmEval(FORGET, 8, 13, 0);
      Tensor probe = TinyModels.tokens(2, 1, 5, 23);
      Tensor before = m.forward(probe);
      RetrainingAttack.Curve c = RetrainingAttack.run("attack", m, attack, test::loss,
          new RetrainingAttack.Spec(7, 2, AdamWConfig.of(1e-2, 0.9, 0.95, 0.01), 0));
      assertArrayEquals(new int[] {0, 2, 4, 6, 7}, c.steps());
      assertTrue(c.forgetLoss()[4] < c.forgetLoss()[0]);
      assertEquals(c.forgetLoss()[4], c.min());
      assertTrue(torch.equal(before, m.forward(probe)), "the attacked model is a copy");
    }
  }

  @Test
  void continuingAttackStartsFromTheOptimisersMomentsAndTrainsTheModelItself() {
    RetrainingAttack.Spec spec = new RetrainingAttack.Spec(4, 2, AdamWConfig.of(1e-2, 0.9, 0.95, 0.01), 0);
    TokenBatch attack = new TokenBatch(FORGET, 13, 0);
    LmEval test = new LmEval(FORGET, 8, 13, 0);
    try (Gpt m = Gpt.create(TinyModels.config(), 1); Gpt fresh = m.copy(); Gpt tuned = m.copy()) {
      // with an optimiser that has taken no step, continuing is the fresh attack
      AdamW unused = spec.optimizer().create(fresh.parameterVector());
      double[] expected = RetrainingAttack.run("attack", m, attack, test::loss, spec).forgetLoss();
      assertArrayEquals(expected, RetrainingAttack.continuing("attack", fresh, unused, attack, test::loss, spec).forgetLoss());
      assertFalse(torch.equal(m.forward(TinyModels.tokens(2, 1, 5, 23)), fresh.forward(TinyModels.tokens(2, 1, 5, 23))),
          "continuing trains the model itself");
      // three steps on retain text first: their moments change what the attack does
      AdamW used = AdamWConfig.of(3e-3, 0.9, 0.95, 0.01).create(tuned.parameterVector());
      TokenBatch retainBatch = new TokenBatch(RETAIN, 13, 0);
      gradroute.model.LmTrainer retain = gradroute.model.LmTrainer.continuing(tuned, used, gradroute.model.LrSchedule.constant(3e-3),
          step -> new gradroute.model.LmTrainer.Batch(retainBatch, null));
      for (int i = 0; i < 3; i++) retain.step(i);
      double[] freshOnTuned = RetrainingAttack.run("attack", tuned, attack, test::loss, spec).forgetLoss();
      RetrainingAttack.Curve c = RetrainingAttack.continuing("attack", tuned, used, attack, test::loss, spec);
      assertEquals(freshOnTuned[0], c.forgetLoss()[0], "both start from the tuned model");
      assertFalse(java.util.Arrays.equals(freshOnTuned, c.forgetLoss()), "the carried moments change the attack");
      assertEquals(1e-2, used.param_groups().get(0).options().get_lr(), 1e-15, "the attack's learning rate");
      assertTrue(c.min() < c.forgetLoss()[0]);
      unused.deallocate();
      used.deallocate();
    }
  }

  @Test
  void rmuTrainsOnlyTheChosenWOutAndPushesForgetActivationsAway() {
    GptConfig c = GptConfig.of(3, 16, 2, 8, 32, 23, 12, false);
    try (Gpt m = Gpt.create(c, 1); Gpt start = m.copy()) {
      Rmu.Spec spec = new Rmu.Spec(2, new int[] {0, 1}, 20, 1, 30, AdamWConfig.of(1e-2, 0.9, 0.999, 0.0));
      gradroute.train.History h = Rmu.run("rmu", m, s -> new TokenBatch(FORGET, 13, 0), s -> new TokenBatch(RETAIN, 13, 0), spec, 4);
      double[] f = h.series("forget_loss")[1];
      assertTrue(f[f.length - 1] < f[0], "forget MSE falls: " + f[0] + " -> " + f[f.length - 1]);
      for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
        boolean trained = e.getKey().equals("blocks.0.mlp.W_out") || e.getKey().equals("blocks.1.mlp.W_out");
        assertEquals(!trained, torch.equal(e.getValue(), start.parameter(e.getKey())), e.getKey());
        assertTrue(e.getValue().requires_grad(), e.getKey() + " requires gradients again after RMU (it froze the untrained weights)");
      }
      assertThrows(IllegalArgumentException.class, () -> Rmu.run("rmu", m, s -> null, s -> null,
          new Rmu.Spec(2, new int[] {2}, 20, 1, 1, AdamWConfig.of(1e-2, 0.9, 0.999, 0.0)), 1));
    }
  }

  @Test
  void learningRateScheduleWarmsUpThenDecays() {
    LrSchedule s = new LrSchedule(1e-3, 1e-4, 10, 110);
    assertEquals(1e-4, s.at(0), 1e-12);
    assertEquals(1e-3, s.at(9), 1e-12);
    assertEquals(1e-3, s.at(10), 1e-12);
    assertEquals(5.5e-4, s.at(60), 1e-12);
    assertEquals(1e-4, s.at(110), 1e-12);
    assertFalse(s.at(50) < s.at(70));
  }

  @Test
  void rmuWithAHugeLearningRateStopsWithAnErrorNamingRunStepAndLossTerms() {
    GptConfig c = GptConfig.of(3, 16, 2, 8, 32, 23, 12, false);
    try (Gpt m = Gpt.create(c, 1)) {
      Rmu.Spec spec = new Rmu.Spec(2, new int[] {0, 1}, 20, 1, 30, AdamWConfig.of(1e9, 0.9, 0.999, 0.01));
      var e = assertThrows(gradroute.train.TrainingDivergedException.class,
          () -> Rmu.run("s0-rmu", m, s -> new TokenBatch(FORGET, 13, 0), s -> new TokenBatch(RETAIN, 13, 0), spec, 4));
      assertTrue(e.getMessage().contains("s0-rmu") && e.getMessage().contains("forget_loss=") && e.getMessage().contains("retain_loss="),
          e.getMessage());
    }
  }
}
