package gradroute.model;

import gradroute.distributed.GradientStep;
import gradroute.distributed.ProcessGroup;
import gradroute.train.FusedAdam;
import gradroute.train.Trainable;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Next-token training of a {@link Gpt} with AdamW and an LR schedule, for {@link
 * gradroute.train.TrainingLoop} (which checks divergence and writes checkpoints). One step: each
 * micro-batch of this process's batch is routed ({@link LmRouting}, optional), its mean loss plus the
 * routing's penalty is back-propagated, scaled by the number of micro-batches; with a process
 * group one all-reduce then averages the gradients over the ranks ({@link GradientStep}); then the
 * gradient is clipped and AdamW steps.
 *
 * <p>Metrics per step: {@code loss} (the optimised total, mean over the global batch), {@code ce}
 * (when {@link Settings#logCe}), the routing's penalty under {@link Settings#penaltyMetric} (when it
 * has one; this rank's mean), {@code lr}, and {@code grad_norm} (before clipping, when clipping).
 */
public final class LmTrainer implements Trainable {
  /** One step's sequences and which of them are routed (e.g. labelled forget stories); routed may be null. */
  public record Batch(TokenBatch tokens, boolean[] routed) {
    /** Equal-length windows of a token stream, unlabelled. */
    public static Batch windows(List<long[]> windows) {
      return new Batch(new TokenBatch(windows, Integer.MAX_VALUE, 0), null);
    }
  }

  /** Supplies this process's batch of each step (deterministically, so that resuming replays the same data). */
  @FunctionalInterface
  public interface BatchSource {
    Batch batch(long step);
  }

  /**
   * How a step is taken.
   *
   * @param optimizer AdamW's settings (its lr is replaced by the schedule's every step); null only for {@link #continuing}
   * @param decayMatricesOnly weight decay on parameters of 2+ dims only (nanoGPT's groups); false: on all
   * @param microBatch sequences per micro-batch; 0 for the whole batch at once
   * @param clip max global gradient norm, 0 for none
   * @param penaltyMetric the metric name of the routing's penalty
   * @param logCe whether to log the cross-entropy apart from the total
   */
  public record Settings(AdamWConfig optimizer, boolean decayMatricesOnly, int microBatch, double clip, String penaltyMetric,
      boolean logCe) {
    public Settings {
      if (microBatch < 0) throw new IllegalArgumentException("microBatch must be >= 0, got " + microBatch);
      if (clip < 0) throw new IllegalArgumentException("clip must be >= 0, got " + clip);
    }

    /** The whole batch at once, no clipping, decay on every parameter, the penalty logged as {@code penalty}. */
    public static Settings of(AdamWConfig optimizer) {
      return new Settings(optimizer, false, 0, 0, "penalty", false);
    }

    /** nanoGPT's step: micro-batches, clipping, weight decay on matrices only. */
    public static Settings nanoGpt(AdamWConfig optimizer, int microBatch, double clip) {
      return new Settings(optimizer, true, microBatch, clip, "penalty", false);
    }

    /** nanoGPT's step with {@code optimizer}'s AdamW and clip. */
    public static Settings nanoGpt(OptimizerConfig optimizer, int microBatch) {
      return nanoGpt(optimizer.adamW(), microBatch, optimizer.clip());
    }

    /** The same step, logging the penalty as {@code penaltyMetric} and the cross-entropy when {@code ce}. */
    public Settings logging(String penaltyMetric, boolean ce) {
      return new Settings(optimizer, decayMatricesOnly, microBatch, clip, penaltyMetric, ce);
    }
  }

  private final Gpt model;
  private final Settings settings;
  private final AdamW optimizer;
  private final LrSchedule schedule;
  private final BatchSource source;
  private final LmRouting routing;
  private final ProcessGroup group;
  private final List<Tensor> params;

  /**
   * @param routing null for plain training
   * @param group the process group of data-parallel training, or null for one process
   */
  public LmTrainer(Gpt model, Settings settings, LrSchedule schedule, BatchSource source, LmRouting routing, ProcessGroup group) {
    this(model, settings, settings.decayMatricesOnly() ? matricesDecayed(model, settings.optimizer())
        : settings.optimizer().create(model.parameterVector()), schedule, source, routing, group);
  }

  private LmTrainer(Gpt model, Settings settings, AdamW optimizer, LrSchedule schedule, BatchSource source, LmRouting routing,
      ProcessGroup group) {
    this.model = model;
    this.settings = settings;
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.source = source;
    this.routing = routing;
    this.group = group;
    this.params = new ArrayList<>(model.parameters().values());
  }

  /**
   * Plain steps (whole batch, unrouted, one process) with an optimiser the caller made and keeps,
   * e.g. one whose moments carry over from an earlier stage; its groups and settings stay, its lr
   * follows {@code schedule}. Metrics: {@code loss}, {@code lr}.
   */
  public static LmTrainer continuing(Gpt model, AdamW optimizer, LrSchedule schedule, BatchSource source) {
    return new LmTrainer(model, new Settings(null, false, 0, 0, "penalty", false), optimizer, schedule, source, null, null);
  }

  /** AdamW with weight decay on the parameters of 2+ dims only. */
  private static AdamW matricesDecayed(Gpt model, AdamWConfig c) {
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

  public Gpt model() {
    return model;
  }

  /** The optimiser, with the state of every step taken so far (e.g. for an attack to continue). */
  public AdamW optimizer() {
    return optimizer;
  }

  /** loss, ce and the penalty are loss terms (checked for divergence); lr and grad_norm are not. */
  @Override
  public boolean isLossTerm(String name) {
    return name.equals("loss") || name.equals("ce") || name.equals(settings.penaltyMetric());
  }

  @Override
  public Map<String, Double> step(long step) {
    double lr = schedule.at(step);
    AdamWConfig.setLr(optimizer, lr);
    Batch batch = source.batch(step);
    int size = batch.tokens().size();
    int mb = settings.microBatch() == 0 ? size : settings.microBatch();
    if (size % mb != 0) {
      throw new IllegalArgumentException("step " + step + ": a batch of " + size + " sequences does not split into micro-batches of " + mb);
    }
    int micro = size / mb;
    double[] ce = {0}, penalty = {0};
    boolean[] penalised = {false};
    GradientStep.Result r = GradientStep.compute(params, group, micro, m -> {
      TokenBatch tokens = mb == size ? batch.tokens() : batch.tokens().slice(m * mb, (m + 1) * mb);
      boolean[] routed = batch.routed() == null ? null : Arrays.copyOfRange(batch.routed(), m * mb, (m + 1) * mb);
      if (routing != null) routing.set(tokens, routed);
      try {
        Tensor loss = LmLoss.mean(model, tokens);
        if (settings.logCe()) ce[0] += loss.item_double() / micro;
        Tensor extra = routing == null ? null : routing.penalty();
        if (extra == null) return loss;
        penalty[0] += extra.item_double() / micro;
        penalised[0] = true;
        return loss.add(extra);
      } finally {
        if (routing != null) routing.clear(); // the backward pass reads the table and indices captured by the ops
      }
    }, settings.clip());
    FusedAdam.step(optimizer);
    optimizer.zero_grad();
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    if (settings.logCe()) out.put("ce", ce[0]);
    if (penalised[0]) out.put(settings.penaltyMetric(), penalty[0]);
    out.put("lr", lr);
    if (settings.clip() > 0) out.put("grad_norm", r.gradNorm());
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
