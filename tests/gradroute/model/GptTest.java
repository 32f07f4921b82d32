package gradroute.model;

import gradroute.train.CheckpointMismatchException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.hooks.HookHandle;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void shapesAndParameterCount() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 1)) {
      Tensor logits = m.forward(TinyModels.tokens(2, 3, 7, c.vocab()));
      assertArrayEquals(new long[] {3, 7, c.vocab()}, logits.shape());
      long n = 0;
      for (Tensor p : m.parameters().values()) n += p.numel();
      assertEquals(c.parameterCount(), n);
      assertArrayEquals(new long[] {2, 16, 8}, m.parameter("blocks.0.attn.W_Q").shape());
      assertArrayEquals(new long[] {16, 32}, m.parameter("blocks.1.mlp.W_in").shape());
    }
  }

  /**
   * Without a hook on attn.hook_pattern the model runs libtorch's fused attention; with one, the
   * explicit softmax(QKᵀ)V. Both must give the same logits and gradients, with and without the
   * 1/sqrt(d_head) scaling, at every sequence length up to n_ctx.
   */
  @Test
  void fusedAttentionEqualsThePatternPath() {
    for (boolean scale : new boolean[] {false, true}) {
      GptConfig c = GptConfig.of(2, 16, 2, 8, 32, 23, 12, scale);
      for (int len : new int[] {1, 5, 12}) {
        try (Gpt m = Gpt.create(c, 3)) {
          Tensor tokens = TinyModels.tokens(4, 3, len, c.vocab());
          Tensor fused = m.forward(tokens);
          fused.mul(fused).sum().backward();
          Map<String, Tensor> fusedGrads = new java.util.LinkedHashMap<>();
          for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
            fusedGrads.put(e.getKey(), e.getValue().grad().clone());
            e.getValue().grad().zero_();
          }
          for (int l = 0; l < c.nLayers(); l++) m.hooks().add(GptHooks.pattern(l), x -> x);
          Tensor explicit = m.forward(tokens);
          explicit.mul(explicit).sum().backward();
          m.hooks().clear();
          String where = "scale " + scale + ", length " + len;
          assertTrue(TinyModels.maxAbsDiff(fused, explicit) < 1e-5, where + ": logits differ by " + TinyModels.maxAbsDiff(fused, explicit));
          for (Map.Entry<String, Tensor> e : m.parameters().entrySet()) {
            float d = TinyModels.maxAbsDiff(fusedGrads.get(e.getKey()), e.getValue().grad());
            float size = e.getValue().grad().abs().max().item_float();
            assertTrue(d <= 1e-5f * Math.max(1f, size), where + ": gradient of " + e.getKey() + " differs by " + d);
          }
        }
      }
    }
  }

  @Test
  void hooksFireInForwardOrder() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 1)) {
      List<String> fired = new ArrayList<>();
      for (String p : m.hooks().points()) m.hooks().add(p, x -> { fired.add(p); return x; });
      m.forward(TinyModels.tokens(2, 2, 5, c.vocab()));
      assertEquals(Gpt.hookPoints(c), fired);
      assertTrue(fired.indexOf("blocks.0.attn.hook_z") < fired.indexOf("blocks.0.mlp.hook_post"));
      assertTrue(fired.indexOf("blocks.0.mlp.hook_post") < fired.indexOf("blocks.0.hook_mlp_out"));
      assertTrue(fired.indexOf("blocks.0.hook_mlp_out") < fired.indexOf("blocks.0.hook_resid_post"));
      assertTrue(fired.indexOf("blocks.0.hook_resid_post") < fired.indexOf("blocks.1.attn.hook_z"));
    }
  }

  @Test
  void hooksOnOnePointChainInRegistrationOrderAndCanBeRemoved() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 1)) {
      Tensor tokens = TinyModels.tokens(2, 2, 5, c.vocab());
      Tensor plain = m.forward(tokens);
      List<String> order = new ArrayList<>();
      HookHandle a = m.hooks().add("blocks.0.hook_resid_post", x -> { order.add("a"); return x.mul(new org.bytedeco.pytorch.Scalar(2.0)); });
      HookHandle b = m.hooks().add("blocks.0.hook_resid_post", x -> { order.add("b"); return x; });
      Tensor changed = m.forward(tokens);
      assertEquals(List.of("a", "b"), order);
      assertTrue(TinyModels.maxAbsDiff(plain, changed) > 1e-3);
      a.close();
      b.close();
      assertTrue(m.hooks().isEmpty());
      assertEquals(0f, TinyModels.maxAbsDiff(plain, m.forward(tokens)));
    }
  }

  @Test
  void hookReplacesActivations() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 3)) {
      Tensor tokens = TinyModels.tokens(4, 2, 6, c.vocab());
      // replacing the MLP hidden units of block 0 by zeros equals zeroing that MLP's W_out
      try (HookHandle h = m.hooks().add("blocks.0.mlp.hook_post", x -> torch.zeros_like(x))) {
        Tensor hooked = m.forward(tokens);
        try (Gpt z = m.copy(); NoGradGuard g = new NoGradGuard()) {
          z.parameter("blocks.0.mlp.W_out").zero_();
          assertTrue(TinyModels.maxAbsDiff(hooked, z.forward(tokens)) < 1e-5);
        }
      }
      // caching: a hook that keeps the value sees what the model computed
      Tensor[] cached = new Tensor[1];
      try (HookHandle h = m.hooks().add("blocks.1.attn.hook_z", x -> { cached[0] = x; return x; })) {
        m.forward(tokens);
      }
      assertArrayEquals(new long[] {2, 6, c.nHeads(), c.dHead()}, cached[0].shape());
    }
  }

  @Test
  void unknownHookPointIsAClearError() {
    try (Gpt m = Gpt.create(TinyModels.config(), 1)) {
      var e = assertThrows(IllegalArgumentException.class, () -> m.hooks().add("blocks.7.mlp.hook_post", x -> x));
      assertTrue(e.getMessage().contains("no hook point 'blocks.7.mlp.hook_post'"), e.getMessage());
      assertTrue(e.getMessage().contains("blocks.0.mlp.hook_post"), e.getMessage());
    }
  }

  @Test
  void attentionIsCausal() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 5)) {
      Tensor a = Tensor.create(new long[] {1, 2, 3, 4, 5}, 1, 5);
      Tensor b = Tensor.create(new long[] {1, 2, 3, 9, 9}, 1, 5);
      Tensor la = m.forward(a).narrow(1, 0, 3);
      Tensor lb = m.forward(b).narrow(1, 0, 3);
      assertTrue(TinyModels.maxAbsDiff(la, lb) < 1e-6);
      assertTrue(TinyModels.maxAbsDiff(m.forward(a), m.forward(b)) > 1e-4);
    }
  }

  @Test
  void attentionScaleIsAFlag() {
    GptConfig off = TinyModels.config();
    GptConfig on = new GptConfig(off.nLayers(), off.dModel(), off.nHeads(), off.dHead(), off.dMlp(), off.vocab(),
        off.nCtx(), true, off.lnEps(), off.initStd());
    Tensor tokens = TinyModels.tokens(6, 2, 6, off.vocab());
    try (Gpt a = Gpt.create(off, 7); Gpt b = Gpt.create(on, 7)) {
      assertTrue(TinyModels.maxAbsDiff(a.forward(tokens), b.forward(tokens)) > 1e-4);
    }
  }

  @Test
  void rejectsBadInputs() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 1)) {
      var tooLong = assertThrows(IllegalArgumentException.class, () -> m.forward(TinyModels.tokens(1, 1, c.nCtx() + 1, c.vocab())));
      assertTrue(tooLong.getMessage().contains("n_ctx"), tooLong.getMessage());
      assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.create(new long[] {1, 2, 3}, 3)));
    }
    assertThrows(IllegalArgumentException.class, () -> GptConfig.of(0, 16, 2, 8, 32, 23, 12, false));
  }

  @Test
  void saveAndLoadGiveIdenticalOutputs(@TempDir Path dir) throws Exception {
    GptConfig c = TinyModels.config();
    Tensor tokens = TinyModels.tokens(8, 2, 9, c.vocab());
    Path file = dir.resolve("model.pt");
    try (Gpt m = Gpt.create(c, 11)) {
      m.save(file);
      try (Gpt loaded = Gpt.load(file, null); Gpt other = Gpt.create(c, 12)) {
        assertEquals(c, loaded.config());
        assertTrue(torch.equal(m.forward(tokens), loaded.forward(tokens)));
        assertFalse(torch.equal(m.forward(tokens), other.forward(tokens)));
        other.load(file);
        assertTrue(torch.equal(m.forward(tokens), other.forward(tokens)));
      }
    }
  }

  @Test
  void mismatchedCheckpointNamesParameterAndShapes(@TempDir Path dir) throws Exception {
    GptConfig c = TinyModels.config();
    Path file = dir.resolve("wide.pt");
    int[] wider = c.dMlp();
    wider[1] += 4;
    try (Gpt wide = Gpt.create(c.withDMlp(wider), 1); Gpt narrow = Gpt.create(c, 1)) {
      wide.save(file);
      var e = assertThrows(CheckpointMismatchException.class, () -> narrow.load(file));
      assertTrue(e.getMessage().contains("blocks.1.mlp.W_in"), e.getMessage());
      assertTrue(e.getMessage().contains("[16, 36]") && e.getMessage().contains("[16, 32]"), e.getMessage());
    }
    GptConfig deeper = GptConfig.of(3, 16, 2, 8, 32, 23, 12, false);
    Path deep = dir.resolve("deep.pt");
    try (Gpt d = Gpt.create(deeper, 1); Gpt m = Gpt.create(c, 1)) {
      d.save(deep);
      var e = assertThrows(CheckpointMismatchException.class, () -> m.load(deep));
      assertTrue(e.getMessage().contains("blocks.2."), e.getMessage());
    }
    var missing = assertThrows(java.io.IOException.class, () -> Gpt.load(dir.resolve("nope.pt"), null));
    assertTrue(missing.getMessage().contains("nope.pt"));
  }

  @Test
  void copiesAreIndependent() {
    GptConfig c = TinyModels.config();
    Tensor tokens = TinyModels.tokens(9, 1, 5, c.vocab());
    try (Gpt m = Gpt.create(c, 2); Gpt copy = m.copy()) {
      Tensor before = copy.forward(tokens);
      try (NoGradGuard g = new NoGradGuard()) {
        m.parameter("blocks.0.mlp.W_in").add_(new org.bytedeco.pytorch.Scalar(1.0));
      }
      assertTrue(torch.equal(before, copy.forward(tokens)));
      copy.copyWeightsFrom(m);
      assertTrue(torch.equal(m.forward(tokens), copy.forward(tokens)));
    }
  }

  @Test
  void generationIsDeterministicAndGreedyMatchesTopOne() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 4)) {
      long[] prompt = {0, 3, 5};
      long[] g1 = Generation.generate(m, prompt, 15, Generation.Sampling.GREEDY, 1, -1);
      long[] g2 = Generation.generate(m, prompt, 15, Generation.Sampling.GREEDY, 2, -1);
      assertArrayEquals(g1, g2);
      assertEquals(15, g1.length); // runs past n_ctx with a sliding window
      long[] top1 = Generation.generate(m, prompt, 15, Generation.Sampling.of(1.0, 1), 9, -1);
      assertArrayEquals(g1, top1);
      long[] s1 = Generation.generate(m, prompt, 10, Generation.Sampling.of(1.5, 5), 42, -1);
      long[] s2 = Generation.generate(m, prompt, 10, Generation.Sampling.of(1.5, 5), 42, -1);
      assertArrayEquals(s1, s2);
      long stop = g1[2];
      long[] stopped = Generation.generate(m, prompt, 15, Generation.Sampling.GREEDY, 1, stop);
      assertTrue(stopped.length <= 3 && stopped[stopped.length - 1] == stop);
      assertThrows(IllegalArgumentException.class, () -> Generation.generate(m, new long[] {99}, 3, Generation.Sampling.GREEDY, 1, -1));
    }
  }

  @Test
  void lossIgnoresPaddingAndMatchesPerSequenceMeans() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 6)) {
      long[] s1 = {0, 4, 5, 6, 7, 8, 9};
      long[] s2 = {0, 10, 11};
      double l1 = LmLoss.evaluate(m, new TokenBatch(List.of(s1), 13, 0));
      double l2 = LmLoss.evaluate(m, new TokenBatch(List.of(s2), 13, 0));
      double both = LmLoss.evaluate(m, new TokenBatch(List.of(s1, s2), 13, 0));
      assertEquals((6 * l1 + 2 * l2) / 8, both, 1e-5);
      double padded = LmLoss.evaluate(m, new TokenBatch(List.of(s2), 13, 22));
      assertEquals(l2, padded, 1e-6);
    }
    assertThrows(IllegalArgumentException.class, () -> new TokenBatch(List.of(), 5, 0));
    assertThrows(IllegalArgumentException.class, () -> new TokenBatch(List.of(new long[] {3}), 5, 0));
  }

  @Test
  void trainingLowersTheLossAndAdamWBetasAreSet() {
    GptConfig c = TinyModels.config();
    try (Gpt m = Gpt.create(c, 6)) {
      List<long[]> seqs = List.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, new long[] {0, 7, 6, 5, 4, 3, 2, 1});
      TokenBatch batch = new TokenBatch(seqs, 13, 0);
      double before = LmLoss.evaluate(m, batch);
      LmTrainer t = new LmTrainer(m, LmTrainer.Settings.of(AdamWConfig.of(1e-2, 0.9, 0.95, 0.1)), LrSchedule.constant(1e-2),
          s -> new LmTrainer.Batch(batch, null), null, null);
      Map<String, Double> last = null;
      for (int s = 0; s < 30; s++) last = t.step(s);
      assertTrue(last.get("loss") < before * 0.5, before + " -> " + last);
      var o = new org.bytedeco.pytorch.AdamWOptions(1e-3);
      assertArrayEquals(new double[] {0.9, 0.999}, AdamWConfig.betas(o));
    }
  }
}
