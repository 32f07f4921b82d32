package gradroute.experiment.mnist;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.data.MnistSource;
import gradroute.data.TrainTest;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Device;
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
    MnistConfig quick = MnistConfig.preset("quick").withEpochs(12);
    MnistRun.Settings settings = new MnistRun.Settings(quick, List.of(0L), true, "mnist", results, "test", false, 100);
    MnistRun.Summary s = new MnistRun(settings, new Device("cpu"), digits).run();
    double routed = s.mean().get("S");
    double control = s.mean().get("S_control");
    assertTrue(routed > control + 0.05, "S routed " + routed + " vs control " + control);
    assertTrue(results.resolve("mnist/test/summary.json").toFile().isFile());
    assertTrue(results.resolve("mnist/test/certificates.png").toFile().isFile());
  }
}
