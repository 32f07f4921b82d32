package gradroute.distributed;

import java.util.List;
import java.util.function.IntFunction;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The gradient of one optimiser step under data parallelism with gradient accumulation: each
 * micro-step's loss is divided by the number of micro-steps and back-propagated (gradients add
 * up locally, no communication), then one all-reduce averages the gradients over the ranks, then
 * the global norm is clipped. With equal-sized micro-batches the result is the gradient of the
 * mean loss over the global batch, whatever the world size.
 */
public final class GradientStep {
  /** The step's mean loss over the global batch and the gradient norm before clipping (NaN without clipping). */
  public record Result(double loss, double gradNorm) {}

  private GradientStep() {}

  /**
   * @param parameters the trained parameters (every rank in the same order)
   * @param group the process group, or null for a single process
   * @param microSteps this rank's micro-batches
   * @param microLoss the mean loss of micro-batch m (a differentiable scalar)
   * @param clip max global gradient norm, or 0 for none
   */
  public static Result compute(List<Tensor> parameters, ProcessGroup group, int microSteps, IntFunction<Tensor> microLoss,
      double clip) {
    if (microSteps < 1) throw new IllegalArgumentException("microSteps must be >= 1, got " + microSteps);
    double sum = 0;
    for (int m = 0; m < microSteps; m++) {
      try (PointerScope scope = new PointerScope()) {
        Tensor loss = microLoss.apply(m);
        loss.div(new Scalar((double) microSteps)).backward();
        sum += loss.item_double();
      }
    }
    double loss = sum / microSteps;
    if (group != null) loss = group.averageGradients(parameters, loss)[0];
    double norm = Double.NaN;
    if (clip > 0) norm = torch.clip_grad_norm_(new TensorVector(parameters.toArray(new Tensor[0])), clip);
    return new Result(loss, norm);
  }
}
