package gradroute.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TensorArrays;
import gradroute.runtime.TorchRuntime;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The modern shape of {@link Gpt}: RoPE, RMSNorm, grouped-query attention, tied embeddings, init. */
class ModernGptTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  static GptConfig modern(int kvHeads) {
    return GptConfig.modern(2, 16, 4, kvHeads, 23, 12);
  }

  @Test
  void rotaryMatchesAHandComputationOnInterleavedPairsAndLeavesTheRestAlone() {
    int len = 3, heads = 2, dh = 6, r = 4;
    float[] x = new float[len * heads * dh];
    for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(0.7 * i + 0.3);
    try (PointerScope scope = new PointerScope(); Rotary rot = new Rotary(8, r, 10000.0, null)) {
      float[] y = TensorArrays.toFloats(rot.apply(Tensor.create(x, 1, len, heads, dh)).contiguous());
      for (int p = 0; p < len; p++) {
        for (int h = 0; h < heads; h++) {
          int o = (p * heads + h) * dh;
          for (int j = 0; j < r / 2; j++) {
            double angle = p * Math.pow(10000.0, -2.0 * j / r); // theta_0 = 1, theta_1 = 1/100
            double a = x[o + 2 * j], b = x[o + 2 * j + 1];
            assertEquals(a * Math.cos(angle) - b * Math.sin(angle), y[o + 2 * j], 1e-5, "pair " + j + " first, p=" + p);
            assertEquals(b * Math.cos(angle) + a * Math.sin(angle), y[o + 2 * j + 1], 1e-5, "pair " + j + " second, p=" + p);
          }
          for (int k = r; k < dh; k++) assertEquals(x[o + k], y[o + k], 0f, "dim " + k + " is past the rotary dims");
        }
      }
    }
  }

  @Test
  void rmsNormDividesByTheRootMeanSquareAndScalesByTheGain() {
    try (PointerScope scope = new PointerScope()) {
      float[] x = {1, 2, 3, 4};
      float[] gain = {1, 0.5f, 2, 1};
      float[] y = TensorArrays.toFloats(Gpt.rmsNorm(Tensor.create(x, 1, 4), Tensor.create(gain, 4), 1e-6));
      double rms = Math.sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-6);
      for (int i = 0; i < 4; i++) assertEquals(x[i] / rms * gain[i], y[i], 1e-6);
    }
  }

  @Test
  void groupedQueryAttentionEqualsPlainAttentionWithSharedKeyValueHeads() {
    // 4 query heads over 2 kv heads: head i reads kv head i/2; the same as 4 kv heads where 2i and 2i+1 are copies
    GptConfig grouped = modern(2), plain = modern(4);
    Tensor tokens = TinyModels.tokens(3, 2, 7, grouped.vocab());
    try (PointerScope scope = new PointerScope(); Gpt g = Gpt.create(grouped, 5); Gpt p = Gpt.zeros(plain, null);
        NoGradGuard ng = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : p.parameters().entrySet()) {
        Tensor src = g.parameter(e.getKey());
        boolean kv = e.getKey().matches(".*attn\\.[Wb]_[KV]$");
        e.getValue().copy_(kv ? src.repeat_interleave(2, new org.bytedeco.pytorch.LongOptional(0), new org.bytedeco.pytorch.LongOptional()) : src);
      }
      assertTrue(TinyModels.maxAbsDiff(g.forward(tokens), p.forward(tokens)) < 1e-5);
    }
  }

  @Test
  void modernShapeHasNoPositionEmbeddingNoLayerNormBiasesAndTiedLogits() {
    GptConfig c = modern(4);
    try (PointerScope scope = new PointerScope(); Gpt m = Gpt.create(c, 1); NoGradGuard ng = new NoGradGuard()) {
      assertFalse(m.parameters().containsKey("pos_embed.W_pos"));
      assertFalse(m.parameters().containsKey("ln_final.b"));
      assertFalse(m.parameters().containsKey("unembed.W_U"));
      assertFalse(m.hooks().hasPoint("hook_pos_embed"));
      long n = 0;
      for (Tensor t : m.parameters().values()) n += t.numel();
      assertEquals(c.parameterCount(), n);
      Tensor tokens = TinyModels.tokens(2, 1, 5, c.vocab());
      Tensor[] normed = new Tensor[1];
      m.hooks().add("ln_final.hook_normalized", x -> normed[0] = x);
      Tensor logits = m.forward(tokens);
      assertTrue(TinyModels.maxAbsDiff(logits, normed[0].matmul(m.parameter("embed.W_E").t())) < 1e-6);
      // without positions causal attention is blind to the order of the earlier tokens; rotary is not
      Tensor ab = m.forward(Tensor.create(new long[] {5, 6, 4}, 1, 3)).select(1, 2);
      Tensor ba = m.forward(Tensor.create(new long[] {6, 5, 4}, 1, 3)).select(1, 2);
      assertTrue(TinyModels.maxAbsDiff(ab, ba) > 1e-6);
    }
  }

  @Test
  void residualWritersStartSmallerByTheSquareRootOfTwiceTheDepth() {
    GptConfig c = modern(4);
    assertEquals(0.02, Gpt.initStdOf(c, "blocks.0.attn.W_Q"), 0);
    assertEquals(0.02 / Math.sqrt(4), Gpt.initStdOf(c, "blocks.1.attn.W_O"), 1e-12);
    assertEquals(0.02 / Math.sqrt(4), Gpt.initStdOf(c, "blocks.0.mlp.W_out"), 1e-12);
    assertEquals(TinyModels.config().initStd(), Gpt.initStdOf(TinyModels.config(), "blocks.0.attn.W_O"), 0);
  }

  @Test
  void kvHeadsMustDivideTheQueryHeads() {
    assertThrows(IllegalArgumentException.class, () -> GptConfig.modern(2, 16, 4, 3, 23, 12));
  }

  @Test
  void aConfigSavedBeforeTheModernFieldsReadsBackAsTheClassicShape() throws Exception {
    String old = "{\"nLayers\":2,\"dModel\":16,\"nHeads\":2,\"dHead\":8,\"dMlp\":[32,32],\"vocab\":23,\"nCtx\":12,"
        + "\"attnScale\":false,\"lnEps\":1e-5,\"initStd\":0.2}";
    GptConfig c = gradroute.report.Json.mapper().readValue(old, GptConfig.class);
    assertEquals(GptConfig.Norm.LAYER, c.norm());
    assertEquals(2, c.nKvHeads());
    assertTrue(c.learnedPositions());
    assertFalse(c.tiedEmbeddings());
  }
}
