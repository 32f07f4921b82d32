package gradroute.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TorchRuntime;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.Test;

class TrainBenchmarkTest {
  @Test
  void ratiosArePairedRoundByRoundThenTheMedian() {
    // a machine twice as slow in round 2 hits both sides alike: the paired ratio stays 2
    assertEquals(2.0, TrainBenchmark.pairedRatio(new double[] {20, 10, 22}, new double[] {10, 5, 11}), 1e-12);
    assertEquals(2.5, TrainBenchmark.median(new double[] {4, 1, 2, 3}), 1e-12);
    assertTrue(Double.isNaN(TrainBenchmark.median(new double[] {Double.NaN})));
  }

  @Test
  void everyModelTrainsAStepWithAndWithoutRouting() throws Exception {
    TorchRuntime.init();
    Device cpu = new Device("cpu");
    for (String model : List.of("mnist", "tinystories")) {
      for (boolean routing : new boolean[] {false, true}) {
        TrainSteps.Runner r = TrainSteps.create(model, routing, cpu);
        try (PointerScope scope = new PointerScope()) {
          Map<String, Double> m = r.trainable().step(0);
          assertTrue(Double.isFinite(m.get("loss")), model + " routing " + routing + ": " + m);
        }
      }
    }
  }

  @Test
  void syntheticDataFollowsThePythonSidesFormula() {
    try (PointerScope scope = new PointerScope()) {
      var images = TrainSteps.syntheticImages(3, 5);
      assertEquals(((2 * 7919L + 4 * 104729L) % 255) / 127.0 - 1.0, images.select(0, 2).select(0, 4).item_double(), 1e-6);
    }
    assertEquals((3 * 31L + 5 * 17L + 7 * 7L) % 1000, TrainSteps.syntheticTokens(7, 4, 6, 1000).sequences()[3][5]);
  }

  @Test
  void unknownModelsAreRejectedByName() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new TrainBenchmark(true, List.of("resnet"), 1, 0, new Device("cpu"), null));
    assertTrue(e.getMessage().contains("resnet"));
  }
}
