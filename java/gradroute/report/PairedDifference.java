package gradroute.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The difference of two methods measured on the same seeds, A − B paired by seed, with a 95%
 * confidence interval for its mean from Student's t distribution. A small effect is decided by
 * whether the interval excludes zero, not by the sign of a few seeds' mean.
 *
 * @param perSeed A − B for each seed both methods ran
 * @param mean the mean difference
 * @param low lower end of the 95% interval (NaN with fewer than two seeds)
 * @param high upper end of the 95% interval (NaN with fewer than two seeds)
 * @param above seeds where {@code A > B}
 * @param below seeds where {@code A < B}
 */
public record PairedDifference(Map<String, Double> perSeed, double mean, double low, double high, int above, int below) {
  /** Two-sided 95%. */
  private static final double LEVEL = 0.95;

  public PairedDifference {
    perSeed = new LinkedHashMap<>(perSeed);
  }

  /**
   * A − B on the seeds both hold, in A's order.
   *
   * @throws IllegalArgumentException when no seed is shared, or a value is not finite
   */
  public static PairedDifference of(Map<String, Double> a, Map<String, Double> b) {
    Map<String, Double> d = new LinkedHashMap<>();
    a.forEach((seed, x) -> {
      Double y = b.get(seed);
      if (y == null) return;
      if (!Double.isFinite(x) || !Double.isFinite(y)) {
        throw new IllegalArgumentException("seed " + seed + ": paired values must be finite, got " + x + " and " + y);
      }
      d.put(seed, x - y);
    });
    if (d.isEmpty()) throw new IllegalArgumentException("no seed in common between " + a.keySet() + " and " + b.keySet());
    return ofDifferences(d);
  }

  /**
   * The interval of per-seed differences already taken (A − B for each seed).
   *
   * @throws IllegalArgumentException when there is none, or one is not finite
   */
  public static PairedDifference ofDifferences(Map<String, Double> d) {
    if (d.isEmpty()) throw new IllegalArgumentException("no per-seed differences");
    d.forEach((seed, v) -> {
      if (!Double.isFinite(v)) throw new IllegalArgumentException("seed " + seed + ": the difference must be finite, got " + v);
    });
    int n = d.size(), above = 0, below = 0;
    double sum = 0;
    for (double v : d.values()) {
      sum += v;
      if (v > 0) above++;
      if (v < 0) below++;
    }
    double mean = sum / n;
    if (n < 2) return new PairedDifference(d, mean, Double.NaN, Double.NaN, above, below);
    double ss = 0;
    for (double v : d.values()) ss += (v - mean) * (v - mean);
    double half = studentQuantile(1 - (1 - LEVEL) / 2, n - 1) * Math.sqrt(ss / (n - 1) / n);
    return new PairedDifference(d, mean, mean - half, mean + half, above, below);
  }

  /** Seeds paired. */
  public int seeds() {
    return perSeed.size();
  }

  /** True when the whole interval lies above {@code threshold} (false without an interval). */
  public boolean above(double threshold) {
    return low > threshold;
  }

  /** True when the whole interval lies below {@code threshold} (false without an interval). */
  public boolean below(double threshold) {
    return high < threshold;
  }

  /** "+0.0040 [−0.0010, +0.0090], 5 of 8 seeds above": the mean, the interval and the seeds on each side. */
  public String describe() {
    return String.format(java.util.Locale.ROOT, "%+.4f [%+.4f, %+.4f], %d above / %d below of %d seeds", mean, low, high, above, below, seeds());
  }

  /** The p-quantile of Student's t with {@code df} degrees of freedom, by bisection on its CDF. */
  static double studentQuantile(double p, int df) {
    if (!(p > 0 && p < 1) || df < 1) throw new IllegalArgumentException("quantile " + p + " with " + df + " degrees of freedom");
    if (p < 0.5) return -studentQuantile(1 - p, df);
    double lo = 0, hi = 1;
    while (studentCdf(hi, df) < p) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
      double mid = (lo + hi) / 2;
      if (studentCdf(mid, df) < p) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }

  /** P(T ≤ t) for Student's t: 1 − I_x(df/2, 1/2)/2 with x = df/(df + t²), for t ≥ 0. */
  static double studentCdf(double t, int df) {
    double tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2.0, 0.5);
    return t >= 0 ? 1 - tail : tail;
  }

  /** The regularised incomplete beta function I_x(a, b), by its continued fraction (Lentz's method). */
  static double regularizedBeta(double x, double a, double b) {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
    double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x)) / a;
    double tiny = 1e-300, c = 1, d = 1 - (a + b) * x / (a + 1);
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    double f = d;
    for (int m = 1; m <= 500; m++) {
      for (int half = 0; half < 2; half++) {
        double num = half == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
        d = 1 + num * d;
        d = 1 / (Math.abs(d) < tiny ? tiny : d);
        c = 1 + num / c;
        if (Math.abs(c) < tiny) c = tiny;
        f *= c * d;
      }
      if (Math.abs(c * d - 1) < 1e-15) break;
    }
    return front * f;
  }

  /** ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms). */
  static double logGamma(double x) {
    double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    x -= 1;
    double s = g[0];
    for (int i = 1; i < 9; i++) s += g[i] / (x + i);
    double t = x + 7.5;
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
  }
}
