package gradroute.experiment.nanogpt;

import gradroute.hooks.ActivationCache;
import gradroute.hooks.GradientCache;
import gradroute.hooks.HookHandle;
import gradroute.hooks.HookScope;
import gradroute.model.Generation;
import gradroute.model.Gpt;
import gradroute.model.GptHooks;
import gradroute.model.LmLoss;
import gradroute.model.TokenBatch;
import gradroute.runtime.TensorArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The steering-scalar evaluation of one trained model: the readout, AUROC, P(target) under steering and samples. */
final class SteeringEvaluation {
  /** Cosine of every unembedding row with e_0, and the routed token's place by |cos|. */
  record Readout(double[] cos, int targetRank, int sign, int[] byAbs) {}

  /**
   * @param relatedInTop10 related tokens among the 10 others most aligned with the target's side,
   *     cos(u_v, sign·e_0) (the readout the bar chart shows)
   * @param relatedInTop10ByAbs the same among the 10 others by |cos(u_v, e_0)|, either side
   */
  record Result(String model, long seed, double valLoss, int targetRank, double targetRankFraction, int relatedInTop10,
      int relatedInTop10ByAbs, double targetCos, int sign, double auroc, double[] pTarget, double pRatio, List<String> topPositive,
      List<String> topNegative, double[] topCos, List<String> topTokens, GradientShare gradientShare) {}

  /**
   * Where the gradient on dim 0 of the routed blocks' outputs comes from, measured on validation
   * windows with the model as trained and no routing: the routed token's positions' share of
   * Σ g_0² ({@code dim0}), of Σ g² over the other dims ({@code otherDims}), and of all positions
   * ({@code positions}). With the paper's routing, every position's dim-0 gradient reaches the
   * routed blocks in training, so {@code dim0} is the routed token's share of dim 0's signal.
   */
  record GradientShare(double dim0, double otherDims, double positions) {}

  private SteeringEvaluation() {}

  static Readout readout(Gpt model, int target) {
    double[] cos;
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor wu = model.unembedding(); // [d, V]
      Tensor norms = wu.mul(wu).sum(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).sqrt();
      cos = TensorArrays.toDoubles(wu.select(0, 0).div(norms.clamp_min(new Scalar(1e-12))));
    }
    Integer[] order = new Integer[cos.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    final double[] c = cos;
    Arrays.sort(order, (a, b) -> Double.compare(Math.abs(c[b]), Math.abs(c[a])));
    int rank = 0;
    int[] byAbs = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      byAbs[i] = order[i];
      if (order[i] == target) rank = i + 1;
    }
    return new Readout(cos, rank, cos[target] >= 0 ? 1 : -1, byAbs);
  }

  static GradientShare gradientShare(Gpt model, List<long[]> windows, int batch, List<String> points, int target) {
    double dim0Target = 0, dim0All = 0, restTarget = 0, restAll = 0;
    long positions = 0, targets = 0;
    for (int i = 0; i < windows.size(); i += batch) {
      try (PointerScope scope = new PointerScope(); GradientCache grads = GradientCache.record(model, points)) {
        TokenBatch b = new TokenBatch(windows.subList(i, Math.min(windows.size(), i + batch)), Integer.MAX_VALUE, 0);
        Tensor isTarget = b.targets(model.device()).eq(new Scalar(target)).to(torch.ScalarType.Float);
        LmLoss.mean(model, b).backward();
        for (String p : points) {
          Tensor g2 = grads.grad(p).pow(new Scalar(2)); // [batch, positions, d]
          Tensor g0 = g2.select(2, 0);
          Tensor rest = g2.sum(new long[] {2}, false, new ScalarTypeOptional()).sub(g0);
          dim0Target += g0.mul(isTarget).sum().item_double();
          dim0All += g0.sum().item_double();
          restTarget += rest.mul(isTarget).sum().item_double();
          restAll += rest.sum().item_double();
        }
        positions += isTarget.numel();
        targets += Math.round(isTarget.sum().item_double());
        model.zeroGrad();
      }
    }
    return new GradientShare(dim0Target / dim0All, restTarget / restAll, (double) targets / positions);
  }

  /** Tokens ordered by {@code sign * cos}, highest first. */
  static int[] topBySign(double[] cos, int sign, int k) {
    Integer[] order = new Integer[cos.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(sign * cos[b], sign * cos[a]));
    int[] out = new int[Math.min(k, order.length)];
    for (int i = 0; i < out.length; i++) out[i] = order[i];
    return out;
  }

  /** Mean validation cross-entropy over the windows. */
  static double valLoss(Gpt model, List<long[]> windows, int batch) {
    double sum = 0;
    long n = 0;
    for (int i = 0; i < windows.size(); i += batch) {
      try (PointerScope scope = new PointerScope()) {
        TokenBatch b = new TokenBatch(windows.subList(i, Math.min(windows.size(), i + batch)), Integer.MAX_VALUE, 0);
        sum += LmLoss.evaluate(model, b) * b.targetCount();
        n += b.targetCount();
      }
    }
    return sum / n;
  }

  /**
   * AUROC of {@code sign * x_0} at the steering block's output for "the next token is the target",
   * over every validation position.
   */
  static double auroc(Gpt model, List<long[]> windows, int batch, int block, int sign, int target) {
    List<double[]> scored = new ArrayList<>();
    String point = GptHooks.residPost(block);
    for (int i = 0; i < windows.size(); i += batch) {
      try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard();
           ActivationCache cache = ActivationCache.record(model, List.of(point))) {
        TokenBatch b = new TokenBatch(windows.subList(i, Math.min(windows.size(), i + batch)), Integer.MAX_VALUE, 0);
        model.residualBefore(b.inputs(model.device()), block + 1);
        float[] x0 = TensorArrays.toFloats(cache.get(point).select(2, 0).contiguous());
        long[][] seqs = b.sequences();
        int p = b.positions();
        for (int s = 0; s < seqs.length; s++) {
          for (int t = 0; t < p; t++) scored.add(new double[] {sign * x0[s * p + t], seqs[s][t + 1] == target ? 1 : 0});
        }
      }
    }
    return aurocOf(scored);
  }

  /** Rank-based AUROC (ties count half) of {score, label} pairs. */
  static double aurocOf(List<double[]> scored) {
    double[] scores = new double[scored.size()];
    boolean[] positive = new boolean[scored.size()];
    for (int k = 0; k < scores.length; k++) {
      scores[k] = scored.get(k)[0];
      positive[k] = scored.get(k)[1] > 0;
    }
    return gradroute.circuits.Roc.auc(scores, positive);
  }

  /** Prompts: validation windows that hold neither the target nor a related token. */
  static List<long[]> prompts(List<long[]> valWindows, int count, int length, int target, List<Integer> related) {
    Set<Long> avoid = new HashSet<>();
    avoid.add((long) target);
    for (int r : related) avoid.add((long) r);
    List<long[]> out = new ArrayList<>();
    for (long[] w : valWindows) {
      if (out.size() == count) break;
      long[] prompt = Arrays.copyOf(w, Math.min(length, w.length));
      boolean clean = true;
      for (long t : prompt) clean &= !avoid.contains(t);
      if (clean) out.add(prompt);
    }
    return out;
  }

  /**
   * Adds {@code alpha * sign * RMS(x) * e_0} at every position of block {@code block}'s output while installed. The
   * added vector scales with each position's own RMS, so this is not {@link gradroute.hooks.Edits#steer}'s fixed direction.
   */
  static HookHandle steer(Gpt model, int block, double alpha, int sign) {
    return model.hooks().add(GptHooks.residPost(block), x -> {
      Tensor rms = x.mul(x).mean(new long[] {-1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).sqrt();
      Tensor out = x.clone();
      out.select(2, 0).add_(rms.mul(new Scalar(alpha * sign)));
      return out;
    });
  }

  /** Mean P(target) at the last position of each prompt, for each alpha. */
  static double[] pTarget(Gpt model, List<long[]> prompts, int block, int sign, int target, List<Double> alphas) {
    double[] out = new double[alphas.size()];
    for (int a = 0; a < alphas.size(); a++) {
      double alpha = alphas.get(a);
      try (HookScope hooks = model.hooks().scope(); PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
        if (alpha != 0) hooks.adopt(steer(model, block, alpha, sign));
        int len = prompts.get(0).length;
        long[] flat = new long[prompts.size() * len];
        for (int i = 0; i < prompts.size(); i++) System.arraycopy(prompts.get(i), 0, flat, i * len, len);
        Tensor logits = model.forward(Tensor.create(flat, prompts.size(), len));
        Tensor p = logits.select(1, len - 1).softmax(-1).select(1, target);
        out[a] = p.mean().item_double();
      }
    }
    return out;
  }

  /** Unsteered and steered samples from the same prompts and seeds. */
  static String samples(Gpt model, gradroute.text.BpeTokenizer tok, List<long[]> prompts, int count, int tokens, int block,
      double alpha, int sign, long seed) {
    StringBuilder sb = new StringBuilder();
    Generation.Sampling sampling = Generation.Sampling.of(1.0, 50);
    for (int i = 0; i < Math.min(count, prompts.size()); i++) {
      long[] prompt = Arrays.copyOf(prompts.get(i), Math.min(16, prompts.get(i).length));
      String p = decode(tok, prompt);
      String plain = decode(tok, Generation.generate(model, prompt, tokens, sampling, seed + i, -1));
      String steered;
      try (HookScope hooks = model.hooks().scope()) {
        hooks.adopt(steer(model, block, alpha, sign));
        steered = decode(tok, Generation.generate(model, prompt, tokens, sampling, seed + i, -1));
      }
      sb.append("### prompt ").append(i + 1).append(": ").append(p.strip()).append('\n');
      sb.append("unsteered: ").append(plain.replace('\n', ' ')).append('\n');
      sb.append("steered (alpha ").append(alpha).append("): ").append(steered.replace('\n', ' ')).append("\n\n");
    }
    return sb.toString();
  }

  static String decode(gradroute.text.BpeTokenizer tok, long[] ids) {
    int[] i = new int[ids.length];
    for (int k = 0; k < ids.length; k++) i[k] = (int) ids[k];
    return tok.decode(i);
  }
}
