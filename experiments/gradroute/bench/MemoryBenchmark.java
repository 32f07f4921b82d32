package gradroute.bench;

import gradroute.model.Mlp;
import gradroute.report.CsvTable;
import gradroute.routing.Router;
import gradroute.train.FusedAdam;
import gradroute.train.Steps;
import gradroute.train.Trainable;
import gradroute.train.TrainingLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Native-memory growth of long loops with and without the per-step scope ({@link Steps}): a routed
 * forward+backward loop and a small routed training run (on {@link TrainingLoop}, which scopes
 * every step, against the same steps in a plain for loop). Reports the slope of the process's RSS
 * over the steps, in MiB per 1000 steps (least squares over samples every tenth of the run, after
 * a warm-up). The unscoped variants run fewer steps, since they grow until the machine runs out.
 */
public final class MemoryBenchmark {
  public record Loop(String name, boolean scoped, long steps, double rssStartMiB, double rssEndMiB, double mibPer1000Steps) {}

  public record Result(boolean quick, List<Loop> loops) {}

  private static final int WARMUP = 100;
  private final boolean quick;

  public MemoryBenchmark(boolean quick) {
    this.quick = quick;
  }

  public Result run() {
    long scopedSteps = quick ? 1_000 : 10_000;
    long unscopedSteps = quick ? 300 : 1_000;
    List<Loop> loops = new ArrayList<>();
    loops.add(routeLoop(true, scopedSteps));
    loops.add(routeLoop(false, unscopedSteps));
    loops.add(trainingLoop(true, scopedSteps));
    loops.add(trainingLoop(false, unscopedSteps));
    return new Result(quick, loops);
  }

  /** x [64, 512] through Router.NATIVE.route with a per-feature gate, a loss, backward. */
  private Loop routeLoop(boolean scoped, long steps) {
    torch.manual_seed(1);
    Tensor x = torch.randn(64, 512).requires_grad_(true);
    Tensor gate = torch.rand(512);
    LongConsumer step = s -> {
      Tensor y = Router.NATIVE.route(x.mul(new Scalar(2.0)), gate);
      y.pow(new Scalar(2)).mean().backward();
      x.grad().zero_();
    };
    return measure("route loop", scoped, steps, step);
  }

  /** A 512-256-512 MLP whose output gradient is routed per feature, Adam steps on random batches. */
  private Loop trainingLoop(boolean scoped, long steps) {
    torch.manual_seed(2);
    Mlp model = new Mlp(new int[] {512, 256, 512}, true);
    Adam optimizer = new Adam(model.parameters(), new AdamOptions(1e-3));
    Tensor gate = torch.rand(512);
    Trainable trainable = s -> {
      Tensor x = torch.randn(64, 512);
      Tensor y = Router.NATIVE.route(model.forward(x), gate);
      Tensor loss = y.sub(x).pow(new Scalar(2)).mean();
      optimizer.zero_grad();
      loss.backward();
      FusedAdam.step(optimizer);
      return Map.of("loss", loss.item_double());
    };
    if (scoped) {
      // the library's loop: every step in its own scope
      long[] samples = sampleEvery(steps);
      List<double[]> points = new ArrayList<>();
      TrainingLoop.bare("memory", WARMUP).run(trainable, false);
      TrainingLoop loop = TrainingLoop.bare("memory", steps).with(new gradroute.train.TrainingListener() {
        @Override
        public void onStep(gradroute.train.TrainingRun run, long s, Map<String, Double> m) {
          if (java.util.Arrays.binarySearch(samples, s) >= 0) points.add(new double[] {s, rssMiB()});
        }
      });
      points.add(new double[] {-1, rssMiB()});
      loop.run(trainable, false);
      return result("training loop", true, steps, points);
    }
    return measure("training loop", false, steps, s -> trainable.step(s));
  }

  private Loop measure(String name, boolean scoped, long steps, LongConsumer step) {
    LongConsumer run = scoped ? s -> Steps.run(() -> step.accept(s)) : step;
    for (long s = 0; s < WARMUP; s++) run.accept(s);
    long[] samples = sampleEvery(steps);
    List<double[]> points = new ArrayList<>();
    points.add(new double[] {-1, rssMiB()});
    for (long s = 0; s < steps; s++) {
      run.accept(s);
      if (java.util.Arrays.binarySearch(samples, s) >= 0) points.add(new double[] {s, rssMiB()});
    }
    return result(name, scoped, steps, points);
  }

  private static long[] sampleEvery(long steps) {
    long[] s = new long[10];
    for (int i = 0; i < 10; i++) s[i] = (i + 1) * steps / 10 - 1;
    return s;
  }

  private static Loop result(String name, boolean scoped, long steps, List<double[]> points) {
    double n = points.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (double[] p : points) {
      sx += p[0];
      sy += p[1];
      sxx += p[0] * p[0];
      sxy += p[0] * p[1];
    }
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    return new Loop(name, scoped, steps, points.get(0)[1], points.get(points.size() - 1)[1], slope * 1000);
  }

  private static double rssMiB() {
    return PeakMemory.currentBytes() / (1024.0 * 1024.0);
  }

  public static String table(Result r) {
    CsvTable t = CsvTable.withColumns("loop", "per-step scope", "steps", "RSS start MiB", "RSS end MiB", "MiB per 1000 steps");
    for (Loop l : r.loops()) {
      t.addRow(l.name(), l.scoped() ? "yes (Steps / TrainingLoop)" : "no", l.steps(), String.format("%.0f", l.rssStartMiB()),
          String.format("%.0f", l.rssEndMiB()), String.format("%.1f", l.mibPer1000Steps()));
    }
    return t.toMarkdown();
  }
}
