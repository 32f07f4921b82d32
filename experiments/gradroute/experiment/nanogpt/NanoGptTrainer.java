package gradroute.experiment.nanogpt;

import gradroute.distributed.GradientStep;
import gradroute.distributed.ProcessGroup;
import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.LmLoss;
import gradroute.model.LrSchedule;
import gradroute.hooks.RoutingHook;
import gradroute.model.TokenBatch;
import gradroute.routing.TokenRule;
import gradroute.train.FusedAdam;
import gradroute.train.Trainable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * One optimiser step of nanoGPT-style training, data parallel when given a process group: each
 * rank runs its micro-batches (loss / accumulation steps, backward), then one all-reduce averages
 * the gradients over the ranks, then clipping and AdamW (weight decay on matrices only). With a
 * routing hook, each micro-batch's mask indices come from its targets (the next tokens).
 *
 * <p>Metrics: {@code loss} (mean over the global batch), {@code lr}, {@code grad_norm}.
 */
final class NanoGptTrainer implements Trainable {
  interface Windows {
    List<long[]> of(long step);
  }

  private final Gpt model;
  private final AdamW optimizer;
  private final LrSchedule schedule;
  private final Windows windows;
  private final int microBatch;
  private final double clip;
  private final RoutingHook routing;
  private final TokenRule rule;
  private final ProcessGroup group;
  private final List<Tensor> params;

  NanoGptTrainer(Gpt model, NanoGptConfig s, LrSchedule schedule, Windows windows, RoutingHook routing, TokenRule rule,
      ProcessGroup group) {
    this.model = model;
    this.schedule = schedule;
    this.windows = windows;
    this.microBatch = s.microBatchSize();
    this.clip = s.clip();
    this.routing = routing;
    this.rule = rule;
    this.group = group;
    this.params = new ArrayList<>(model.parameters().values());
    this.optimizer = adamW(model, AdamWConfig.of(s.lr(), 0.9, 0.95, s.weightDecay()));
  }

  /** AdamW with weight decay on the parameters of 2+ dims only (nanoGPT's groups). */
  static AdamW adamW(Gpt model, AdamWConfig c) {
    List<Tensor> decay = new ArrayList<>(), plain = new ArrayList<>();
    for (Tensor p : model.parameters().values()) (p.dim() >= 2 ? decay : plain).add(p);
    AdamW optimizer = c.create(new TensorVector(decay.toArray(new Tensor[0])));
    if (!plain.isEmpty()) {
      optimizer.add_param_group(new OptimizerParamGroup(new TensorVector(plain.toArray(new Tensor[0]))));
      var groups = optimizer.param_groups();
      // the new group copied the defaults; its options are AdamWOptions underneath
      new AdamWOptions(groups.get(groups.size() - 1).options()).weight_decay().put(0.0);
    }
    return optimizer;
  }

  Gpt model() {
    return model;
  }

  @Override
  public Map<String, Double> step(long step) {
    double lr = schedule.at(step);
    AdamWConfig.setLr(optimizer, lr);
    List<long[]> mine = windows.of(step);
    GradientStep.Result r = GradientStep.compute(params, group, mine.size() / microBatch, m -> {
      TokenBatch b = new TokenBatch(mine.subList(m * microBatch, (m + 1) * microBatch), Integer.MAX_VALUE, 0);
      if (routing == null) return LmLoss.mean(model, b);
      routing.set(rule.indexTensor(b.sequences(), b.positions()), null);
      try {
        return LmLoss.mean(model, b);
      } finally {
        routing.clear(); // the backward pass reads the table and indices captured by the op
      }
    }, clip);
    FusedAdam.step(optimizer);
    optimizer.zero_grad();
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    out.put("lr", lr);
    if (clip > 0) out.put("grad_norm", r.gradNorm());
    return out;
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
