package gradroute.model.era;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmLoss;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TinyModels;
import gradroute.model.TokenBatch;
import gradroute.runtime.TorchRuntime;
import gradroute.train.History;
import gradroute.train.TrainingLoop;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EraPipelineTest {
  private static final int STEPS = 6;

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static TokenBatch batch(long seed) {
    List<long[]> seqs = new ArrayList<>();
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int b = 0; b < 4; b++) {
      long[] s = new long[9];
      for (int i = 0; i < s.length; i++) s[i] = 1 + r.nextInt(22);
      seqs.add(s);
    }
    return new TokenBatch(seqs, 13, 0);
  }

  private record Run(List<EraPipeline.Stage> stages, List<long[]> mlpShapes, EraPipeline.Result result, Tensor probe) {}

  private static Run run(boolean route) throws Exception {
    GptConfig c = TinyModels.config();
    EraPipeline.Spec spec = new EraPipeline.Spec(ExpansionSpec.mlp(new int[] {0}, 4, 1.0, 9),
        EraRouting.Spec.tinyStories(new int[] {0}), route, AdamWConfig.of(3e-3, 0.9, 0.95, 0.0), new LrSchedule(3e-3, 3e-4, 1, STEPS));
    TokenBatch tune = batch(100);
    EraPipeline.CoherenceSpec coherence = new EraPipeline.CoherenceSpec(tune, m -> {
      try (PointerScope s = new PointerScope()) {
        return LmLoss.mean(m, batch(200)).item_double();
      }
    }, 2, AdamWConfig.of(1e-3, 0.9, 0.95, 0.0));
    List<EraPipeline.Stage> seen = new ArrayList<>();
    List<long[]> shapes = new ArrayList<>();
    Tensor probe = TinyModels.tokens(1, 1, 6, c.vocab());
    EraPipeline.Result r = EraPipeline.run("era", Gpt.create(c, 5), spec,
        step -> new LmTrainer.Batch(batch(step), new boolean[] {true, false, true, false}), null, coherence,
        new EraPipeline.Stages() {
          @Override
          public History train(LmTrainer trainer) {
            return new TrainingLoop("era-test", STEPS, 1, null, 1).run(trainer, false);
          }

          @Override
          public void after(EraPipeline.Stage stage, Gpt model) {
            seen.add(stage);
            shapes.add(model.parameter("blocks.0.mlp.W_in").shape());
            assertTrue(model.hooks().isEmpty(), stage + ": no routing hooks left on the model");
          }
        });
    return new Run(seen, shapes, r, probe);
  }

  @Test
  void expandsRouteTrainsAblatesAndTunes() throws Exception {
    GptConfig c = TinyModels.config();
    Run routed = run(true);
    Run control = run(false);
    try (Gpt era = routed.result().model(); Gpt ctl = control.result().model()) {
      assertEquals(List.of(EraPipeline.Stage.TRAINED, EraPipeline.Stage.ABLATED, EraPipeline.Stage.COHERENT), routed.stages());
      assertArrayEquals(new long[] {c.dModel(), c.dMlp(0) + 4}, routed.mlpShapes().get(0), "trained with the added units");
      assertArrayEquals(new long[] {c.dModel(), c.dMlp(0)}, routed.mlpShapes().get(1), "ablated back to the original shape");
      assertEquals(c, era.config());
      assertEquals(STEPS, routed.result().history().rows().size());
      assertEquals(3, routed.result().coherence().selectionLosses().length);
      assertFalse(torch.equal(era.forward(routed.probe()), ctl.forward(control.probe())), "routing changed what was learnt");
    }
  }
}
