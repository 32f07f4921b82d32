package gradroute.bench;

import gradroute.report.CsvTable;
import static java.lang.Double.NaN;

import gradroute.routing.MaskTable;
import gradroute.runtime.NativeRuntime;
import gradroute.routing.Router;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Forward+backward time of the routing ops: native core vs the reference formula vs a Java tensor
 * hook over 1e4..1e7 elements, and the fused per-token {@code routeIndexed} vs materialising the
 * {@code [64, 256, 512]} gate, with the peak memory each needs. Medians over repetitions; ratios
 * are taken within one run.
 */
public final class RouteBenchmark {
  public record RouteRow(long elements, double nativeMs, double referenceMs, double hookMs,
                         double nativeOverReference, double nativeOverHook) {}

  public record IndexedResult(long[] shape, int tableRows, boolean softWeights, double nativeMs,
                              double referenceMs, double nativeRouteWithGateMs, double nativeOverReference,
                              double nativePeakMiB, double referencePeakMiB) {}

  public record Result(String device, int threads, boolean quick, List<RouteRow> route, List<IndexedResult> routeIndexed) {}

  private final boolean quick;
  private final List<String> routers;
  private final Device device;

  public RouteBenchmark(boolean quick, List<String> routers, Device device) {
    this.quick = quick;
    this.routers = routers;
    this.device = device;
  }

  private Tensor on(Tensor t) {
    return device.is_cpu() ? t : t.to(device, t.scalar_type());
  }

  public Result run() {
    long[] sizes = quick ? new long[] {10_000, 100_000, 1_000_000} : new long[] {10_000, 100_000, 1_000_000, 10_000_000};
    List<RouteRow> rows = new ArrayList<>();
    for (long n : sizes) rows.add(routeRow(n));
    List<IndexedResult> indexed = new ArrayList<>();
    long[] shape = quick ? new long[] {16, 128, 512} : new long[] {64, 256, 512};
    indexed.add(indexedResult(shape, false));
    indexed.add(indexedResult(shape, true));
    return new Result(device.str().getString(), torch.get_num_threads(), quick, rows, indexed);
  }

  private RouteRow routeRow(long elements) {
    long width = 256;
    long rows = Math.max(1, elements / width);
    Tensor x = on(torch.randn(rows, width));
    Tensor gate = on(torch.rand(rows, width));
    Tensor upstream = on(torch.randn(rows, width));
    double nat = enabled("native") ? time(leaf -> Router.NATIVE.route(leaf, gate), x, upstream) : Double.NaN;
    double ref = enabled("reference") ? time(leaf -> Router.REFERENCE.route(leaf, gate), x, upstream) : Double.NaN;
    double hook = enabled("hook") ? time(leaf -> HookRouter.route(leaf, gate), x, upstream) : Double.NaN;
    return new RouteRow(rows * width, nat, ref, hook, nat / ref, nat / hook);
  }

  private IndexedResult indexedResult(long[] shape, boolean soft) {
    long positions = shape[0] * shape[1];
    int width = (int) shape[2];
    MaskTable table = MaskTable.builder(width).dims(MaskTable.range(0, width / 2)).dims(MaskTable.range(width / 2, width)).build();
    Tensor tableTensor = table.tensor(device);
    Tensor x = on(torch.randn(shape));
    Tensor upstream = on(torch.randn(shape));
    Tensor index = on(torch.randint(table.size(), new long[] {shape[0], shape[1]}));
    Tensor weight = soft ? on(torch.rand(shape[0], shape[1])) : null;
    Function<Tensor, Tensor> nat = leaf -> Router.NATIVE.routeIndexed(leaf, tableTensor, index, weight, 1.0);
    Function<Tensor, Tensor> ref = leaf -> Router.REFERENCE.routeIndexed(leaf, tableTensor, index, weight, 1.0);
    Function<Tensor, Tensor> materialised = leaf -> Router.NATIVE.route(leaf, materialise(tableTensor, index, weight, leaf));
    double natMs = time(nat, x, upstream);
    double refMs = time(ref, x, upstream);
    double matMs = time(materialised, x, upstream);
    return new IndexedResult(shape, table.size(), soft, natMs, refMs, matMs, natMs / refMs, peakMiB(nat, x, upstream), peakMiB(ref, x, upstream));
  }

  private static Tensor materialise(Tensor table, Tensor index, Tensor weight, Tensor x) {
    Tensor rows = table.index_select(0, index.reshape(-1));
    if (weight != null) {
      Tensor a = weight.reshape(-1, 1);
      rows = torch.rsub(a, new org.bytedeco.pytorch.Scalar(1.0)).mul(rows).add(a.mul(table.select(0, table.size(0) - 1)));
    }
    return rows.view(x.shape());
  }

  private boolean enabled(String router) {
    return routers.contains(router);
  }

  private static void forwardBackward(Function<Tensor, Tensor> op, Tensor x, Tensor upstream) {
    try (PointerScope scope = new PointerScope()) {
      Tensor leaf = x.detach().requires_grad_(true);
      op.apply(leaf).backward(upstream, new BoolOptional(), false, new TensorArrayRefOptional());
      if (!leaf.device().is_cpu()) leaf.grad().sum().item_float(); // waits for the device
    }
  }

  /** Median milliseconds of one forward+backward. */
  private double time(Function<Tensor, Tensor> op, Tensor x, Tensor upstream) {
    for (int i = 0; i < 3; i++) forwardBackward(op, x, upstream);
    long start = System.nanoTime();
    forwardBackward(op, x, upstream);
    double oneMs = (System.nanoTime() - start) / 1e6;
    double budgetMs = quick ? 150 : 600;
    int reps = (int) Math.max(5, Math.min(200, budgetMs / Math.max(oneMs, 1e-3)));
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      forwardBackward(op, x, upstream);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[reps / 2];
  }

  /** Peak resident memory above the starting point during one forward+backward, in MiB. */
  private double peakMiB(Function<Tensor, Tensor> op, Tensor x, Tensor upstream) {
    if (!device.is_cpu()) return NaN;
    NativeRuntime.release_free_heap();
    PeakMemory.reset();
    long before = PeakMemory.currentBytes();
    forwardBackward(op, x, upstream);
    long peak = PeakMemory.peakBytes();
    return before < 0 || peak < 0 ? Double.NaN : (peak - before) / (1024.0 * 1024.0);
  }

  public static String table(Result r) {
    CsvTable route = CsvTable.withColumns("elements", "native ms", "reference ms", "hook ms", "native/reference", "native/hook");
    for (RouteRow row : r.route()) {
      route.addRow(row.elements(), fmt(row.nativeMs()), fmt(row.referenceMs()), fmt(row.hookMs()),
          fmt(row.nativeOverReference()), fmt(row.nativeOverHook()));
    }
    CsvTable indexed = CsvTable.withColumns("routeIndexed shape", "soft", "native ms", "reference ms",
        "route+materialised gate ms", "native/reference", "native peak MiB", "reference peak MiB");
    for (IndexedResult ir : r.routeIndexed()) {
      indexed.addRow(Arrays.toString(ir.shape()), ir.softWeights(), fmt(ir.nativeMs()), fmt(ir.referenceMs()),
          fmt(ir.nativeRouteWithGateMs()), fmt(ir.nativeOverReference()), fmt(ir.nativePeakMiB()), fmt(ir.referencePeakMiB()));
    }
    return "route, forward+backward on " + r.device() + " (" + r.threads() + " threads)\n" + route.toMarkdown() + "\n" + indexed.toMarkdown();
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.3g", v);
  }
}
