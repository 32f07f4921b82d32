package gradroute.circuits;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The ROC curve and its area for scores against a known positive set (e.g. "this edge touches the
 * routed region"): the probability that a random positive outscores a random negative, ties
 * counting half.
 */
public final class Roc {
  private Roc() {}

  /** Rank-based AUC; NaN when there is no positive or no negative. */
  public static double auc(double[] scores, boolean[] positive) {
    Integer[] order = sorted(scores, positive);
    double rankSumPos = 0;
    long pos = 0, neg = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j < order.length && scores[order[j]] == scores[order[i]]) j++;
      double midRank = (i + 1 + j) / 2.0;
      for (int k = i; k < j; k++) {
        if (positive[order[k]]) {
          rankSumPos += midRank;
          pos++;
        } else {
          neg++;
        }
      }
      i = j;
    }
    if (pos == 0 || neg == 0) return Double.NaN;
    return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** The ROC curve {false-positive rates, true-positive rates}, from (0,0) to (1,1), one point per distinct score. */
  public static double[][] curve(double[] scores, boolean[] positive) {
    Integer[] order = sorted(scores, positive);
    long pos = 0, neg = 0;
    for (boolean p : positive) if (p) pos++; else neg++;
    double[] fpr = new double[order.length + 1], tpr = new double[order.length + 1];
    int n = 1;
    long tp = 0, fp = 0;
    for (int i = order.length - 1; i >= 0; i--) {
      if (positive[order[i]]) tp++; else fp++;
      if (i > 0 && scores[order[i - 1]] == scores[order[i]]) continue;
      fpr[n] = neg == 0 ? 0 : (double) fp / neg;
      tpr[n] = pos == 0 ? 0 : (double) tp / pos;
      n++;
    }
    return new double[][] {Arrays.copyOf(fpr, n), Arrays.copyOf(tpr, n)};
  }

  private static Integer[] sorted(double[] scores, boolean[] positive) {
    if (scores.length != positive.length) throw new IllegalArgumentException(scores.length + " scores for " + positive.length + " labels");
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      if (Double.isNaN(scores[i])) throw new IllegalArgumentException("score " + i + " is NaN");
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    return order;
  }
}
