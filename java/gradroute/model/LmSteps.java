package gradroute.model;

import gradroute.train.FusedAdam;
import gradroute.train.Trainable;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.Tensor;

/**
 * Plain next-token steps on one fixed batch with a given optimiser (the coherence fine-tune, the
 * retraining attack). Metric: {@code loss}. No checkpoint state: these runs are short and rerun
 * from their start.
 */
public final class LmSteps implements Trainable {
  private final Gpt model;
  private final TokenBatch batch;
  private final AdamW optimizer;

  public LmSteps(Gpt model, TokenBatch batch, AdamW optimizer) {
    this.model = model;
    this.batch = batch;
    this.optimizer = optimizer;
  }

  @Override
  public Map<String, Double> step(long step) {
    Tensor loss = LmLoss.mean(model, batch);
    loss.backward();
    FusedAdam.step(optimizer);
    optimizer.zero_grad();
    return Map.of("loss", loss.item_double());
  }
}
