package gradroute.masks;

import gradroute.train.History;
import gradroute.train.HistoryRecorder;
import gradroute.train.ProgressListener;
import gradroute.train.Trainable;
import gradroute.train.TrainingLoop;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Fine-tunes only the parameters a {@link ParameterSelection} picked, against an {@link
 * UnlearningObjective} (no mask, so no sparsity term), with Adam without weight decay: the
 * optimiser holds only the selected tensors, and gradients of their unselected entries are zeroed
 * before each step, so their Adam moments stay 0 and the entries stay bit for bit as they were.
 * While it runs, the model's other parameters stop requiring gradients (backward skips them).
 */
public final class LocalisedFineTuning implements Trainable, AutoCloseable {
  private final ParameterSelection selection;
  private final UnlearningObjective objective;
  private final MaskTraining.StepLosses losses;
  private final Adam optimizer;
  private final List<Tensor> frozen = new ArrayList<>();

  /**
   * @param modelParameters all parameters of the model; those not selected are frozen until {@link #close}
   */
  public LocalisedFineTuning(List<Tensor> modelParameters, ParameterSelection selection, UnlearningObjective objective, double learningRate,
                             MaskTraining.StepLosses losses) {
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("localised fine-tuning: learning rate must be > 0, got " + learningRate);
    if (selection.parameters().isEmpty()) throw new IllegalArgumentException("localised fine-tuning: nothing is selected");
    this.selection = selection;
    this.objective = objective;
    this.losses = losses;
    List<Tensor> selected = selection.parameters();
    for (Tensor p : modelParameters) {
      boolean isSelected = selected.stream().anyMatch(s -> s.equals(p) || s.data_ptr() == p.data_ptr());
      if (!isSelected && p.requires_grad()) {
        p.requires_grad_(false);
        frozen.add(p);
      }
    }
    this.optimizer = new Adam(new TensorVector(selected.toArray(new Tensor[0])), new AdamOptions(learningRate));
  }

  /** Trains for {@code steps} steps on the one loop. */
  public History run(String name, long steps, long logEvery) {
    return TrainingLoop.bare(name, steps).with(new HistoryRecorder(logEvery)).with(new ProgressListener()).run(this, false);
  }

  @Override
  public Map<String, Double> step(long step) {
    MaskTraining.Losses l = losses.at(step);
    Tensor loss = objective.total(l.retain(), l.forgetTerm(), null, step);
    optimizer.zero_grad();
    loss.backward();
    selection.maskGradients();
    optimizer.step();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", loss.item_double());
    metrics.put("retain_loss", l.retain().item_double());
    metrics.put("forget_loss", l.forgetTerm().item_double());
    return metrics;
  }

  /** Unfreezes the parameters frozen for the run and frees the optimiser. */
  @Override
  public void close() {
    for (Tensor p : frozen) p.requires_grad_(true);
    optimizer.deallocate();
  }
}
