package gradroute.model.unlearn;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.LmLoss;
import gradroute.model.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Tensor;

/**
 * The retraining attack (spec §5): fine-tune a copy of an unlearned model on a few forget stories
 * as one full batch, and follow the forget loss on held-out forget stories. The unlearned model is
 * not changed.
 */
public final class RetrainingAttack {
  /** Forget loss after {@code steps[i]} attack steps (step 0 = before the attack). */
  public record Curve(int[] steps, double[] forgetLoss) {
    public double min() {
      double m = Double.POSITIVE_INFINITY;
      for (double v : forgetLoss) m = Math.min(m, v);
      return m;
    }
  }

  /**
   * @param steps attack steps to run
   * @param evalEvery evaluate after every this many steps (and always after the last)
   * @param stopAfterIncreases stop after this many consecutive increases of the forget loss (0: never)
   */
  public record Spec(int steps, int evalEvery, AdamWConfig optimizer, int stopAfterIncreases) {
    public Spec {
      if (steps < 0 || evalEvery < 1) throw new IllegalArgumentException("steps must be >= 0 and evalEvery >= 1");
    }
  }

  private RetrainingAttack() {}

  public static Curve run(Gpt unlearned, TokenBatch attack, ToDoubleFunction<Gpt> forgetLoss, Spec spec) {
    List<Integer> at = new ArrayList<>();
    List<Double> loss = new ArrayList<>();
    try (Gpt model = unlearned.copy()) {
      at.add(0);
      loss.add(forgetLoss.applyAsDouble(model));
      AdamW optimizer = spec.optimizer().create(model.parameterVector());
      int increases = 0;
      for (int s = 1; s <= spec.steps(); s++) {
        try (PointerScope scope = new PointerScope()) {
          Tensor l = LmLoss.mean(model, attack);
          l.backward();
          optimizer.step();
          optimizer.zero_grad();
        }
        if (s % spec.evalEvery() == 0 || s == spec.steps()) {
          double f = forgetLoss.applyAsDouble(model);
          increases = f > loss.get(loss.size() - 1) ? increases + 1 : 0;
          at.add(s);
          loss.add(f);
          if (spec.stopAfterIncreases() > 0 && increases >= spec.stopAfterIncreases()) break;
        }
      }
      optimizer.deallocate();
    }
    return new Curve(at.stream().mapToInt(Integer::intValue).toArray(), loss.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
