package gradroute.model.era;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TokenBatch;
import gradroute.train.Evaluate;
import gradroute.train.History;
import gradroute.train.HistoryRecorder;
import gradroute.train.KeepBest;
import gradroute.train.TrainingLoop;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.AdamW;

/**
 * The "coherence" fine-tune after ablation: a few AdamW steps on one fixed batch of
 * retain stories, evaluating a selection loss (held-out retain stories) after every step and
 * keeping the best weights; step 0 (no fine-tuning) is eligible.
 */
public final class Coherence {
  /** @param selectionLosses the selection loss after 0, 1, ..., steps run */
  public record Result(int bestStep, double bestLoss, double[] selectionLosses) {}

  private Coherence() {}

  /** Fine-tunes {@code model} in place and leaves it at the best step's weights; {@code name} names the run in errors. */
  public static Result tune(String name, Gpt model, TokenBatch batch, ToDoubleFunction<Gpt> selectionLoss, int maxSteps,
      AdamWConfig opt) {
    if (maxSteps < 0) throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
    double initial = selectionLoss.applyAsDouble(model);
    if (maxSteps == 0) return new Result(0, initial, new double[] {initial});
    try (Gpt bestWeights = model.copy()) {
      AdamW optimizer = opt.create(model.parameterVector());
      KeepBest best = new KeepBest(SELECTION, initial, () -> bestWeights.copyWeightsFrom(model), () -> {
        model.copyWeightsFrom(bestWeights);
        model.zeroGrad();
      });
      History h = TrainingLoop.bare(name, maxSteps)
          .with(new Evaluate(SELECTION, 1, () -> selectionLoss.applyAsDouble(model)))
          .with(new HistoryRecorder(1))
          .with(best)
          .run(LmTrainer.continuing(model, optimizer, LrSchedule.constant(opt.lr()), step -> new LmTrainer.Batch(batch, null)), false);
      optimizer.deallocate();
      double[] losses = new double[maxSteps + 1];
      losses[0] = initial;
      double[] after = h.series(SELECTION)[1];
      System.arraycopy(after, 0, losses, 1, after.length);
      return new Result((int) best.bestStep() + 1, best.best(), losses);
    }
  }

  private static final String SELECTION = "selection_loss";
}
