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
import gradroute.distributed.WorldConfig;
import gradroute.train.Checkpoint;
import gradroute.train.CheckpointListener;
import gradroute.train.FusedAdam;
import gradroute.train.HistoryRecorder;
import gradroute.train.ProgressListener;
import gradroute.train.Trainable;
import gradroute.train.TrainingLoop;
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
 * {@link Routing}, each micro-batch is routed before its forward pass (mask indices from its
 * targets, the next tokens) and the routing's penalty, if any, joins its loss.
 *
 * <p>Metrics: {@code loss} (mean over the global batch, penalty included), {@code lr}, {@code
 * grad_norm}, and {@code penalty} (this rank's mean) when the routing has one.
 */
final class NanoGptTrainer implements Trainable {
  interface Windows {
    List<long[]> of(long step);
  }

  /** What routes a micro-batch: set before its forward, an optional extra loss term, cleared after its backward. */
  interface Routing {
    void set(TokenBatch batch);

    /** The penalty of the forward pass just run, or null. */
    default Tensor penalty() {
      return null;
    }

    void clear();

    /** Per-token routing through one hook (the hook may sit at many points). */
    static Routing tokens(RoutingHook hook, TokenRule rule) {
      return new Routing() {
        @Override
        public void set(TokenBatch b) {
          hook.set(rule.indexTensor(b.sequences(), b.positions()), null);
        }

        @Override
        public void clear() {
          hook.clear();
        }
      };
    }
  }

  private final Gpt model;
  private final AdamW optimizer;
  private final LrSchedule schedule;
  private final Windows windows;
  private final int microBatch;
  private final double clip;
  private final Routing routing;
  private final ProcessGroup group;
  private final List<Tensor> params;

  NanoGptTrainer(Gpt model, NanoGptConfig s, LrSchedule schedule, Windows windows, RoutingHook routing, TokenRule rule,
      ProcessGroup group) {
    this(model, AdamWConfig.of(s.lr(), 0.9, 0.95, s.weightDecay()), s.microBatchSize(), s.clip(), schedule, windows,
        routing == null ? null : Routing.tokens(routing, rule), group);
  }

  /**
   * @param optimizer AdamW's settings (its lr is replaced by the schedule's every step)
   * @param clip max gradient norm, 0 for none
   * @param routing null for plain training
   */
  NanoGptTrainer(Gpt model, AdamWConfig optimizer, int microBatch, double clip, LrSchedule schedule, Windows windows, Routing routing,
      ProcessGroup group) {
    this.model = model;
    this.schedule = schedule;
    this.windows = windows;
    this.microBatch = microBatch;
    this.clip = clip;
    this.routing = routing;
    this.group = group;
    this.params = new ArrayList<>(model.parameters().values());
    this.optimizer = adamW(model, optimizer);
  }

  /** The optimiser, with the state of every step taken so far. */
  AdamW optimizer() {
    return optimizer;
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

  /**
   * The loop of a pretraining run: rank 0 logs and checkpoints; the weights and optimiser state are
   * the same on every rank, so the others only restore from rank 0's checkpoint on resume.
   */
  static TrainingLoop loop(WorldConfig world, String name, long steps, long logEvery, Checkpoint checkpoint, long checkpointEvery) {
    return world.isMain() ? new TrainingLoop(name, steps, logEvery, checkpoint, checkpointEvery)
        : TrainingLoop.bare(name, steps).with(new HistoryRecorder(logEvery)).with(new ProgressListener())
            .with(CheckpointListener.restoreOnly(checkpoint));
  }

  @Override
  public Map<String, Double> step(long step) {
    double lr = schedule.at(step);
    AdamWConfig.setLr(optimizer, lr);
    List<long[]> mine = windows.of(step);
    int micro = mine.size() / microBatch;
    double[] penalty = {0};
    boolean[] penalised = {false};
    GradientStep.Result r = GradientStep.compute(params, group, micro, m -> {
      TokenBatch b = new TokenBatch(mine.subList(m * microBatch, (m + 1) * microBatch), Integer.MAX_VALUE, 0);
      if (routing == null) return LmLoss.mean(model, b);
      routing.set(b);
      try {
        Tensor loss = LmLoss.mean(model, b);
        Tensor extra = routing.penalty();
        if (extra == null) return loss;
        penalty[0] += extra.item_double() / micro;
        penalised[0] = true;
        return loss.add(extra);
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
    if (penalised[0]) out.put("penalty", penalty[0]);
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
