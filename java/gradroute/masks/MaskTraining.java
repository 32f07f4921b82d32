package gradroute.masks;

import gradroute.train.History;
import gradroute.train.HistoryRecorder;
import gradroute.train.ProgressListener;
import gradroute.train.Trainable;
import gradroute.train.TrainingLoop;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Trains masks against an {@link UnlearningObjective} with Adam, one step per {@link TrainingLoop}
 * step: the caller's {@link StepLosses} run the masked model on the step's retain and forget data,
 * the masks' removal penalties are added with the ramped sparsity weight, and after the optimiser
 * step every mask is projected (clamped) and, every {@code snapEvery} steps, snapped to {0,1}.
 * Only the mask parameters are in the optimiser: the model is not changed.
 */
public final class MaskTraining implements Trainable, AutoCloseable {
  /** The step's retain loss and forget term, computed through the masks' {@link LearnedMask#values()}. */
  public record Losses(Tensor retain, Tensor forgetTerm) {}

  @FunctionalInterface
  public interface StepLosses {
    /** The losses of step {@code step}, made from that step's batches. */
    Losses at(long step);
  }

  /**
   * @param learningRate Adam's (circuit breaking's MNIST script: 0.3)
   * @param snapEvery steps between snaps to {0,1} (0: never; the caller discretises at the end)
   * @param snapThreshold values at or above it snap to 1
   */
  public record Spec(UnlearningObjective objective, double learningRate, long snapEvery, double snapThreshold) {
    public Spec {
      if (objective == null) throw new IllegalArgumentException("mask training: objective is null");
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("mask training: learning rate must be > 0, got " + learningRate);
      if (snapEvery < 0) throw new IllegalArgumentException("mask training: snapEvery must be >= 0, got " + snapEvery);
    }
  }

  private final List<? extends LearnedMask> masks;
  private final Spec spec;
  private final StepLosses losses;
  private final Adam optimizer;

  public MaskTraining(List<? extends LearnedMask> masks, Spec spec, StepLosses losses) {
    if (masks.isEmpty()) throw new IllegalArgumentException("mask training needs at least one mask");
    this.masks = List.copyOf(masks);
    this.spec = spec;
    this.losses = losses;
    this.optimizer = new Adam(new TensorVector(masks.stream().map(LearnedMask::parameter).toArray(Tensor[]::new)), new AdamOptions(spec.learningRate()));
  }

  /** Trains for {@code steps} steps on the one loop (progress and a history row every {@code logEvery} steps). */
  public History run(String name, long steps, long logEvery) {
    return TrainingLoop.bare(name, steps).with(new HistoryRecorder(logEvery)).with(new ProgressListener()).run(this, false);
  }

  @Override
  public Map<String, Double> step(long step) {
    Losses l = losses.at(step);
    Tensor penalty = null;
    for (LearnedMask m : masks) penalty = penalty == null ? m.removalPenalty() : penalty.add(m.removalPenalty());
    Tensor loss = spec.objective().total(l.retain(), l.forgetTerm(), penalty, step);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    long removed = 0;
    for (LearnedMask m : masks) {
      m.project();
      if (spec.snapEvery() > 0 && (step + 1) % spec.snapEvery() == 0) m.snap(spec.snapThreshold());
      removed += removed(m, spec.snapThreshold());
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", loss.item_double());
    metrics.put("retain_loss", l.retain().item_double());
    metrics.put("forget_loss", l.forgetTerm().item_double());
    metrics.put("penalty", penalty.item_double());
    metrics.put("removed", (double) removed);
    return metrics;
  }

  /** Entries whose deterministic value is below {@code threshold}. */
  static long removed(LearnedMask m, double threshold) {
    try (NoGradGuard g = new NoGradGuard()) {
      return m.deterministic().lt(new Scalar(threshold)).sum().item_long();
    }
  }

  @Override
  public void close() {
    optimizer.deallocate();
  }
}
