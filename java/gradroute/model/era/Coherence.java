package gradroute.model.era;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.LmLoss;
import gradroute.model.TokenBatch;
import java.util.function.ToDoubleFunction;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Tensor;

/**
 * The "coherence" fine-tune after ablation (spec §3.4): a few AdamW steps on one fixed batch of
 * retain stories, evaluating a selection loss (held-out retain stories) after every step and
 * keeping the best weights; step 0 (no fine-tuning) is eligible.
 */
public final class Coherence {
  /** @param selectionLosses the selection loss after 0, 1, ..., steps run */
  public record Result(int bestStep, double bestLoss, double[] selectionLosses) {}

  private Coherence() {}

  /** Fine-tunes {@code model} in place and leaves it at the best step's weights. */
  public static Result tune(Gpt model, TokenBatch batch, ToDoubleFunction<Gpt> selectionLoss, int maxSteps, AdamWConfig opt) {
    if (maxSteps < 0) throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
    double[] losses = new double[maxSteps + 1];
    losses[0] = selectionLoss.applyAsDouble(model);
    int best = 0;
    if (maxSteps == 0) return new Result(0, losses[0], losses);
    try (Gpt bestWeights = model.copy()) {
      AdamW optimizer = opt.create(model.parameterVector());
      for (int s = 1; s <= maxSteps; s++) {
        try (PointerScope scope = new PointerScope()) {
          Tensor loss = LmLoss.mean(model, batch);
          loss.backward();
          optimizer.step();
          optimizer.zero_grad();
        }
        losses[s] = selectionLoss.applyAsDouble(model);
        if (losses[s] < losses[best]) {
          best = s;
          bestWeights.copyWeightsFrom(model);
        }
      }
      model.copyWeightsFrom(bestWeights);
      model.zeroGrad();
      optimizer.deallocate();
    }
    return new Result(best, losses[best], losses);
  }
}
