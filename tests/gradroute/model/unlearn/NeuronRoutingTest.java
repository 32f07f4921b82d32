package gradroute.model.unlearn;

import gradroute.model.GptHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.hooks.HookHandle;
import gradroute.model.ComponentAblation;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmLoss;
import gradroute.model.TokenBatch;
import gradroute.routing.TokenRule;
import gradroute.runtime.TorchRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NeuronRoutingTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  static final GptConfig CONFIG = GptConfig.modern(3, 16, 2, 2, 23, 12);
  static final long ROUTED_TOKEN = 5;
  static final List<long[]> SEQS = List.of(new long[] {1, 5, 7, 5, 9, 3, 5, 2}, new long[] {4, 6, 5, 8, 5, 1, 2, 5});

  private static TokenRule rule(NeuronRouting r) {
    return new TokenRule(Map.of(ROUTED_TOKEN, NeuronRouting.ROUTED), r.noMaskIndex());
  }

  @Test
  void routedPositionsPassGradientToTheChosenNeuronsAndExactlyWOffTimesItToTheOthers() {
    double wOff = -5e-8;
    int[] chosen = {0, 1, 2};
    try (Gpt m = Gpt.create(CONFIG, 3)) {
      String point = "blocks.1.mlp.hook_post";
      List<Tensor> before = new ArrayList<>(), after = new ArrayList<>();
      HookHandle pre = m.hooks().add(point, x -> {
        x.retain_grad();
        before.add(x);
        return x;
      });
      try (NeuronRouting r = new NeuronRouting(m, new NeuronRouting.Spec(new int[] {0, 1}, chosen, 1.0, wOff, 0.0))) {
        HookHandle post = m.hooks().add(point, x -> {
          x.retain_grad();
          after.add(x);
          return x;
        });
        TokenBatch b = new TokenBatch(SEQS, 99, 0);
        r.set(b, rule(r));
        LmLoss.mean(m, b).backward();
        r.clear();
        post.remove();
      }
      pre.remove();
      float[] upstream = floats(after.get(0).grad()), masked = floats(before.get(0).grad());
      int width = CONFIG.dMlp(1), positions = (int) before.get(0).size(1);
      int routedSeen = 0;
      for (int bi = 0; bi < SEQS.size(); bi++) {
        for (int t = 0; t < positions; t++) {
          boolean routed = SEQS.get(bi)[t + 1] == ROUTED_TOKEN;
          routedSeen += routed ? 1 : 0;
          for (int i = 0; i < width; i++) {
            int k = (bi * positions + t) * width + i;
            float expected = !routed || i < chosen.length ? upstream[k] : upstream[k] * (float) wOff;
            assertEquals(expected, masked[k], 0f, "batch " + bi + " position " + t + " neuron " + i);
          }
        }
      }
      assertTrue(routedSeen >= 4, "the test batch routes positions");
      int nonzero = 0;
      for (float g : upstream) nonzero += g != 0 ? 1 : 0;
      assertTrue(nonzero > upstream.length / 2, "the upstream gradient is not trivially zero");
    }
  }

  @Test
  void l1CoversTheMaskedActivationsOfTheRoutedBlocksOnly() {
    double l1 = 0.01;
    try (Gpt m = Gpt.create(CONFIG, 4)) {
      TokenBatch b = new TokenBatch(SEQS, 99, 0);
      double[] sums = new double[CONFIG.nLayers()];
      List<HookHandle> probes = new ArrayList<>();
      for (int l = 0; l < CONFIG.nLayers(); l++) {
        int layer = l;
        probes.add(m.hooks().add(GptHooks.mlpPost(l), x -> {
          sums[layer] += x.abs().sum().item_double();
          return x;
        }));
      }
      try (NeuronRouting r = new NeuronRouting(m, NeuronRouting.Spec.paper(new int[] {0, 2}, 4, l1))) {
        r.set(b, rule(r));
        try (NoGradGuard g = new NoGradGuard()) {
          m.forward(b.inputs(m.device()));
        }
        double positions = b.size() * b.positions();
        double got = r.penalty().item_double();
        assertEquals(l1 * (sums[0] + sums[2]) / positions, got, 1e-6 * got, "blocks 0 and 2, not 1");
        assertNotEquals(l1 * (sums[0] + sums[1] + sums[2]) / positions, got, 1e-6 * got);
        assertEquals(null, r.penalty(), "taken once");
        r.clear();
        try (NoGradGuard g = new NoGradGuard()) {
          m.forward(b.inputs(m.device()));
        }
        assertEquals(null, r.penalty(), "no L1 without routing indices (evaluation)");
      }
      probes.forEach(HookHandle::remove);
    }
  }

  @Test
  void blockingStopsTheGradientIntoTheAblatedNeuronsInputWeightsOnly() {
    try (Gpt m = Gpt.create(CONFIG, 5)) {
      int[] blocked = {2, 5};
      TokenBatch b = new TokenBatch(SEQS, 99, 0);
      try (NeuronRouting r = new NeuronRouting(m, NeuronRouting.Spec.blocking(new int[] {0}, blocked))) {
        r.setEverywhere(b);
        LmLoss.mean(m, b).backward();
        r.clear();
      }
      Tensor g = m.parameter("blocks.0.mlp.W_in").grad();
      Tensor gb = m.parameter("blocks.0.mlp.b_in").grad();
      for (int n = 0; n < CONFIG.dMlp(0); n++) {
        boolean isBlocked = n == 2 || n == 5;
        double norm = g.select(1, n).abs().sum().item_double() + Math.abs(gb.select(0, n).item_double());
        assertEquals(isBlocked, norm == 0, "neuron " + n + " gradient " + norm);
      }
      assertTrue(m.parameter("blocks.1.mlp.W_in").grad().select(1, 2).abs().sum().item_double() > 0, "other blocks untouched");
    }
  }

  @Test
  void forwardAblationEqualsZeroingTheNeuronsWeights() {
    NeuronAblation.Selection sel = new NeuronAblation.Selection(new int[] {0, 2}, new int[][] {{0, 1, 2, 3}, {7, 9}});
    Tensor tokens = Tensor.create(new long[] {1, 5, 7, 5, 9, 3, 5, 2, 4, 6, 5, 8, 5, 1, 2, 5}, 2, 8);
    try (Gpt m = Gpt.create(CONFIG, 6); Gpt zeroed = m.copy(); NoGradGuard g = new NoGradGuard()) {
      Tensor intact = m.forward(tokens);
      Tensor hooked = ComponentAblation.measureWithout(m, NeuronAblation.component(CONFIG, "sel", sel), () -> m.forward(tokens));
      NeuronAblation.zeroWeights(zeroed, sel);
      Tensor weights = zeroed.forward(tokens);
      assertEquals(0.0, hooked.sub(weights).abs().max().item_double(), 1e-6, "the two ablations agree");
      assertTrue(hooked.sub(intact).abs().max().item_double() > 1e-4, "and remove something");
      List<Tensor> post = new ArrayList<>();
      HookHandle probe = zeroed.hooks().add("blocks.0.mlp.hook_post", x -> {
        post.add(x);
        return x;
      });
      zeroed.forward(tokens);
      probe.remove();
      for (int n : new int[] {0, 1, 2, 3}) {
        assertEquals(0.0, post.get(0).select(2, n).abs().max().item_double(), 0.0, "neuron " + n + " (the last one too) is silent");
      }
      assertFalse(post.get(0).select(2, 4).abs().max().item_double() == 0.0, "neuron 4 is kept");
    }
    assertThrows(IllegalArgumentException.class, () -> NeuronAblation.component(CONFIG, "bad",
        new NeuronAblation.Selection(new int[] {0}, new int[][] {{CONFIG.dMlp(0)}})));
  }

  private static float[] floats(Tensor t) {
    return gradroute.runtime.TensorArrays.toFloats(t);
  }
}
