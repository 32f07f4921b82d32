package gradroute.circuits;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The usual circuit metrics (AutoCircuit's {@code PruneMetric}s) on logits {@code [batch, pos,
 * vocab]} (or {@code [batch, vocab]}); answer metrics read the last position, as AutoCircuit's
 * {@code last_seq} slice does.
 */
public final class Metrics {
  private Metrics() {}

  /** Logits at the last position, {@code [batch, vocab]}. */
  public static Tensor lastPosition(Tensor logits) {
    return logits.dim() == 3 ? logits.select(1, logits.size(1) - 1) : logits;
  }

  /** Mean over the batch of logit[answer] − logit[wrong answer] at the last position. */
  public static Metric logitDiff(Tensor answers, Tensor wrongAnswers) {
    return out -> {
      Tensor last = lastPosition(out);
      return pick(last, answers).sub(pick(last, wrongAnswers)).mean();
    };
  }

  /** Mean over the batch of log p(answer) at the last position. */
  public static Metric answerLogProb(Tensor answers) {
    return out -> pick(lastPosition(out).log_softmax(-1), answers).mean();
  }

  /**
   * Weighted mean of log p(target) over positions: {@code targets [batch, pos]} the next tokens,
   * {@code weights [batch, pos]} (e.g. 1 where the next token is the one a capability predicts).
   */
  public static Metric tokenLogProb(Tensor targets, Tensor weights) {
    return out -> {
      Tensor lp = out.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);
      return lp.mul(weights).sum().div(weights.sum().clamp_min(new Scalar(1e-12)));
    };
  }

  /** KL(clean ‖ output) over the vocabulary, mean over the other dims; 0 on the clean output itself. */
  public static Metric klToClean(Tensor cleanLogits) {
    Tensor cleanLogProbs = cleanLogits.detach().log_softmax(-1);
    return out -> {
      Tensor lp = out.log_softmax(-1);
      Tensor kl = cleanLogProbs.exp().mul(cleanLogProbs.sub(lp)).sum(new long[] {-1}, false, new ScalarTypeOptional());
      return kl.mean();
    };
  }

  /**
   * Faithfulness in percent: how much of the way from the ablated model's metric to the clean
   * model's the circuit recovers, {@code 100·(circuit − ablated)/(clean − ablated)} (100 for the
   * full model, 0 for none of it). NaN when clean and ablated agree.
   */
  public static double faithfulness(double circuit, double clean, double ablated) {
    double span = clean - ablated;
    return span == 0 ? Double.NaN : 100.0 * (circuit - ablated) / span;
  }

  private static Tensor pick(Tensor logits, Tensor index) {
    Tensor i = index.device().equals(logits.device()) ? index : index.to(logits.device(), torch.ScalarType.Long);
    return logits.gather(-1, i.reshape(-1, 1)).squeeze(-1);
  }
}
