package gradroute.interactionbasis;

import java.util.Arrays;

/**
 * A quadrature rule over α ∈ [0, 1] for integrated gradients: the points α and their weights
 * (summing to 1).
 */
public record Integration(double[] alphas, double[] weights) {
  public Integration {
    if (alphas.length == 0 || alphas.length != weights.length) {
      throw new IllegalArgumentException("an integration rule needs as many weights as points, at least one");
    }
    alphas = alphas.clone();
    weights = weights.clone();
  }

  /** The gradient at α = 1 alone. */
  public static Integration singlePoint() {
    return new Integration(new double[] {1.0}, new double[] {1.0});
  }

  /** Gauss–Legendre with {@code n} points, mapped from [−1, 1] to [0, 1]; exact for polynomials of degree 2n − 1. */
  public static Integration gaussLegendre(int n) {
    if (n < 1 || n > 1000) throw new IllegalArgumentException("Gauss-Legendre needs 1..1000 points, got " + n);
    double[] a = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      // Newton's method on P_n from the Chebyshev-like first guess of the i-th root
      double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
      double derivative = 0;
      for (int iter = 0; iter < 100; iter++) {
        double p0 = 1, p1 = x;
        for (int k = 2; k <= n; k++) {
          double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
          p0 = p1;
          p1 = p2;
        }
        double pn = n == 1 ? x : p1;
        double pPrev = n == 1 ? 1 : p0;
        derivative = n * (x * pn - pPrev) / (x * x - 1);
        double step = pn / derivative;
        x -= step;
        if (Math.abs(step) < 1e-16) break;
      }
      a[n - 1 - i] = (x + 1) / 2;
      w[n - 1 - i] = 1.0 / ((1 - x * x) * derivative * derivative); // 2/((1-x²)P'²), halved for [0, 1]
    }
    return new Integration(a, w);
  }

  public int points() {
    return alphas.length;
  }

  @Override
  public String toString() {
    return alphas.length == 1 && alphas[0] == 1.0 ? "single point α=1" : "Gauss-Legendre, " + alphas.length + " points " + Arrays.toString(alphas);
  }
}
