package gradroute.rl.reinforce;

import java.util.Map;

/**
 * How the gate of a routed network treats one update's rows: the mean σ(gate) (1 = diamond expert)
 * on the labelled rows (overseen episodes, split by the terminal reached), on the unlabelled rows
 * split by the outcome nobody saw (diamond, ghost, nothing), and its mean commitment
 * {@code |2σ − 1|} on unlabelled rows. A gate that follows its labels has a high {@code
 * gate_labelled_diamond}, a low {@code gate_labelled_ghost}, and carries that split to the unseen
 * outcomes ({@code gate_unseen_diamond} above {@code gate_unseen_ghost}).
 */
final class GateStatistics {
  private GateStatistics() {}

  /** Puts the statistics into {@code metrics} (NaN where a kind of row is absent). */
  static void put(float[] gateLogit, int[] outcomes, Map<String, Double> metrics) {
    double[] sum = new double[5];
    int[] count = new int[5];
    double commit = 0;
    int unlabelled = 0;
    for (int i = 0; i < outcomes.length; i++) {
      double sigma = 1 / (1 + Math.exp(-gateLogit[i]));
      int o = outcomes[i];
      sum[o] += sigma;
      count[o]++;
      if (o != RolloutBuffer.OVERSEEN_DIAMOND && o != RolloutBuffer.OVERSEEN_GHOST) {
        commit += Math.abs(2 * sigma - 1);
        unlabelled++;
      }
    }
    metrics.put("gate_labelled_diamond", mean(sum, count, RolloutBuffer.OVERSEEN_DIAMOND));
    metrics.put("gate_labelled_ghost", mean(sum, count, RolloutBuffer.OVERSEEN_GHOST));
    metrics.put("gate_unseen_diamond", mean(sum, count, RolloutBuffer.UNSEEN_DIAMOND));
    metrics.put("gate_unseen_ghost", mean(sum, count, RolloutBuffer.UNSEEN_GHOST));
    metrics.put("gate_nothing", mean(sum, count, RolloutBuffer.NOTHING));
    metrics.put("gate_unlabelled",
        unlabelled == 0 ? Double.NaN
            : (sum[RolloutBuffer.UNSEEN_DIAMOND] + sum[RolloutBuffer.UNSEEN_GHOST] + sum[RolloutBuffer.NOTHING]) / unlabelled);
    metrics.put("gate_commitment_unlabelled", unlabelled == 0 ? Double.NaN : commit / unlabelled);
    double onDiamond = sum[RolloutBuffer.OVERSEEN_DIAMOND] + sum[RolloutBuffer.UNSEEN_DIAMOND];
    double onGhost = sum[RolloutBuffer.OVERSEEN_GHOST] + sum[RolloutBuffer.UNSEEN_GHOST];
    int nDiamond = count[RolloutBuffer.OVERSEEN_DIAMOND] + count[RolloutBuffer.UNSEEN_DIAMOND];
    int nGhost = count[RolloutBuffer.OVERSEEN_GHOST] + count[RolloutBuffer.UNSEEN_GHOST];
    metrics.put("gate_separation", nDiamond == 0 || nGhost == 0 ? Double.NaN : onDiamond / nDiamond - onGhost / nGhost);
  }

  private static double mean(double[] sum, int[] count, int outcome) {
    return count[outcome] == 0 ? Double.NaN : sum[outcome] / count[outcome];
  }
}
