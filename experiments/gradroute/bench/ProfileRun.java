package gradroute.bench;

import gradroute.experiment.minigrid.Method;
import gradroute.profile.Profile;
import gradroute.profile.Profiler;
import gradroute.rl.reinforce.AgentConfig;
import gradroute.rl.reinforce.ReinforceTrainer;
import gradroute.routing.NativeRouting;
import gradroute.runtime.TorchRuntime;
import gradroute.train.Trainable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code ./gradroute profile}: N training steps of a benchmark model (or forward+backward of the
 * routing ops) under libtorch's profiler; writes ops.csv, ops.json and trace.json (Chrome trace).
 */
public final class ProfileRun {
  public static final List<String> TARGETS = List.of("mnist", "mnist-unrouted", "tinystories", "tinystories-unrouted", "gpt",
      "gpt-unrouted", "minigrid", "route");
  private static final String UNROUTED = "-unrouted";

  private ProfileRun() {}

  public static Profile run(String target, int steps, int warmup, Device device, Path outDir) throws IOException {
    if (!TARGETS.contains(target)) throw new IllegalArgumentException("unknown profile target '" + target + "' (" + TARGETS + ")");
    if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
    TorchRuntime.init();
    Runnable step = stepOf(target, device);
    for (int i = 0; i < warmup; i++) step.run();
    Profiler profiler = Profiler.start();
    Profile profile;
    try {
      for (int i = 0; i < steps; i++) step.run();
    } finally {
      profile = profiler.stop(outDir.resolve("trace.json"));
    }
    profile.writeCsv(outDir.resolve("ops.csv"));
    profile.writeJson(outDir.resolve("ops.json"));
    return profile;
  }

  private static Runnable stepOf(String target, Device device) throws IOException {
    if (target.equals("route")) return routeOps(device);
    if (target.equals("minigrid")) return minigridUpdate(device);
    boolean unrouted = target.endsWith(UNROUTED);
    String model = unrouted ? target.substring(0, target.length() - UNROUTED.length()) : target;
    Trainable t = TrainSteps.create(model, !unrouted, device).trainable();
    long[] step = {0};
    return () -> {
      try (PointerScope scope = new PointerScope()) {
        t.step(step[0]++);
      }
    };
  }

  /** One update of the routed gridworld agent (32 envs × 32 rollout steps, the default preset's shape). */
  private static Runnable minigridUpdate(Device device) {
    AgentConfig config = AgentConfig.of(Method.ROUTING.recipe(), 0.01, 32, Integer.MAX_VALUE, 1e-3, 7);
    ReinforceTrainer trainer = new ReinforceTrainer(config, device);
    long[] step = {0};
    return () -> {
      try (PointerScope scope = new PointerScope()) {
        trainer.step(step[0]++);
      }
    };
  }

  /** route and route_indexed forward and backward at the MNIST latent and a GPT residual's shapes; inputs made once. */
  private static Runnable routeOps(Device device) {
    Tensor z = on(torch.randn(256, 32), device).requires_grad_(true).retainReference();
    Tensor gate = on(torch.ones(32), device).retainReference();
    Tensor resid = on(torch.randn(16, 256, 256), device).requires_grad_(true).retainReference();
    Tensor index = on(torch.zeros(16, 256).to(torch.ScalarType.Long), device).retainReference();
    Tensor table = on(torch.ones(2, 256), device).retainReference();
    return () -> {
      try (PointerScope scope = new PointerScope()) {
        NativeRouting.route(z, gate).sum().backward();
        NativeRouting.route_indexed(resid, table, index, new Tensor(), 1.0).sum().backward();
      }
    };
  }

  private static Tensor on(Tensor t, Device device) {
    return device.is_cpu() ? t : t.to(device, t.scalar_type());
  }
}
