package gradroute.experiment.circuits;

import gradroute.circuits.Ablation;
import gradroute.circuits.Circuits;
import gradroute.circuits.Edge;
import gradroute.circuits.EdgeScorer;
import gradroute.circuits.EdgeScores;
import gradroute.circuits.GptGraphs;
import gradroute.circuits.Metric;
import gradroute.circuits.Metrics;
import gradroute.circuits.NeuronAttribution;
import gradroute.circuits.PatchType;
import gradroute.circuits.PatchableModel;
import gradroute.circuits.Roc;
import gradroute.circuits.Scorers;
import gradroute.circuits.ScoringTask;
import gradroute.hooks.ActivationCache;
import gradroute.model.Gpt;
import gradroute.model.GptHooks;
import gradroute.runtime.TensorArrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Scores one trained model of a nanoGPT unlearn run with every circuit-discovery method and
 * measures each against the region routing put the forget capability in: the routed MLP neurons
 * ({@code 0..k−1} of blocks {@code 0..L/2−1}). Edges touching a routed block's MLP are the
 * edge-level positives; the routed neurons among the routed blocks' neurons the neuron-level ones.
 */
final class CircuitBenchmark {
  /** Prompts of one side: the clean windows, a corrupt batch for resample ablation, and the metric. */
  record Side(String name, Tensor clean, Tensor corrupt, Metric metric) {}

  /** One method's result on one model and side. */
  record MethodResult(String model, long seed, String side, String method, double edgeAuc, double edgeShare, double nodeAuc,
      double neuronAuc, double neuronShare, double[][] edgeRoc, double[][] neuronRoc, List<Circuits.CurvePoint> tree,
      List<Circuits.CurvePoint> edge, double[] neuronScores, boolean[] neuronRouted, int[] mlpWidths) {}

  private final int[] routedLayers;
  private final int routedNeurons;
  private final int igSteps;
  private final int curvePoints;

  CircuitBenchmark(int[] routedLayers, int routedNeurons, int igSteps, int curvePoints) {
    this.routedLayers = routedLayers.clone();
    this.routedNeurons = routedNeurons;
    this.igSteps = igSteps;
    this.curvePoints = curvePoints;
  }

  /** Token windows {@code [n, len+1]} as inputs (first len) and next-token targets, with the routed-target weights. */
  static Side side(String name, List<long[]> windows, List<long[]> corruptWindows, boolean[] routed, boolean routedTargetsOnly, Device device) {
    Tensor all = stack(windows, device), corruptAll = stack(corruptWindows, device);
    long len = all.size(1) - 1;
    Tensor clean = all.narrow(1, 0, len), targets = all.narrow(1, 1, len), corrupt = corruptAll.narrow(1, 0, len);
    Tensor weights;
    if (routedTargetsOnly) {
      long[] t = TensorArrays.toLongs(targets);
      float[] w = new float[t.length];
      int hits = 0;
      for (int i = 0; i < t.length; i++) if (routed[(int) t[i]]) {
        w[i] = 1;
        hits++;
      }
      if (hits == 0) throw new IllegalArgumentException(name + " prompts hold no routed target token; take more windows (--windows)");
      weights = Tensor.create(w, targets.size(0), targets.size(1));
      if (!device.is_cpu()) weights = weights.to(device, torch.ScalarType.Float);
    } else {
      weights = torch.ones_like(targets).to(torch.ScalarType.Float);
    }
    return new Side(name, clean.retainReference(), corrupt.retainReference(), Metrics.tokenLogProb(targets.retainReference(), weights.retainReference()));
  }

  private static Tensor stack(List<long[]> windows, Device device) {
    int len = windows.get(0).length;
    long[] flat = new long[windows.size() * len];
    for (int i = 0; i < windows.size(); i++) System.arraycopy(windows.get(i), 0, flat, i * len, len);
    Tensor t = Tensor.create(flat, windows.size(), len);
    return device.is_cpu() ? t : t.to(device, torch.ScalarType.Long);
  }

  /** Every method on one model and side. */
  List<MethodResult> run(Gpt gpt, String model, long seed, Side side, List<EdgeScorer> scorers) {
    PatchableModel pm = GptGraphs.patchable(gpt);
    List<Edge> edges = pm.graph().edges();
    boolean[] edgePositive = new boolean[edges.size()];
    for (Edge e : edges) edgePositive[e.index()] = touchesRoutedMlp(e);
    List<String> components = pm.graph().components();
    boolean[] nodePositive = new boolean[components.size()];
    for (int i = 0; i < nodePositive.length; i++) nodePositive[i] = isRoutedMlp(components.get(i));
    ScoringTask task = new ScoringTask(side.clean(), side.corrupt(), Ablation.RESAMPLE, side.metric());
    int[] counts = Circuits.edgeCountSchedule(edges.size(), curvePoints);
    double[][] neuronScores = neuronScores(gpt, task, scorers, seed);
    List<MethodResult> out = new ArrayList<>();
    for (int m = 0; m < scorers.size(); m++) {
      EdgeScorer scorer = scorers.get(m);
      try (PointerScope scope = new PointerScope()) {
        EdgeScores scores = scorer.score(pm, task);
        double[] abs = absolute(scores.values());
        Map<String, Double> byNode = scores.byComponent();
        double[] nodeAbs = new double[components.size()];
        for (int i = 0; i < nodeAbs.length; i++) nodeAbs[i] = byNode.get(components.get(i));
        double[] neurons = neuronScores[m];
        boolean[] neuronPositive = neuronLabels(gpt);
        List<Circuits.CurvePoint> tree = Circuits.faithfulnessCurve(pm, side.clean(), side.corrupt(), counts, scores, PatchType.TREE_PATCH,
            Ablation.RESAMPLE, side.metric());
        List<Circuits.CurvePoint> edgePatch = Circuits.faithfulnessCurve(pm, side.clean(), side.corrupt(), counts, scores, PatchType.EDGE_PATCH,
            Ablation.RESAMPLE, side.metric());
        out.add(new MethodResult(model, seed, side.name(), scorer.name(), Roc.auc(abs, edgePositive), share(abs, edgePositive),
            Roc.auc(nodeAbs, nodePositive), neurons == null ? Double.NaN : Roc.auc(routedLayerPart(gpt, neurons), routedLayerPart(gpt, neuronPositive)),
            neurons == null ? Double.NaN : share(neurons, neuronPositive), Roc.curve(abs, edgePositive),
            neurons == null ? null : Roc.curve(routedLayerPart(gpt, neurons), routedLayerPart(gpt, neuronPositive)), tree, edgePatch, neurons,
            neuronPositive, gpt.config().dMlp()));
      }
    }
    return out;
  }

  /**
   * |score| of every MLP neuron (all layers, flattened) for each scorer that has a neuron-level
   * form: attribution patching for EAP, attribution with integrated gradients is not defined per
   * neuron here (null), mean |activation| for activation magnitude, uniform noise for random.
   */
  private double[][] neuronScores(Gpt gpt, ScoringTask task, List<EdgeScorer> scorers, long seed) {
    double[][] out = new double[scorers.size()][];
    for (int m = 0; m < scorers.size(); m++) {
      String name = scorers.get(m).name();
      try (PointerScope scope = new PointerScope()) {
        out[m] = switch (name) {
          case "eap" -> absolute(flatten(NeuronAttribution.scores(gpt, task)));
          case "act_mag" -> activationMagnitude(gpt, task.clean());
          case "random" -> {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            double[] v = new double[totalNeurons(gpt)];
            for (int i = 0; i < v.length; i++) v[i] = r.nextDouble();
            yield v;
          }
          default -> null;
        };
      }
    }
    return out;
  }

  private static double[] activationMagnitude(Gpt gpt, Tensor clean) {
    List<String> points = new ArrayList<>();
    for (int l = 0; l < gpt.config().nLayers(); l++) points.add(GptHooks.mlpPost(l));
    List<double[]> perLayer = new ArrayList<>();
    try (NoGradGuard g = new NoGradGuard(); ActivationCache cache = ActivationCache.record(gpt, points)) {
      gpt.forward(clean);
      for (String p : points) {
        Tensor a = cache.get(p);
        perLayer.add(TensorArrays.toDoubles(a.abs().reshape(-1, a.size(-1)).mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional())));
      }
    }
    return flatten(perLayer.toArray(new double[0][]));
  }

  private boolean touchesRoutedMlp(Edge e) {
    return isRoutedMlp(e.src().component()) || isRoutedMlp(e.dest().component());
  }

  private boolean isRoutedMlp(String component) {
    for (int l : routedLayers) if (component.equals(GptGraphs.mlp(l))) return true;
    return false;
  }

  /** Per neuron of all layers (flattened): routed or not. */
  private boolean[] neuronLabels(Gpt gpt) {
    boolean[] out = new boolean[totalNeurons(gpt)];
    for (int l : routedLayers) {
      int offset = offset(gpt, l);
      for (int i = 0; i < routedNeurons; i++) out[offset + i] = true;
    }
    return out;
  }

  /** The neurons of the routed layers only (where the routed ones are to be found). */
  private double[] routedLayerPart(Gpt gpt, double[] all) {
    List<Double> v = new ArrayList<>();
    for (int l : routedLayers) for (int i = 0; i < gpt.config().dMlp(l); i++) v.add(all[offset(gpt, l) + i]);
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private boolean[] routedLayerPart(Gpt gpt, boolean[] all) {
    int n = 0;
    for (int l : routedLayers) n += gpt.config().dMlp(l);
    boolean[] out = new boolean[n];
    int k = 0;
    for (int l : routedLayers) for (int i = 0; i < gpt.config().dMlp(l); i++) out[k++] = all[offset(gpt, l) + i];
    return out;
  }

  private static int offset(Gpt gpt, int layer) {
    int o = 0;
    for (int l = 0; l < layer; l++) o += gpt.config().dMlp(l);
    return o;
  }

  private static int totalNeurons(Gpt gpt) {
    return offset(gpt, gpt.config().nLayers());
  }

  private static double[] flatten(double[][] perLayer) {
    int n = 0;
    for (double[] a : perLayer) n += a.length;
    double[] out = new double[n];
    int k = 0;
    for (double[] a : perLayer) for (double v : a) out[k++] = v;
    return out;
  }

  private static double[] absolute(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) out[i] = Math.abs(v[i]);
    return out;
  }

  /** The share of routed neurons among the k neurons of largest score, k the number of routed neurons (all layers). */
  static double topKPrecision(double[] abs, boolean[] positive) {
    int k = 0;
    for (boolean p : positive) if (p) k++;
    Integer[] order = new Integer[abs.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    java.util.Arrays.sort(order, (a, b) -> Double.compare(abs[b], abs[a]));
    int hits = 0;
    for (int i = 0; i < k; i++) if (positive[order[i]]) hits++;
    return k == 0 ? Double.NaN : (double) hits / k;
  }

  /** The positives' share of the total. */
  static double share(double[] abs, boolean[] positive) {
    double pos = 0, all = 0;
    for (int i = 0; i < abs.length; i++) {
      all += abs[i];
      if (positive[i]) pos += abs[i];
    }
    return all == 0 ? Double.NaN : pos / all;
  }

  /** The default methods: EAP, EAP with integrated gradients, activation magnitude, random. */
  List<EdgeScorer> scorers(long seed) {
    return List.of(Scorers.eap(), Scorers.eapIntegratedGradients(igSteps), Scorers.activationMagnitude(), Scorers.random(seed));
  }

  static Map<String, Object> asRow(MethodResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", r.model());
    m.put("seed", r.seed());
    m.put("side", r.side());
    m.put("method", r.method());
    m.put("edge_auc", r.edgeAuc());
    m.put("edge_share", r.edgeShare());
    m.put("node_auc", r.nodeAuc());
    m.put("neuron_auc", r.neuronAuc());
    m.put("neuron_share", r.neuronShare());
    m.put("neuron_top_k", r.neuronScores() == null ? Double.NaN : topKPrecision(r.neuronScores(), r.neuronRouted()));
    return m;
  }
}
