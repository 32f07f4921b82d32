package gradroute.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.train.FusedAdam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class LmTrainerTest {
  private static final AdamWConfig ADAM = AdamWConfig.of(1e-2, 0.9, 0.95, 0.1);

  private static TokenBatch batch(long step) {
    List<long[]> seqs = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      long[] s = new long[7];
      for (int t = 0; t < s.length; t++) s[t] = (b * 5L + t * 3L + step) % 23;
      seqs.add(s);
    }
    return new TokenBatch(seqs, 13, 0);
  }

  private static float maxParamDiff(Gpt a, Gpt b) {
    float max = 0;
    Map<String, Tensor> pb = b.parameters();
    for (var e : a.parameters().entrySet()) max = Math.max(max, TinyModels.maxAbsDiff(e.getValue(), pb.get(e.getKey())));
    return max;
  }

  @Test
  void theWholeBatchAtOnceIsThePlainStepBitForBit() {
    try (Gpt m = Gpt.create(TinyModels.config(), 3); Gpt ref = Gpt.create(TinyModels.config(), 3)) {
      LmTrainer t = new LmTrainer(m, LmTrainer.Settings.of(ADAM).logging("l1", true), LrSchedule.constant(1e-2),
          s -> new LmTrainer.Batch(batch(s), null), null, null);
      AdamW plain = ADAM.create(ref.parameterVector());
      for (int s = 0; s < 3; s++) {
        Map<String, Double> got = t.step(s);
        Tensor loss = LmLoss.mean(ref, batch(s));
        loss.backward();
        FusedAdam.step(plain);
        plain.zero_grad();
        assertEquals(loss.item_double(), got.get("loss"), 0.0);
        assertEquals(got.get("loss"), got.get("ce"), 0.0);
        assertEquals(List.of("loss", "ce", "lr"), List.copyOf(got.keySet()));
      }
      assertEquals(0f, maxParamDiff(m, ref));
    }
  }

  @Test
  void microBatchesAccumulateTheWholeBatchGradient() {
    try (Gpt whole = Gpt.create(TinyModels.config(), 4); Gpt split = Gpt.create(TinyModels.config(), 4)) {
      LmTrainer a = new LmTrainer(whole, LmTrainer.Settings.nanoGpt(ADAM, 0, 0), LrSchedule.constant(1e-2),
          s -> new LmTrainer.Batch(batch(s), null), null, null);
      LmTrainer b = new LmTrainer(split, LmTrainer.Settings.nanoGpt(ADAM, 1, 0), LrSchedule.constant(1e-2),
          s -> new LmTrainer.Batch(batch(s), null), null, null);
      // each step's loss is taken after the previous steps' updates, so equal losses mean equal updates
      for (int s = 0; s < 3; s++) assertEquals(a.step(s).get("loss"), b.step(s).get("loss"), 1e-5);
    }
  }

  @Test
  void aBatchThatDoesNotSplitIntoMicroBatchesIsRefusedNotTruncated() {
    try (Gpt m = Gpt.create(TinyModels.config(), 6)) {
      LmTrainer t = new LmTrainer(m, LmTrainer.Settings.nanoGpt(ADAM, 3, 0), LrSchedule.constant(1e-2),
          s -> new LmTrainer.Batch(batch(s), null), null, null);
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> t.step(0));
      assertTrue(e.getMessage().contains("4 sequences") && e.getMessage().contains("micro-batches of 3"), e.getMessage());
    }
  }

  @Test
  void decayGroupsAndClipping() {
    try (Gpt m = Gpt.create(TinyModels.config(), 5); Gpt all = Gpt.create(TinyModels.config(), 5)) {
      LmTrainer matrices = new LmTrainer(m, LmTrainer.Settings.nanoGpt(ADAM, 2, 1e-3), LrSchedule.constant(1e-2),
          s -> new LmTrainer.Batch(batch(s), null), null, null);
      LmTrainer every = new LmTrainer(all, LmTrainer.Settings.of(ADAM), LrSchedule.constant(1e-2),
          s -> new LmTrainer.Batch(batch(s), null), null, null);
      assertEquals(2, matrices.optimizer().param_groups().size());
      assertEquals(1, every.optimizer().param_groups().size());
      Map<String, Double> got = matrices.step(0);
      assertTrue(got.get("grad_norm") > 1e-3, "the norm before clipping: " + got);
      assertFalse(every.step(0).containsKey("grad_norm"));
    }
  }

  @Test
  void theRoutingSeesEachMicroBatchWithItsLabelsAndItsPenaltyJoinsTheLoss() {
    List<Integer> sizes = new ArrayList<>();
    List<boolean[]> labels = new ArrayList<>();
    int[] open = {0};
    LmRouting routing = new LmRouting() {
      @Override
      public void set(TokenBatch b, boolean[] routed) {
        sizes.add(b.size());
        labels.add(routed);
        open[0]++;
      }

      @Override
      public Tensor penalty() {
        return Tensor.create(new float[] {0.25f}).sum();
      }

      @Override
      public void clear() {
        open[0]--;
      }
    };
    try (Gpt m = Gpt.create(TinyModels.config(), 6)) {
      LmTrainer t = new LmTrainer(m, LmTrainer.Settings.nanoGpt(ADAM, 2, 0).logging("l1", true), LrSchedule.constant(1e-2),
          s -> new LmTrainer.Batch(batch(s), new boolean[] {true, false, false, true}), routing, null);
      Map<String, Double> got = t.step(0);
      assertEquals(List.of(2, 2), sizes);
      assertArrayEquals(new boolean[] {true, false}, labels.get(0));
      assertArrayEquals(new boolean[] {false, true}, labels.get(1));
      assertEquals(0, open[0], "cleared after each micro-batch");
      assertEquals(0.25, got.get("l1"), 1e-7);
      assertEquals(got.get("ce") + 0.25, got.get("loss"), 1e-6);
      assertTrue(t.isLossTerm("l1") && t.isLossTerm("ce") && !t.isLossTerm("lr"));
    }
  }

  @Test
  void aSliceIsItsOwnBatch() {
    TokenBatch b = new TokenBatch(List.of(new long[] {1, 2, 3, 4}, new long[] {5, 6}, new long[] {7, 8, 9}), 13, 0);
    TokenBatch s = b.slice(1, 3);
    assertEquals(2, s.size());
    assertEquals(2, s.positions());
    assertArrayEquals(new long[] {5, 6, 0}, s.sequences()[0]);
    assertEquals(5, s.targetCount() + 2);
  }
}
