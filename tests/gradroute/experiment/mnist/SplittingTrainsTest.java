package gradroute.experiment.mnist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.data.MnistSource;
import gradroute.data.TrainTest;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Device;
import gradroute.config.ConfigOverride;
import gradroute.config.Configs;
import gradroute.report.RunDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short seeded run on the real default digits: the routed model splits, the control does not. */
class SplittingTrainsTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void routedModelSplitsMoreThanTheControl(@TempDir Path results) throws Exception {
    TrainTest digits = MnistSource.MNIST.load(null, 0);
    MnistConfig quick = Configs.withOverrides(Configs.preset(MnistConfig.class, "/gradroute/experiment/configs/mnist", "quick"),
        MnistConfig.class, List.of(new ConfigOverride("test", "epochs", "12"), new ConfigOverride("test", "withControl", "true"),
            new ConfigOverride("test", "checkpointEvery", "100")));
    RunDirectory dir = RunDirectory.create(results, "mnist", "test", quick);
    MnistRun.Result s = new MnistRun(quick, dir, false, new Device("cpu"), digits).run();
    double routed = s.mean().get("S");
    double control = s.mean().get("S_control");
    assertTrue(routed > control + 0.05, "S routed " + routed + " vs control " + control);
    assertTrue(results.resolve("mnist/test/summary.json").toFile().isFile());
    assertTrue(results.resolve("mnist/test/certificates.png").toFile().isFile());
  }
}
