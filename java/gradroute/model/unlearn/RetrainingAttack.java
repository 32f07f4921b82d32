package gradroute.model.unlearn;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TokenBatch;
import gradroute.train.EarlyStopping;
import gradroute.train.Evaluate;
import gradroute.train.HistoryRecorder;
import gradroute.train.TrainingLoop;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.AdamW;

/**
 * The retraining attack: fine-tune an unlearned model on a few forget stories as one
 * full batch, and follow the forget loss on held-out forget stories. {@link #run} attacks a copy
 * with a fresh optimiser and leaves the model as it was; {@link #continuing} attacks the model
 * itself with the optimiser of its last fine-tune.
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

  /** Attacks a copy of {@code unlearned} with a fresh optimiser; {@code name} names the run in errors. */
  public static Curve run(String name, Gpt unlearned, TokenBatch attack, ToDoubleFunction<Gpt> forgetLoss, Spec spec) {
    try (Gpt model = unlearned.copy()) {
      AdamW optimizer = spec.optimizer().create(model.parameterVector());
      try {
        return attack(name, model, optimizer, attack, forgetLoss, spec);
      } finally {
        optimizer.deallocate();
      }
    }
  }

  /**
   * Attacks {@code model} itself, continuing {@code optimizer}: an optimiser over this model's
   * parameters that has already taken steps (the coherence fine-tune's), so its moments carry
   * over, as the paper's attack reuses the coherence optimiser's state. Its learning rate is set to
   * {@code spec}'s; the rest of {@code spec}'s optimiser settings are the optimiser's own.
   */
  public static Curve continuing(String name, Gpt model, AdamW optimizer, TokenBatch attack, ToDoubleFunction<Gpt> forgetLoss, Spec spec) {
    AdamWConfig.setLr(optimizer, spec.optimizer().lr());
    return attack(name, model, optimizer, attack, forgetLoss, spec);
  }

  private static Curve attack(String name, Gpt model, AdamW optimizer, TokenBatch attack, ToDoubleFunction<Gpt> forgetLoss, Spec spec) {
    double before = forgetLoss.applyAsDouble(model);
    TrainingLoop loop = TrainingLoop.bare(name, spec.steps())
        .with(new Evaluate(FORGET, spec.evalEvery(), () -> forgetLoss.applyAsDouble(model)))
        .with(new HistoryRecorder(1));
    if (spec.stopAfterIncreases() > 0) loop.with(new EarlyStopping(FORGET, spec.stopAfterIncreases(), before));
    double[][] curve = loop.run(LmTrainer.continuing(model, optimizer, LrSchedule.constant(spec.optimizer().lr()), step -> new LmTrainer.Batch(attack, null)), false).series(FORGET);
    int[] at = new int[curve[0].length + 1];
    double[] loss = new double[at.length];
    loss[0] = before;
    for (int i = 0; i < curve[0].length; i++) {
      at[i + 1] = (int) curve[0][i] + 1;
      loss[i + 1] = curve[1][i];
    }
    return new Curve(at, loss);
  }

  private static final String FORGET = "forget_loss";
}
