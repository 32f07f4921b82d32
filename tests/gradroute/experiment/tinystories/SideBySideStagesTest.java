package gradroute.experiment.tinystories;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gradroute.config.ConfigOverride;
import gradroute.config.Configs;
import gradroute.report.RunDirectory;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SideBySideStagesTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static List<TinyStoriesRun.MethodResult> run(TinyStoriesConfig s, Path out, String name, int workers) throws Exception {
    return new TinyStoriesRun(s, RunDirectory.create(out, "tinystories", name, s), new Device("cpu"), false).run(workers);
  }

  @Test
  void stagesSideBySideGiveTheNumbersOfStagesInTurn(@TempDir Path dir) throws Exception {
    TinyStoriesConfig quick = Configs.preset(TinyStoriesConfig.class, "/gradroute/experiment/configs/tinystories", "quick");
    TinyStoriesConfig s = Configs.withOverrides(quick, TinyStoriesConfig.class, List.of(new ConfigOverride("--steps", "steps", "20"),
        new ConfigOverride("--rmu-steps", "rmuSteps", "5"), new ConfigOverride("--oversight", "oversight", "0.5,1.0"),
        new ConfigOverride("--method", "methods", "era,filter,rmu")));
    List<TinyStoriesRun.MethodResult> inTurn = run(s, dir, "one", 1);
    List<TinyStoriesRun.MethodResult> sideBySide = run(s, dir, "two", 2);
    List<String> order = sideBySide.stream().map(r -> TinyStoriesRun.key(r.seed(), r.method(), r.p())).toList();
    assertEquals(List.of("s0-base", "s0-era-p0.5", "s0-filter-p0.5", "s0-rmu-p0.5", "s0-era-p1.0", "s0-filter-p1.0", "s0-rmu-p1.0"), order,
        "results in the order of stages in turn");
    for (int i = 0; i < inTurn.size(); i++) {
      TinyStoriesRun.MethodResult a = inTurn.get(i), b = sideBySide.get(i);
      String k = order.get(i);
      assertEquals(a.trained(), b.trained(), k + " trained");
      assertEquals(a.ablated(), b.ablated(), k + " ablated");
      assertEquals(a.coherent(), b.coherent(), k + " coherent");
      assertEquals(a.fin(), b.fin(), k + " final");
      assertEquals(a.forgetBefore(), b.forgetBefore(), k + " forget before");
      assertArrayEquals(a.attackForget(), b.attackForget(), k + " attack curve");
      assertEquals(a.generations(), b.generations(), k + " generations");
    }
  }
}
