package gradroute.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.experiment.mnist.SplitAutoencoder;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.TinyModels;
import gradroute.rl.agent.RoutedPolicy;
import gradroute.rl.agent.SingleExpertPolicy;
import gradroute.rl.agent.ValueNetwork;
import gradroute.routing.MaskTable;
import gradroute.routing.Router;
import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * At every hook type of every model, a {@link MaskApplier} leaves the forward pass bitwise unchanged
 * and makes the gradient at the hook equal {@code mask ⊙ upstream}, mask = {@code table[index]}.
 */
class MaskApplierTest {
  private static final int BATCH = 2;
  private static final int LEN = 5;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  /** Every hook type of the GPT, named by layer 1 for block types (layer-free points as they are). */
  static List<String> gptPoints() {
    Set<String> types = new LinkedHashSet<>();
    for (String p : Gpt.hookPoints(TinyModels.config())) {
      types.add(p.startsWith("blocks.") ? "blocks.1." + p.substring(p.indexOf('.', 7) + 1) : p);
    }
    return new ArrayList<>(types);
  }

  @ParameterizedTest
  @MethodSource("gptPoints")
  void gptGradientAtEveryHookTypeIsMaskTimesUpstream(String point) {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 3)) {
      Tensor tokens = TinyModels.tokens(4, BATCH, LEN, c.vocab());
      // the attention pattern [batch, head, query, key] has no position dim second: masks per example there
      Tensor index = point.endsWith("attn.hook_pattern") ? index(11, BATCH) : index(11, BATCH, LEN);
      checkPoint(m, point, () -> m.forward(tokens), index, Router.NATIVE);
    }
  }

  @Test
  void referenceRouterAgreesAtTheResidualStream() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 3)) {
      Tensor tokens = TinyModels.tokens(4, BATCH, LEN, c.vocab());
      checkPoint(m, "blocks.0.hook_resid_post", () -> m.forward(tokens), index(12, BATCH, LEN), Router.REFERENCE);
    }
  }

  @Test
  void splitAutoencoderHookPoints() {
    try (PointerScope scope = new PointerScope()) {
      SplitAutoencoder model = new SplitAutoencoder(12, new int[] {10}, 8, false);
      Tensor x = torch.rand(new long[] {4, 12});
      checkPoint(model, SplitAutoencoder.HOOK_DECODER_IN, () -> model.forward(x, null).reconstruction(), index(13, 4),
          Router.NATIVE);
      checkPoint(model, SplitAutoencoder.HOOK_SECOND_PASS_IN, () -> model.decodeSecondPass(model.encode(x)), index(14, 4),
          Router.NATIVE);
    }
  }

  @Test
  void gridworldAgentHookPoints() {
    try (PointerScope scope = new PointerScope()) {
      RoutedPolicy policy = new RoutedPolicy(4, 5, 4);
      Tensor obs = torch.rand(new long[] {6, 4, 5, 5});
      for (String p : policy.hooks().points()) {
        checkPoint(policy, p, () -> policy.forward(obs).logits(), index(15, 6), Router.NATIVE);
      }
      SingleExpertPolicy single = new SingleExpertPolicy(4, 5, 4);
      checkPoint(single, SingleExpertPolicy.HOOK_FEATURES, () -> single.forward(obs).logits(), index(16, 6), Router.NATIVE);
      ValueNetwork value = new ValueNetwork(4, 5);
      checkPoint(value, ValueNetwork.HOOK_FEATURES, () -> value.values(obs), index(17, 6), Router.NATIVE);
    }
  }

  @Test
  void oneCallMasksLayersTimesHookTypesWithTheirOwnRowShapes() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 5)) {
      Tensor tokens = TinyModels.tokens(6, BATCH, LEN, c.vocab());
      List<String> types = List.of("mlp.hook_post", "attn.hook_z", "hook_resid_post");
      try (MaskApplier a = MaskApplier.apply(m, new int[] {0, 1}, types, (point, shape) -> randomTable(point, shape), null)) {
        assertEquals(List.of("blocks.0.mlp.hook_post", "blocks.0.attn.hook_z", "blocks.0.hook_resid_post",
            "blocks.1.mlp.hook_post", "blocks.1.attn.hook_z", "blocks.1.hook_resid_post"), a.points());
        assertNull(a.table("blocks.0.attn.hook_z"), "tables are built when a point first runs with indices");
        a.set(index(7, BATCH, LEN), null);
        m.forward(tokens);
        for (int l = 0; l < 2; l++) {
          assertArrayEquals(new long[] {c.dMlp(l)}, a.table("blocks." + l + ".mlp.hook_post").rowShape());
          assertArrayEquals(new long[] {c.nHeads(), c.dHead()}, a.table("blocks." + l + ".attn.hook_z").rowShape());
          assertArrayEquals(new long[] {c.dModel()}, a.table("blocks." + l + ".hook_resid_post").rowShape());
        }
      }
      assertTrue(m.hooks().isEmpty(), "closing detaches every hook");
    }
  }

  @Test
  void softWeightsAndScaleFollowTheFormula() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 8)) {
      Tensor tokens = TinyModels.tokens(9, BATCH, LEN, c.vocab());
      String point = "blocks.0.attn.hook_z";
      Probe probe = new Probe(m, point, Router.NATIVE);
      MaskApplier a = probe.applier;
      Tensor index = index(10, BATCH, LEN);
      float[] w = new float[BATCH * LEN];
      SplittableRandom r = new SplittableRandom(3);
      for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble();
      a.set(index, Tensor.create(w, BATCH, LEN)).scale(0.5);
      m.forward(tokens).sum().backward();
      Tensor t = probe.table.tensor();
      Tensor mask = t.index_select(0, index.view(-1));
      Tensor ones = t.select(0, probe.table.noMaskIndex()).unsqueeze(0);
      Tensor wt = Tensor.create(w, BATCH * LEN).view(BATCH * LEN, 1, 1);
      Tensor soft = mask.mul(torch.rsub(wt, new org.bytedeco.pytorch.Scalar(1.0))).add(ones.mul(wt))
          .mul(new org.bytedeco.pytorch.Scalar(0.5)).view(probe.out.shape());
      assertClose(soft.mul(probe.out.grad()), probe.leaf.grad(), point);
      probe.close();
    }
  }

  @Test
  void badInputNamesWhatAndWhere() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 1)) {
      var e = assertThrows(IllegalArgumentException.class,
          () -> MaskApplier.apply(m, new int[] {7}, List.of("mlp.hook_post"), MaskRule.of(MaskTable.builder(4).dims(0).build()), null));
      assertTrue(e.getMessage().contains("blocks.7.mlp.hook_post"), e.getMessage());
      assertTrue(m.hooks().isEmpty(), "a failed apply attaches nothing");
      try (MaskApplier a = MaskApplier.apply(m, List.of("blocks.0.hook_resid_post"), MaskRule.of(MaskTable.builder(5).dims(0).build()), null)) {
        a.set(index(1, BATCH, LEN), null);
        var shape = assertThrows(IllegalArgumentException.class, () -> m.forward(TinyModels.tokens(1, BATCH, LEN, c.vocab())));
        assertTrue(shape.getMessage().contains("blocks.0.hook_resid_post") && shape.getMessage().contains("[16]"), shape.getMessage());
      }
      assertThrows(IllegalArgumentException.class, () -> MaskApplier.apply(m, new int[] {}, List.of("mlp.hook_post"), (p, s) -> null, null));
    }
  }

  @Test
  void disabledOrClearedApplierPassesActivationsThrough() {
    GptConfig c = TinyModels.config();
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 2)) {
      Tensor tokens = TinyModels.tokens(2, BATCH, LEN, c.vocab());
      String point = "blocks.1.mlp.hook_post";
      Tensor[] leaf = new Tensor[1];
      m.hooks().add(point, x -> leaf[0] = x.detach().requires_grad_(true));
      MaskApplier a = MaskApplier.apply(m, List.of(point), (p, s) -> MaskTable.builder(s).dims(new int[0], 0, 0).build(), null);
      a.set(index(0, BATCH, LEN).mul(new org.bytedeco.pytorch.Scalar(0)), null); // every position: the all-zero row
      a.setEnabled(false);
      m.forward(tokens).sum().backward();
      assertTrue(leaf[0].grad().abs().sum().item_float() > 0, "disabled: the gradient passes");
      a.setEnabled(true);
      a.clear();
      m.forward(tokens).sum().backward();
      assertTrue(leaf[0].grad().abs().sum().item_float() > 0, "cleared: the gradient passes");
      a.set(index(0, BATCH, LEN).mul(new org.bytedeco.pytorch.Scalar(0)), null);
      m.forward(tokens).sum().backward();
      assertEquals(0f, leaf[0].grad().abs().sum().item_float(), "masked: the zero row stops it");
      a.close();
      m.hooks().clear();
    }
  }

  /**
   * Masks {@code point} with a random table and random indices ({@link Probe}); the native router
   * must leave the forward pass bitwise unchanged.
   */
  static void checkPoint(HookedModel model, String point, Supplier<Tensor> forward, Tensor index, Router router) {
    // the reference pass has a hook at the same point, so it runs the same kernels as the masked
    // one (a hook on a GPT's attn.hook_pattern switches it from the fused attention kernel)
    HookHandle same = model.hooks().add(point, x -> x);
    Tensor reference;
    try {
      reference = forward.get().detach().clone();
    } finally {
      same.remove();
    }
    try (Probe probe = new Probe(model, point, router)) {
      probe.applier.set(index, null);
      Tensor y = forward.get();
      if (router == Router.NATIVE) {
        assertTrue(torch.equal(reference, y.detach()), point + ": masking changed the forward pass");
      } else { // the formula m·x + (1 − m)·x.detach() rounds
        assertClose(reference, y.detach(), point + " forward");
      }
      y.mul(torch.randn(y.shape())).sum().backward();
      assertNotNull(probe.table, point + ": no table built");
      Tensor rows = probe.table.tensor().index_select(0, index.reshape(-1));
      Tensor mask = rows.reshape(probe.out.shape());
      assertClose(mask.mul(probe.out.grad()), probe.leaf.grad(), point);
      assertTrue(probe.leaf.grad().abs().sum().item_float() > 0, point + ": no gradient reached the hook");
    }
  }

  /**
   * A {@link MaskApplier} with a random table at one point, between a hook that makes the point's
   * input a leaf (to read the gradient at the hook) and one that keeps its output's gradient.
   */
  private static final class Probe implements AutoCloseable {
    final MaskApplier applier;
    final HookHandle in;
    final HookHandle after;
    MaskTable table;
    Tensor leaf;
    Tensor out;

    Probe(HookedModel model, String point, Router router) {
      in = model.hooks().add(point, x -> leaf = x.detach().requires_grad_(true));
      applier = MaskApplier.apply(model, List.of(point), (p, shape) -> table = randomTable(p, shape), null, router);
      after = model.hooks().add(point, x -> {
        x.retain_grad();
        return out = x;
      });
    }

    @Override
    public void close() {
      in.remove();
      applier.close();
      after.remove();
    }
  }

  /** Rows of values in {−0.75, 0, 0.5, 1, 2}, seeded by the point's name; the last row is the no-mask row. */
  static MaskTable randomTable(String point, long[] rowShape) {
    long width = 1;
    for (long d : rowShape) width *= d;
    SplittableRandom r = new SplittableRandom(point.hashCode());
    float[] choices = {-0.75f, 0f, 0.5f, 1f, 2f};
    MaskTable.Builder b = MaskTable.builder(rowShape);
    for (int row = 0; row < 2; row++) {
      float[] v = new float[Math.toIntExact(width)];
      for (int i = 0; i < v.length; i++) v[i] = choices[r.nextInt(choices.length)];
      b.values(v);
    }
    return b.build();
  }

  /** Random mask indices in 0..2 (2 = the no-mask row). */
  static Tensor index(long seed, long... shape) {
    SplittableRandom r = new SplittableRandom(seed);
    long n = 1;
    for (long d : shape) n *= d;
    long[] v = new long[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) v[i] = r.nextInt(3);
    return Tensor.create(v, shape);
  }

  static void assertClose(Tensor expected, Tensor actual, String what) {
    float[] e = TensorArrays.toFloats(expected.contiguous());
    float[] a = TensorArrays.toFloats(actual.contiguous());
    assertEquals(e.length, a.length, what + ": sizes");
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], 1e-5f * Math.max(1f, Math.abs(e[i])), what + ": gradient " + i + " of " + Arrays.toString(actual.shape()));
    }
  }
}
