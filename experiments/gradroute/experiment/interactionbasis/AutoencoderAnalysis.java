package gradroute.experiment.interactionbasis;

import gradroute.interactionbasis.Ablation;
import gradroute.interactionbasis.InteractionBasis;
import gradroute.interactionbasis.InteractionGraph;
import gradroute.interactionbasis.MlpStack;
import gradroute.interactionbasis.NodeBasis;
import gradroute.runtime.TensorArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * LIB of a latent-splitting autoencoder (encoder then decoder as one {@link MlpStack}): whether the
 * latent's directions split between the two halves routing assigned (dims [0, d/2) for digits 0–4,
 * [d/2, d) for 5–9), whether the edges around the latent are block-diagonal across the split, what
 * keeping one half's directions does to each digit group's reconstruction, and how many edges LIB and
 * PCA need to stay within 0.1% of the full reconstruction.
 */
final class AutoencoderAnalysis {
  /** How many of the latent's top directions the split criterion reads. */
  static final int TOP = 8;
  /** Relative reconstruction-error increase an edge ablation may cause. */
  static final double EDGE_TOLERANCE = 0.001;

  static final int HALF_A = 0;
  static final int HALF_B = 1;
  static final int CONSTANT = -1;
  /** A latent dimension counts as active when its variance over the data exceeds this. */
  static final double ACTIVE_VARIANCE = 1e-6;

  /**
   * One basis direction: its λ, the share of its squared weight on half A (of the non-constant
   * part), the share on the constant channel, and the half it is assigned to (or {@link #CONSTANT}).
   */
  record Direction(int index, double lambda, double shareA, double constantShare, int half) {
    double dominantShare() {
      return Math.max(shareA, 1 - shareA);
    }
  }

  /** Reconstruction errors as directions are kept: {@code kept} is "half A", "half B", "LIB" or "PCA" (top-k overall). */
  record Curve(String kept, int[] k, double[] all, double[] low, double[] high) {}

  /** The fewest edges between two node layers that keep the reconstruction within the tolerance. */
  record EdgeCount(String basis, String edges, long available, long needed, double errorAtNeeded) {}

  record Result(String model, long seed, boolean routed, Reconstruction full, List<Direction> latent, List<Direction> preLatent,
                double topMinDominantShare, double topMeanDominantShare, double topMeanShareA, int topConstantSkipped,
                double purityIntoLatent, double purityOutOfLatent, Diagnostics diagnostics, List<Curve> curves,
                List<EdgeCount> edgeCounts, float[][] edgesIntoLatent, float[][] edgesOutOfLatent) {}

  /**
   * Where a mixed basis comes from: the PCA directions of the latent (activations alone) judged like
   * the LIB ones, and the share of the latent's covariance that couples the two halves.
   */
  record Diagnostics(double pcaTopMinDominantShare, double pcaTopMeanDominantShare, double covarianceAcrossHalves,
                     double interactionAcrossHalves, double ownHalfShareBuiltOnDigits04, double ownHalfShareBuiltOnDigits59,
                     int activeDimsA, int activeDimsB) {}

  private final MlpStack stack;
  private final int latentPosition;
  private final int latentWidth;
  private final Tensor encoderLastWeight;

  /**
   * @param latentPosition the node position of the latent in {@code stack}
   * @param encoderLastWeight the encoder's last weight {@code [latent, preLatent]}, to map pre-latent
   *     directions into the latent
   */
  AutoencoderAnalysis(MlpStack stack, int latentPosition, Tensor encoderLastWeight) {
    this.stack = stack;
    this.latentPosition = latentPosition;
    this.latentWidth = stack.width(latentPosition);
    this.encoderLastWeight = encoderLastWeight.detach().to(ScalarType.Double);
  }

  Result analyse(String model, long seed, boolean routed, Tensor buildImages, int[] buildLabels, Tensor testImages, int[] testLabels) {
    try (NoGradGuard g = new NoGradGuard(); PointerScope scope = new PointerScope()) {
      int[] positions = new int[stack.depth() - latentPosition + 2];
      for (int i = 0; i < positions.length; i++) positions[i] = latentPosition - 1 + i;
      InteractionGraph lib = InteractionBasis.build(stack, positions, buildImages, InteractionBasis.Options.jacobian());
      InteractionGraph pca = InteractionBasis.build(stack, positions, buildImages, InteractionBasis.Options.pca());
      Tensor test = testImages.to(ScalarType.Double);
      Reconstruction full = Reconstruction.of(stack, Map.of(), test, testLabels);

      NodeBasis latent = lib.atPosition(latentPosition);
      NodeBasis pre = lib.atPosition(latentPosition - 1);
      List<Direction> latentDirections = latentDirections(latent);
      List<Direction> preDirections = preLatentDirections(pre);
      List<Direction> top = latentDirections.stream().filter(d -> d.half() != CONSTANT).limit(TOP).toList();
      int skipped = (int) latentDirections.stream().limit(top.isEmpty() ? 0 : top.get(top.size() - 1).index() + 1)
          .filter(d -> d.half() == CONSTANT).count();

      Tensor into = lib.edgesFrom(latentPosition - 1);   // [k latent, k pre]
      Tensor outOf = lib.edgesFrom(latentPosition);      // [k next, k latent]

      List<Curve> curves = new ArrayList<>();
      for (int half : new int[] {HALF_A, HALF_B}) curves.add(keepingHalf(latent, latentDirections, half, test, testLabels));
      curves.add(keepingTop("LIB", latent, test, testLabels));
      curves.add(keepingTop("PCA", pca.atPosition(latentPosition), test, testLabels));

      List<EdgeCount> counts = new ArrayList<>();
      for (InteractionGraph graph : new InteractionGraph[] {lib, pca}) {
        String basis = graph == lib ? "LIB" : "PCA";
        counts.add(edgesNeeded(basis, "pre-latent to latent", graph, latentPosition - 1, full, test, testLabels));
        counts.add(edgesNeeded(basis, "latent to decoder", graph, latentPosition, full, test, testLabels));
      }
      return new Result(model, seed, routed, full, latentDirections, preDirections,
          top.stream().mapToDouble(Direction::dominantShare).min().orElse(Double.NaN),
          top.stream().mapToDouble(Direction::dominantShare).average().orElse(Double.NaN),
          top.stream().mapToDouble(Direction::shareA).average().orElse(Double.NaN), skipped,
          purityBothSides(into, latentDirections, preDirections), purityOneSide(outOf, latentDirections),
          diagnostics(latent, pca.atPosition(latentPosition), lib, positions, buildImages, buildLabels), curves, counts, toMatrix(into), toMatrix(outOf.t()));
    }
  }

  private Diagnostics diagnostics(NodeBasis latent, NodeBasis pca, InteractionGraph lib, int[] positions, Tensor buildImages, int[] buildLabels) {
    List<Direction> top = latentDirections(pca).stream().filter(d -> d.half() != CONSTANT).limit(TOP).toList();
    double[] g = TensorArrays.toDoubles(latent.gram());
    int n = (int) latent.gram().size(0);
    double[] mean = new double[latentWidth];
    for (int i = 0; i < latentWidth; i++) mean[i] = n > latentWidth ? g[i * n + latentWidth] : 0;
    double across = 0, all = 0;
    int activeA = 0, activeB = 0;
    for (int i = 0; i < latentWidth; i++) {
      double variance = g[i * n + i] - mean[i] * mean[i];
      if (variance > ACTIVE_VARIANCE) {
        if (i < latentWidth / 2) activeA++;
        else activeB++;
      }
      for (int j = 0; j < latentWidth; j++) {
        double cov = g[i * n + j] - mean[i] * mean[j];
        all += cov * cov;
        if ((i < latentWidth / 2) != (j < latentWidth / 2)) across += cov * cov;
      }
    }
    return new Diagnostics(top.stream().mapToDouble(Direction::dominantShare).min().orElse(Double.NaN),
        top.stream().mapToDouble(Direction::dominantShare).average().orElse(Double.NaN), all > 0 ? across / all : 0,
        interactionAcrossHalves(lib, buildImages), ownHalfShare(positions, buildImages, buildLabels, HALF_A),
        ownHalfShare(positions, buildImages, buildLabels, HALF_B), activeA, activeB);
  }

  /** Share of the latent's interaction matrix (its non-constant block, neuron basis) that couples the halves. */
  private double interactionAcrossHalves(InteractionGraph lib, Tensor images) {
    Tensor next = lib.atPosition(latentPosition + 1).c();
    Tensor m = org.bytedeco.pytorch.global.torch.zeros(latentWidth, latentWidth).to(ScalarType.Double);
    for (long start = 0; start < images.size(0); start += 250) {
      try (PointerScope scope = new PointerScope()) {
        Tensor x = images.narrow(0, start, Math.min(250, images.size(0) - start)).to(ScalarType.Double);
        Tensor f = stack.forward(MlpStack.fold(x), 0, latentPosition);
        Tensor j = stack.jacobian(f, latentPosition, latentPosition + 1, next);
        Tensor g = j.narrow(j.dim() - 1, 0, latentWidth).reshape(-1, latentWidth);
        m.add_(g.t().matmul(g));
      }
    }
    double[] v = TensorArrays.toDoubles(m);
    double across = 0, all = 0;
    for (int i = 0; i < latentWidth; i++) {
      for (int j = 0; j < latentWidth; j++) {
        double e = v[i * latentWidth + j] * v[i * latentWidth + j];
        all += e;
        if ((i < latentWidth / 2) != (j < latentWidth / 2)) across += e;
      }
    }
    return all > 0 ? across / all : 0;
  }

  /** The LIB built on the images of one digit group (0–4 for half A, 5–9 for B): mean share of its top directions on that half. */
  private double ownHalfShare(int[] positions, Tensor images, int[] labels, int half) {
    List<Long> rows = new ArrayList<>();
    for (int i = 0; i < images.size(0); i++) if ((labels[i] < 5) == (half == HALF_A)) rows.add((long) i);
    if (rows.size() < 2) return Double.NaN;
    Tensor group = images.index_select(0, Tensor.create(rows.stream().mapToLong(Long::longValue).toArray()));
    NodeBasis basis = InteractionBasis.build(stack, positions, group, InteractionBasis.Options.jacobian()).atPosition(latentPosition);
    return latentDirections(basis).stream().filter(d -> d.half() != CONSTANT).limit(TOP)
        .mapToDouble(d -> half == HALF_A ? d.shareA() : 1 - d.shareA()).average().orElse(Double.NaN);
  }

  private List<Direction> latentDirections(NodeBasis latent) {
    List<Direction> out = new ArrayList<>();
    double[] lambda = TensorArrays.toDoubles(latent.lambda());
    for (int k = 0; k < latent.directions(); k++) out.add(direction(k, lambda[k], latent.c().select(1, k)));
    return out;
  }

  /** Pre-latent directions are judged by where they write: their activation-space vector through the encoder's last weight. */
  private List<Direction> preLatentDirections(NodeBasis pre) {
    List<Direction> out = new ArrayList<>();
    double[] lambda = TensorArrays.toDoubles(pre.lambda());
    int width = stack.width(pre.position());
    for (int k = 0; k < pre.directions(); k++) {
      Tensor row = pre.cPinv().select(0, k);
      Tensor image = encoderLastWeight.matmul(row.narrow(0, 0, width));
      double constant = row.select(0, width).square().item_double() / row.square().sum().item_double();
      Direction d = direction(k, lambda[k], image);
      out.add(new Direction(k, lambda[k], d.shareA(), constant, constant > 0.5 ? CONSTANT : d.half()));
    }
    return out;
  }

  /** Shares of a vector over the latent's halves (entries [0, d/2) and [d/2, d)), its entry d being the constant channel if present. */
  private Direction direction(int index, double lambda, Tensor vector) {
    double[] v = TensorArrays.toDoubles(vector);
    double a = 0, b = 0, constant = v.length > latentWidth ? v[latentWidth] * v[latentWidth] : 0;
    for (int i = 0; i < latentWidth; i++) {
      if (i < latentWidth / 2) a += v[i] * v[i];
      else b += v[i] * v[i];
    }
    double shareA = a + b > 0 ? a / (a + b) : 0.5;
    double constantShare = constant / (a + b + constant);
    int half = constantShare > 0.5 ? CONSTANT : shareA >= 0.5 ? HALF_A : HALF_B;
    return new Direction(index, lambda, shareA, constantShare, half);
  }

  /** Share of the edge mass between two assigned directions that stays within one half. */
  private static double purityBothSides(Tensor edges, List<Direction> rows, List<Direction> cols) {
    double[] e = TensorArrays.toDoubles(edges);
    int nCols = (int) edges.size(1);
    double same = 0, total = 0;
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < nCols; c++) {
        int hr = rows.get(r).half(), hc = cols.get(c).half();
        if (hr == CONSTANT || hc == CONSTANT) continue;
        total += e[r * nCols + c];
        if (hr == hc) same += e[r * nCols + c];
      }
    }
    return same / total;
  }

  /** For edges out of the latent ([next, latent]): per next direction, the larger half's share of its edges from the two halves. */
  private static double purityOneSide(Tensor edges, List<Direction> latent) {
    double[] e = TensorArrays.toDoubles(edges);
    int nCols = (int) edges.size(1);
    double dominant = 0, total = 0;
    for (int r = 0; r < edges.size(0); r++) {
      double a = 0, b = 0;
      for (int c = 0; c < nCols; c++) {
        if (latent.get(c).half() == HALF_A) a += e[r * nCols + c];
        else if (latent.get(c).half() == HALF_B) b += e[r * nCols + c];
      }
      dominant += Math.max(a, b);
      total += a + b;
    }
    return dominant / total;
  }

  /** Keeps the constant directions and the top k directions assigned to one half, k = 0 … all of that half. */
  private Curve keepingHalf(NodeBasis latent, List<Direction> directions, int half, Tensor test, int[] labels) {
    List<Integer> constant = directions.stream().filter(d -> d.half() == CONSTANT).map(Direction::index).toList();
    List<Integer> ofHalf = directions.stream().filter(d -> d.half() == half).map(Direction::index).toList();
    int[] ks = new int[ofHalf.size() + 1];
    double[] all = new double[ks.length], low = new double[ks.length], high = new double[ks.length];
    for (int k = 0; k <= ofHalf.size(); k++) {
      List<Integer> kept = new ArrayList<>(constant);
      kept.addAll(ofHalf.subList(0, k));
      Reconstruction r = keeping(latent, kept.stream().mapToInt(Integer::intValue).toArray(), test, labels);
      ks[k] = k;
      all[k] = r.all();
      low[k] = r.low();
      high[k] = r.high();
    }
    return new Curve(half == HALF_A ? "half A" : "half B", ks, all, low, high);
  }

  private Curve keepingTop(String name, NodeBasis basis, Tensor test, int[] labels) {
    int[] ks = new int[basis.directions() + 1];
    double[] all = new double[ks.length], low = new double[ks.length], high = new double[ks.length];
    for (int k = 0; k <= basis.directions(); k++) {
      Reconstruction r = keeping(basis, Ablation.top(k), test, labels);
      ks[k] = k;
      all[k] = r.all();
      low[k] = r.low();
      high[k] = r.high();
    }
    return new Curve(name, ks, all, low, high);
  }

  private Reconstruction keeping(NodeBasis basis, int[] kept, Tensor test, int[] labels) {
    try (PointerScope scope = new PointerScope()) {
      Map<Integer, UnaryOperator<Tensor>> edit = Map.of(basis.position(), Ablation.keepDirections(basis, kept));
      return Reconstruction.of(stack, edit, test, labels);
    }
  }

  private EdgeCount edgesNeeded(String basis, String name, InteractionGraph graph, int fromPosition, Reconstruction full, Tensor test,
                                int[] labels) {
    NodeBasis from = graph.atPosition(fromPosition);
    int next = graph.nodes().indexOf(from) + 1;
    NodeBasis to = graph.node(next);
    Tensor edges = graph.edgesFrom(fromPosition);
    long total = edges.numel();
    double limit = full.all() * (1 + EDGE_TOLERANCE);
    long needed = Ablation.bisect(0, total, n -> errorKeeping(edges, n, from, to, test, labels) <= limit);
    return new EdgeCount(basis, name, total, needed, errorKeeping(edges, needed, from, to, test, labels));
  }

  private double errorKeeping(Tensor edges, long n, NodeBasis from, NodeBasis to, Tensor test, int[] labels) {
    try (PointerScope scope = new PointerScope()) {
      Tensor output = Ablation.outputKeepingEdges(stack, test, from, to, Ablation.largestEdges(edges, n));
      return Reconstruction.of(output, test, labels).all();
    }
  }

  private static float[][] toMatrix(Tensor t) {
    float[] flat = TensorArrays.toFloats(t.to(ScalarType.Float).contiguous());
    int rows = (int) t.size(0), cols = (int) t.size(1);
    float[][] out = new float[rows][cols];
    for (int r = 0; r < rows; r++) System.arraycopy(flat, r * cols, out[r], 0, cols);
    return out;
  }
}
