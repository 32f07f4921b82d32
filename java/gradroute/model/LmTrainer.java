package gradroute.model;

import gradroute.model.era.EraRouting;
import gradroute.routing.SoftTokenRule;
import gradroute.train.FusedAdam;
import gradroute.train.Trainable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;

/**
 * Next-token training of a {@link Gpt} with AdamW and an LR schedule, for {@link
 * gradroute.train.TrainingLoop}. With an {@link EraRouting}, each batch is routed (stories flagged
 * in {@link Batch#routed()} by the token weights) and the routing's L1 term joins the loss.
 *
 * <p>Metrics per step: {@code loss} (the optimised total), {@code ce}, {@code l1} (when on), {@code lr}.
 */
public final class LmTrainer implements Trainable {
  /** One step's stories and which of them are routed (labelled forget stories); routed may be null. */
  public record Batch(TokenBatch tokens, boolean[] routed) {}

  /** Supplies the batch of each step (deterministically, so that resuming replays the same data). */
  @FunctionalInterface
  public interface BatchSource {
    Batch batch(long step);
  }

  private final Gpt model;
  private final AdamW optimizer;
  private final LrSchedule schedule;
  private final BatchSource source;
  private final EraRouting routing;
  private final SoftTokenRule weights;

  /**
   * @param routing the ERA masks, or null for plain training
   * @param weights per-token routing weights for routed stories (null: route every position fully)
   */
  public LmTrainer(Gpt model, AdamWConfig optimizer, LrSchedule schedule, BatchSource source, EraRouting routing,
      SoftTokenRule weights) {
    this.model = model;
    this.optimizer = optimizer.create(model.parameterVector());
    this.schedule = schedule;
    this.source = source;
    this.routing = routing;
    this.weights = weights == null ? new SoftTokenRule(new float[model.config().vocab()]) : weights;
  }

  public Gpt model() {
    return model;
  }

  /** loss, ce and l1 are loss terms (checked for divergence); lr is not. */
  @Override
  public boolean isLossTerm(String name) {
    return name.equals("loss") || name.equals("ce") || name.equals("l1");
  }

  @Override
  public Map<String, Double> step(long step) {
    double lr = schedule.at(step);
    AdamWConfig.setLr(optimizer, lr);
    Batch b = source.batch(step);
    Map<String, Double> m = new LinkedHashMap<>();
    try {
      if (routing != null) {
        boolean[] routed = b.routed() == null ? new boolean[b.tokens().size()] : b.routed();
        routing.setBatch(b.tokens(), routed, weights);
      }
      Tensor ce = LmLoss.mean(model, b.tokens());
      Tensor loss = ce;
      Tensor l1 = routing == null ? null : routing.takeL1();
      if (l1 != null) loss = loss.add(l1);
      loss.backward();
      FusedAdam.step(optimizer);
      optimizer.zero_grad();
      m.put("loss", loss.item_double());
      m.put("ce", ce.item_double());
      if (l1 != null) m.put("l1", l1.item_double());
      m.put("lr", lr);
    } finally {
      if (routing != null) routing.clearBatch();
    }
    return m;
  }

  @Override
  public void save(OutputArchive archive) {
    model.saveWithOptimizer(archive, optimizer);
  }

  @Override
  public void load(InputArchive archive) {
    model.loadWithOptimizer(archive, optimizer);
  }
}
