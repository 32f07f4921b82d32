package gradroute.experiment.tinystories;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.report.Criterion;
import gradroute.config.ConfigOverride;
import gradroute.config.Configs;
import gradroute.report.RunDirectory;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learned neuron masks and localised fine-tuning on the quick config: same split, same attack, reported beside ERA. */
class PostHocMethodsTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void masksAndLocalisedFineTuningRunFromTheBaseModelAndFaceTheAttack(@TempDir Path dir) throws Exception {
    TinyStoriesConfig quick = Configs.preset(TinyStoriesConfig.class, "/gradroute/experiment/configs/tinystories", "quick");
    TinyStoriesConfig s = Configs.withOverrides(quick, TinyStoriesConfig.class, List.of(new ConfigOverride("--steps", "steps", "20"),
        new ConfigOverride("--method", "methods", "era,masks,localft")));
    RunDirectory run = RunDirectory.create(dir, "tinystories", "posthoc", s);
    List<TinyStoriesRun.MethodResult> results = new TinyStoriesRun(s, run, new Device("cpu"), false).run(1);
    assertEquals(List.of("base", "era", "masks", "localft"), results.stream().map(TinyStoriesRun.MethodResult::method).toList());
    TinyStoriesRun.MethodResult base = results.get(0), masks = results.get(2), localft = results.get(3);
    for (TinyStoriesRun.MethodResult r : List.of(masks, localft)) {
      assertEquals(base.fin(), r.trained(), r.method() + " starts from the base model");
      assertNotNull(r.attackForget(), r.method() + " faces the retraining attack");
      assertEquals(base.attackSteps().length, r.attackSteps().length, r.method() + ": the same attack");
      assertTrue(Double.isFinite(r.attackMin()) && Double.isFinite(r.fin().forget()) && Double.isFinite(r.fin().retain()), r.method() + ": " + r.fin());
      assertTrue(Files.isRegularFile(run.path("training/" + TinyStoriesRun.key(0, r.method(), 1.0) + ".csv")), r.method() + " training history");
    }
    long layers = s.expandLayers().length;
    assertEquals(layers * s.expandNeurons(), localft.changedNeurons(), "localised fine-tuning trains expandNeurons neurons per expand layer");
    assertEquals(layers * s.expandNeurons() * (2L * s.dModel() + 1), localft.changedParameters());
    assertTrue(masks.changedNeurons() >= 0 && masks.changedNeurons() <= layers * s.dMlp(), "masks ablate some of the expand layers' neurons");
    assertTrue(!localft.fin().equals(base.fin()), "localised fine-tuning changed the model");
    Map<String, Criterion> c = TinyStoriesCriteria.evaluate(results, s.oversight());
    for (String k : new String[] {"masks_reported_p1.0", "localft_reported_p1.0", "era_above_masks_after_attack_p1.0", "era_above_localft_after_attack_p1.0"}) {
      assertTrue(c.containsKey(k), k + " in " + c.keySet());
      assertNotNull(c.get(k).holds(), k);
    }
  }
}
