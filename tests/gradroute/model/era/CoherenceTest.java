package gradroute.model.era;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.TinyModels;
import gradroute.model.TokenBatch;
import gradroute.runtime.TorchRuntime;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CoherenceTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void keepsTheWeightsOfTheBestStep() {
    try (Gpt m = Gpt.create(TinyModels.config(), 3)) {
      TokenBatch batch = new TokenBatch(List.of(new long[] {0, 1, 2, 3, 4}, new long[] {0, 4, 3, 2, 1}), 13, 0);
      Tensor probe = TinyModels.tokens(1, 1, 6, 23);
      double[] fake = {5, 4, 3, 4, 5};
      List<Tensor> outputs = new ArrayList<>();
      int[] calls = {0};
      Coherence.Result r = Coherence.tune("coherence", m, batch, model -> {
        outputs.add(model.forward(probe).detach().clone());
        return fake[calls[0]++];
      }, 4, AdamWConfig.of(1e-2, 0.9, 0.95, 0.1));
      assertEquals(2, r.bestStep());
      assertEquals(3.0, r.bestLoss());
      assertArrayEquals(fake, r.selectionLosses());
      assertTrue(torch.equal(outputs.get(2), m.forward(probe)), "the model holds step 2's weights");
      assertTrue(!torch.equal(outputs.get(4), m.forward(probe)));
    }
  }

  @Test
  void stepZeroIsEligible() {
    try (Gpt m = Gpt.create(TinyModels.config(), 3)) {
      TokenBatch batch = new TokenBatch(List.of(new long[] {0, 1, 2, 3, 4}), 13, 0);
      Tensor probe = TinyModels.tokens(1, 1, 6, 23);
      Tensor before = m.forward(probe).detach().clone();
      int[] calls = {0};
      Coherence.Result r = Coherence.tune("coherence", m, batch, model -> calls[0]++, 3, AdamWConfig.of(1e-2, 0.9, 0.95, 0.1));
      assertEquals(0, r.bestStep());
      assertTrue(torch.equal(before, m.forward(probe)));
    }
  }
}
