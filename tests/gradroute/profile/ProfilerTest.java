package gradroute.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.routing.NativeRouting;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void listsTheOpsThatRanWithCallsShapesAndNesting(@TempDir Path dir) throws Exception {
    Path trace = dir.resolve("trace.json");
    Profile profile;
    try (PointerScope scope = new PointerScope()) {
      Tensor a = torch.ones(3, 4).requires_grad_(true);
      Tensor b = torch.ones(4, 5);
      Profiler profiler = Profiler.start();
      for (int i = 0; i < 3; i++) a.mm(b).sum().backward();
      Tensor routed = NativeRouting.route(a, torch.ones(3, 4));
      profile = profiler.stop(trace);
      assertNotNull(routed);
    }
    OpStats mm = profile.op("aten::mm");
    assertNotNull(mm, profile.table(30));
    assertTrue(mm.calls() >= 3, "forward mm thrice, plus backward's: " + mm.calls());
    assertTrue(profile.ops().stream().anyMatch(o -> o.name().equals("aten::mm") && o.inputShapes().equals("[[3, 4], [4, 5]]")),
        profile.ops().toString());
    assertTrue(profile.op("aten::sum").calls() >= 3, profile.table(30));
    assertNotNull(profile.op("aten::ones"));
    assertNull(profile.op("aten::conv2d"));
    for (OpStats o : profile.ops()) assertTrue(o.selfMicros() <= o.totalMicros() + 1e-6, o.toString());
    String json = Files.readString(trace);
    assertTrue(json.contains("traceEvents") && json.contains("aten::mm"), "a Chrome trace naming the ops");
    Path csv = dir.resolve("ops.csv");
    profile.writeCsv(csv);
    assertTrue(Files.readString(csv).startsWith("name,input_shapes,calls,self_us,total_us\n"));
    assertTrue(profile.table(5).contains("aten::"));
  }

  @Test
  void selfTimeExcludesNestedOps() {
    String events = String.join("\n",
        "outer\t1\t0\t1000\t",
        "inner\t1\t100\t400\t[[2]]",
        "inner\t1\t500\t700\t[[2]]",
        "other-thread\t2\t0\t50\t");
    Profile p = Profile.fromEvents(events, 2.0);
    assertEquals(0.5, p.op("outer").selfMicros(), 1e-9);
    assertEquals(1.0, p.op("outer").totalMicros(), 1e-9);
    assertEquals(2, p.op("inner").calls());
    assertEquals(0.5, p.op("inner").selfMicros(), 1e-9);
    assertEquals(0.05, p.op("other-thread").selfMicros(), 1e-9);
  }

  @Test
  void oneProfileAtATime() {
    try (Profiler p = Profiler.start(false)) {
      assertThrows(IllegalStateException.class, () -> Profiler.start(false));
    }
    Profiler again = Profiler.start(false);
    again.stop(null);
    assertThrows(IllegalStateException.class, () -> again.stop(null));
  }
}
