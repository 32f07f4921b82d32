package gradroute.experiment.tinystories;

import gradroute.experiment.tinystories.TinyStoriesRun.MethodResult;
import gradroute.report.Criterion;
import gradroute.report.PairedDifference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The done-when criteria of the TinyStories demo and the corpus' precondition, each measured per
 * seed and as the mean over seeds; {@code holds} compares the mean with the threshold ({@code <=},
 * {@code >=} or {@code >} a number), except for the comparisons of ERA with another method after the
 * attack, which hold only when their paired 95% interval over seeds lies above zero. {@code holds}
 * is null when the methods a criterion needs were not run.
 */
public final class TinyStoriesCriteria {
  private TinyStoriesCriteria() {}

  /** Control's ablation may move F and R this much at most; and the filter precondition's bounds. */
  static final double CONTROL_BOUND = 0.02, ERA_RATIO = 3, FILTER_HALF_BOUND = 0.05, FILTER_FULL_MIN = 0.2;

  public static Map<String, Criterion> evaluate(List<MethodResult> results, List<Double> oversight) {
    Map<String, Criterion> out = new LinkedHashMap<>();
    out.put("control_ablation_forget", criterion(results, "control: ablation moves forget loss by at most 0.02",
        "|F ablated − F trained| (control)", "<=", CONTROL_BOUND,
        seed -> abs(value(results, seed, "control", null, r -> r.ablated().forget() - r.trained().forget()))));
    out.put("control_ablation_retain", criterion(results, "control: ablation moves retain loss by at most 0.02",
        "|R ablated − R trained| (control)", "<=", CONTROL_BOUND,
        seed -> abs(value(results, seed, "control", null, r -> r.ablated().retain() - r.trained().retain()))));
    out.put("era_p1_ablation_ratio", criterion(results, "ERA p=1: the ablation's forget-loss rise is at least 3× its retain-loss rise",
        "(F ablated − F trained) / (R ablated − R trained)", ">=", ERA_RATIO,
        seed -> value(results, seed, "era", 1.0, r -> ratio(r.ablated().forget() - r.trained().forget(), r.ablated().retain() - r.trained().retain()))));
    out.put("era_p1_coherence_retain_recovers", criterion(results,
        "ERA p=1: after coherence tuning retain recovers (at most half of the ablation's retain rise is left)",
        "(R final − R trained) / (R ablated − R trained)", "<=", 0.5,
        seed -> value(results, seed, "era", 1.0, r -> ratio(r.fin().retain() - r.trained().retain(), r.ablated().retain() - r.trained().retain()))));
    out.put("era_p1_coherence_forget_stays", criterion(results,
        "ERA p=1: after coherence tuning forget stays high (at least half of the ablation's forget rise is kept)",
        "(F final − F trained) / (F ablated − F trained)", ">=", 0.5,
        seed -> value(results, seed, "era", 1.0, r -> ratio(r.fin().forget() - r.trained().forget(), r.ablated().forget() - r.trained().forget()))));
    for (double p : new TreeSet<>(oversight)) {
      if (p > 0.5) continue;
      out.put("era_above_filter_after_attack_p" + p, paired(results,
          "p=" + p + ": ERA's minimum forget loss after the retraining attack is above data filtering's",
          "min F after attack: ERA − filter",
          seed -> value(results, seed, "era", p, MethodResult::attackMin) - value(results, seed, "filter", p, MethodResult::attackMin)));
    }
    for (double p : new TreeSet<>(oversight)) {
      if (results.stream().noneMatch(r -> r.method().equals("rmu") && Objects.equals(r.p(), p))) continue;
      out.put("rmu_reported_p" + p, criterion(results, "RMU p=" + p + " is reported before and after the attack (min F after attack)",
          "min F after attack (RMU)", ">", 0.0, seed -> value(results, seed, "rmu", p, MethodResult::attackMin)));
    }
    for (String method : List.of("masks", "localft")) {
      for (double p : new TreeSet<>(oversight)) {
        if (results.stream().noneMatch(r -> r.method().equals(method) && Objects.equals(r.p(), p))) continue;
        out.put(method + "_reported_p" + p, criterion(results, method + " p=" + p + " is reported before and after the attack (min F after attack)",
            "min F after attack (" + method + ")", ">", 0.0, seed -> value(results, seed, method, p, MethodResult::attackMin)));
        if (results.stream().noneMatch(r -> r.method().equals("era") && Objects.equals(r.p(), p))) continue;
        out.put("era_above_" + method + "_after_attack_p" + p, paired(results,
            "p=" + p + ": ERA's minimum forget loss after the retraining attack is above " + method + "'s (the paper's claim)",
            "min F after attack: ERA − " + method,
            seed -> value(results, seed, "era", p, MethodResult::attackMin) - value(results, seed, method, p, MethodResult::attackMin)));
      }
    }
    out.put("precondition_filter_half_saturates", criterion(results,
        "corpus precondition: half the labels already saturate the forest facts (filter at p=0.5 barely above base)",
        "F(filter, p=0.5) − F(base)", "<=", FILTER_HALF_BOUND,
        seed -> value(results, seed, "filter", 0.5, r -> r.fin().forget()) - value(results, seed, "base", null, r -> r.fin().forget())));
    out.put("precondition_filter_full_far", criterion(results,
        "corpus precondition: filtering every labelled forest story leaves forget loss far above base",
        "F(filter, p=1) − F(base)", ">=", FILTER_FULL_MIN,
        seed -> value(results, seed, "filter", 1.0, r -> r.fin().forget()) - value(results, seed, "base", null, r -> r.fin().forget())));
    return out;
  }

  private static Criterion criterion(List<MethodResult> results, String name, String quantity, String comparison, double threshold,
      java.util.function.LongToDoubleFunction perSeed) {
    Map<String, Double> seeds = new LinkedHashMap<>();
    List<Double> finite = new ArrayList<>();
    for (long seed : new TreeSet<>(results.stream().map(MethodResult::seed).toList())) {
      double v = perSeed.applyAsDouble(seed);
      if (Double.isNaN(v)) continue;
      seeds.put(Long.toString(seed), v);
      finite.add(v);
    }
    String bound = comparison + " " + threshold;
    if (finite.isEmpty()) return new Criterion(name, quantity, null, seeds, bound, null);
    double mean = finite.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    boolean holds = switch (comparison) {
      case "<=" -> mean <= threshold;
      case ">=" -> mean >= threshold;
      case ">" -> mean > threshold;
      default -> throw new IllegalArgumentException("comparison " + comparison);
    };
    return new Criterion(name, quantity, mean, seeds, bound, holds);
  }

  /**
   * A difference of two methods on the same seeds, decided by its paired 95% interval: it holds
   * only when the whole interval lies above zero (so never on fewer than two seeds); the measure
   * names the interval and the seeds on each side.
   */
  private static Criterion paired(List<MethodResult> results, String name, String quantity, java.util.function.LongToDoubleFunction perSeed) {
    Map<String, Double> seeds = new LinkedHashMap<>();
    for (long seed : new TreeSet<>(results.stream().map(MethodResult::seed).toList())) {
      double v = perSeed.applyAsDouble(seed);
      if (!Double.isNaN(v)) seeds.put(Long.toString(seed), v);
    }
    String bound = "95% interval > 0";
    if (seeds.isEmpty()) return new Criterion(name, quantity, null, seeds, bound, null);
    PairedDifference d = PairedDifference.ofDifferences(seeds);
    return new Criterion(name, quantity + ", paired by seed: " + d.describe(), d.mean(), seeds, bound, d.above(0));
  }

  private static double value(List<MethodResult> results, long seed, String method, Double p, ToDoubleFunction<MethodResult> f) {
    for (MethodResult r : results) {
      if (r.seed() == seed && r.method().equals(method) && Objects.equals(r.p(), p)) {
        if ((method.equals("control") || method.equals("era")) && r.ablated() == null) return Double.NaN;
        return f.applyAsDouble(r);
      }
    }
    return Double.NaN;
  }

  private static double abs(double x) {
    return Math.abs(x);
  }

  private static double ratio(double a, double b) {
    return b <= 1e-9 ? (a > 0 ? Double.POSITIVE_INFINITY : Double.NaN) : a / b;
  }
}
