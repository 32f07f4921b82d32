package gradroute.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.TinyModels;
import gradroute.runtime.TorchRuntime;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CacheAndEditsTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void cacheHoldsEachPointsLastActivationAndChangesNothing() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 1); NoGradGuard g = new NoGradGuard()) {
      Tensor tokens = TinyModels.tokens(2, 2, 4, c.vocab());
      Tensor plain = m.forward(tokens);
      Tensor resid;
      try (ActivationCache cache = ActivationCache.recordAll(m)) {
        assertThrows(IllegalStateException.class, () -> cache.get("blocks.0.hook_resid_post"));
        // recording attn.hook_pattern materialises the pattern instead of running the fused
        // attention kernel: the same output up to float rounding
        assertTrue(torch.allclose(plain, m.forward(tokens), 1e-5, 1e-6, false), "caching changes no output");
        assertEquals(m.hooks().points().size(), cache.all().size());
        resid = cache.get("blocks.1.hook_resid_post");
        assertEquals(4, cache.get("blocks.0.attn.hook_z").dim());
        m.forward(TinyModels.tokens(3, 2, 4, c.vocab()));
        assertFalse(torch.equal(resid, cache.get("blocks.1.hook_resid_post")), "a new pass replaces the cache");
      }
      assertTrue(m.hooks().isEmpty());
      assertThrows(IllegalArgumentException.class, () -> ActivationCache.record(m, List.of("blocks.9.hook_resid_post")));
    }
  }

  @Test
  void steeringAddsTheDirectionAndClosingUndoesIt() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 2); NoGradGuard g = new NoGradGuard()) {
      Tensor tokens = TinyModels.tokens(4, 2, 4, c.vocab());
      Tensor before = m.residualBefore(tokens, 1);
      Tensor e0 = torch.zeros(c.dModel());
      e0.select(0, 0).fill_(new Scalar(1.0));
      try (HookHandle h = Edits.steer(m, "blocks.1.hook_resid_pre", e0, 3.0)) {
        Tensor steered = m.residualBefore(tokens, 1);
        Tensor diff = steered.sub(before);
        assertEquals(3.0f, diff.select(2, 0).min().item_float(), 1e-5f);
        assertEquals(3.0f, diff.select(2, 0).max().item_float(), 1e-5f);
        assertEquals(0f, diff.narrow(2, 1, c.dModel() - 1).abs().max().item_float(), 0f);
      }
      assertTrue(torch.equal(before, m.residualBefore(tokens, 1)), "closed: no steering");
    }
  }

  @Test
  void mistakesOutsideTheRouterNameWhatAndWhere() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 3); NoGradGuard g = new NoGradGuard()) {
      Tensor tokens = TinyModels.tokens(5, 2, 4, c.vocab());
      // a keep-mask of the wrong shape: one line naming the hook point and both shapes, not a libtorch trace
      try (HookHandle h = Edits.ablate(m, "blocks.0.mlp.hook_post", torch.ones(c.dModel() + 1))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(tokens));
        assertTrue(e.getMessage().startsWith("keep-mask of shape [" + (c.dModel() + 1) + "] does not broadcast against the activation [2, 4, ")
            && e.getMessage().endsWith("at hook point 'blocks.0.mlp.hook_post' (Edits.ablate)"), e.getMessage());
      }
      // closed tensors: an IllegalStateException saying so, not a NullPointerException
      Tensor closed = torch.ones(c.dModel());
      closed.close();
      IllegalStateException s = assertThrows(IllegalStateException.class, () -> Edits.ablate(m, "blocks.0.hook_resid_post", closed));
      assertTrue(s.getMessage().contains("keep-mask for 'blocks.0.hook_resid_post' is a closed tensor"), s.getMessage());
      Tensor closedTokens = TinyModels.tokens(5, 2, 4, c.vocab());
      closedTokens.close();
      assertTrue(assertThrows(IllegalStateException.class, () -> m.forward(closedTokens)).getMessage().startsWith("tokens is a closed tensor"));
      assertThrows(IllegalStateException.class, () -> gradroute.routing.Router.NATIVE.route(torch.ones(3), closed));
      // a token outside the vocabulary names the id and the vocabulary's size
      Tensor outside = tokens.clone();
      outside.select(0, 1).select(0, 2).fill_(new Scalar(c.vocab() + 7));
      IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> m.forward(outside));
      assertEquals("token id " + (c.vocab() + 7) + " is outside the vocabulary of " + c.vocab() + " tokens (ids 0.." + (c.vocab() - 1) + ")",
          v.getMessage());
      // a typo in a hook point's name suggests the intended point first
      IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> Edits.steer(m, "blocks.1.hook_resid_psot", torch.ones(1), 1));
      assertTrue(t.getMessage().startsWith("no hook point 'blocks.1.hook_resid_psot'; the nearest are [blocks.1.hook_resid_post, "),
          t.getMessage());
    }
  }

  @Test
  void ablationZeroesTheUnitsOfTheKeepMask() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 3); NoGradGuard g = new NoGradGuard()) {
      Tensor tokens = TinyModels.tokens(5, 2, 4, c.vocab());
      float[] keep = new float[c.dMlp(0)];
      java.util.Arrays.fill(keep, 1f);
      keep[3] = 0f;
      try (ActivationCache cache = ActivationCache.record(m, List.of("blocks.0.mlp.hook_post"));
          HookHandle h = Edits.ablate(m, "blocks.0.mlp.hook_post", Tensor.create(keep, keep.length))) {
        m.forward(tokens);
        // the cache was attached first, so it sees the activation before the ablation
        assertTrue(cache.get("blocks.0.mlp.hook_post").select(2, 3).abs().sum().item_float() > 0);
      }
      Tensor[] after = new Tensor[1];
      try (HookHandle h = Edits.ablate(m, "blocks.0.mlp.hook_post", Tensor.create(keep, keep.length));
          ActivationCache cache = ActivationCache.record(m, List.of("blocks.0.mlp.hook_post"))) {
        m.forward(tokens);
        after[0] = cache.get("blocks.0.mlp.hook_post");
        assertEquals(0f, after[0].select(2, 3).abs().sum().item_float(), 0f);
        assertTrue(after[0].select(2, 2).abs().sum().item_float() > 0);
      }
    }
  }
}
