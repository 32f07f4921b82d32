package gradroute.model.unlearn;

import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.TokenBatch;
import gradroute.train.FusedAdam;
import gradroute.train.History;
import gradroute.train.HistoryRecorder;
import gradroute.train.ProgressListener;
import gradroute.train.Trainable;
import gradroute.train.TrainingLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Representation Misdirection for Unlearning (the WMDP recipe, as the TinyStories experiment runs it).
 * Only {@code mlp.W_out} of {@code trainLayers} is trained; the loss, on the residual stream
 * entering block {@code layer} ({@code A}, positions with a real input token only, {@code M}), is
 *
 * <pre>  MSE(A(x_F)·M, c·M) + alpha · MSE(A(x_R)·M, A_frozen(x_R)·M)</pre>
 *
 * with {@code c = coeff · u/‖u‖}, {@code u ~ U[0,1)^d_model} drawn afresh every step, and each MSE
 * a mean over all {@code batch · pos · d_model} entries. {@code A_frozen} is a copy of the model
 * before unlearning.
 */
public final class Rmu {
  public record Spec(int layer, int[] trainLayers, double steeringCoeff, double alpha, int steps, AdamWConfig optimizer) {
    public Spec {
      trainLayers = trainLayers.clone();
      if (steps < 0) throw new IllegalArgumentException("steps must be >= 0");
    }

    @Override
    public int[] trainLayers() {
      return trainLayers.clone();
    }

    @Override
    public String toString() {
      return "Rmu.Spec[layer=" + layer + ", trainLayers=" + Arrays.toString(trainLayers) + ", steeringCoeff=" + steeringCoeff
          + ", alpha=" + alpha + ", steps=" + steps + ", optimizer=" + optimizer + "]";
    }
  }

  private Rmu() {}

  /**
   * Unlearns in place on the one training loop ({@code name} names the run in errors).
   * {@code forget} and {@code retain} give the batches of each step.
   *
   * @return per-step metrics: forget_loss, retain_loss, loss
   * @throws gradroute.train.TrainingDivergedException when a loss term is NaN or infinite
   */
  public static History run(String name, Gpt model, LongFunction<TokenBatch> forget, LongFunction<TokenBatch> retain,
      Spec spec, long seed) {
    int layers = model.config().nLayers();
    if (spec.layer() < 1 || spec.layer() > layers) {
      throw new IllegalArgumentException("RMU layer must be in 1.." + layers + ", got " + spec.layer());
    }
    for (int l : spec.trainLayers()) {
      if (l < 0 || l >= spec.layer()) {
        throw new IllegalArgumentException("RMU train layer " + l + " must be below the steered layer " + spec.layer());
      }
    }
    java.util.Set<String> trained = new java.util.HashSet<>();
    for (int l : spec.trainLayers()) trained.add("blocks." + l + ".mlp.W_out");
    // only the trained W_out need gradients: the other weights stop requiring them for the run, so
    // that backward skips their weight products and the embedding's scatter (same W_out gradients)
    List<Tensor> untrained = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
      if (!trained.contains(e.getKey()) && e.getValue().requires_grad()) untrained.add(e.getValue());
    }
    try (Gpt frozen = model.copy()) {
      AdamW optimizer = spec.optimizer().create(model.parameterVector(trained::contains));
      for (Tensor t : untrained) t.requires_grad_(false);
      try {
        return TrainingLoop.bare(name, spec.steps())
            .with(new HistoryRecorder(1))
            .with(new ProgressListener())
            .run(new RmuStep(model, frozen, optimizer, forget, retain, spec, new SplittableRandom(seed)), false);
      } finally {
        for (Tensor t : untrained) t.requires_grad_(true);
        optimizer.deallocate();
      }
    }
  }

  /** One RMU step per loop step; the steering direction is drawn afresh from {@code rng} each step. */
  private record RmuStep(Gpt model, Gpt frozen, AdamW optimizer, LongFunction<TokenBatch> forget, LongFunction<TokenBatch> retain,
      Spec spec, SplittableRandom rng) implements Trainable {
    @Override
    public Map<String, Double> step(long s) {
      int d = model.config().dModel();
      float[] u = new float[d];
      double norm = 0;
      for (int i = 0; i < d; i++) {
        u[i] = (float) rng.nextDouble();
        norm += u[i] * u[i];
      }
      for (int i = 0; i < d; i++) u[i] *= (float) (spec.steeringCoeff() / Math.sqrt(norm));
      Tensor control = Tensor.create(u, 1, 1, d);
      if (!model.device().is_cpu()) control = control.to(model.device(), torch.ScalarType.Float);

      TokenBatch f = forget.apply(s);
      Tensor mf = f.inputMask(model.device()).unsqueeze(2);
      Tensor af = model.residualBefore(f.inputs(model.device()), spec.layer());
      Tensor forgetLoss = torch.mse_loss(af.mul(mf), control.mul(mf));

      TokenBatch r = retain.apply(s);
      Tensor mr = r.inputMask(model.device()).unsqueeze(2);
      Tensor ar = model.residualBefore(r.inputs(model.device()), spec.layer());
      Tensor target;
      try (NoGradGuard g = new NoGradGuard()) {
        target = frozen.residualBefore(r.inputs(model.device()), spec.layer()).mul(mr);
      }
      Tensor retainLoss = torch.mse_loss(ar.mul(mr), target);
      Tensor loss = forgetLoss.add(retainLoss.mul(new Scalar(spec.alpha())));
      loss.backward();
      FusedAdam.step(optimizer);
      optimizer.zero_grad();
      model.zeroGrad();
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("forget_loss", forgetLoss.item_double());
      m.put("retain_loss", retainLoss.item_double());
      m.put("loss", loss.item_double());
      return m;
    }
  }

  /** Mean L2 norm of the residual stream entering {@code layer} at real input positions (to scale the steering coefficient). */
  public static double residualNorm(Gpt model, TokenBatch batch, int layer) {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor a = model.residualBefore(batch.inputs(model.device()), layer);
      Tensor m = batch.inputMask(model.device());
      Tensor norms = a.norm(new org.bytedeco.pytorch.ScalarOptional(new Scalar(2.0)), new long[] {2}, false);
      return norms.mul(m).sum().item_double() / m.sum().item_double();
    }
  }
}
