package gradroute.masks;

import gradroute.hooks.HookScope;
import gradroute.model.Gpt;
import gradroute.model.GptHooks;
import gradroute.model.LmLoss;
import gradroute.model.TokenBatch;
import gradroute.model.unlearn.NeuronAblation;
import gradroute.train.History;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The post-hoc unlearning baselines of gradient routing on a {@link Gpt}, on the MLP neurons of
 * chosen blocks: a learned neuron mask (circuit breaking on units, zero replacement, then the
 * neurons whose mask rounds to 0 are ablated for good) and localised fine-tuning (the neurons with
 * the largest attribution on the forget data are the only ones trained). Both unlearn in place
 * against an {@link UnlearningObjective} on the step's forget and retain batches.
 */
public final class PostHocUnlearning {
  /** What a method did: its training history, and which neurons it ablated or trained, per block. */
  public record Outcome(History history, NeuronAblation.Selection neurons, long neuronCount, long parameterCount) {}

  private PostHocUnlearning() {}

  /** The retain loss and the forget term of one step on a language model. */
  public static MaskTraining.Losses losses(Gpt model, TokenBatch forget, TokenBatch retain, UnlearningObjective objective) {
    Device d = model.device();
    Tensor retainLoss = LmLoss.mean(model, retain);
    Tensor nll = LmLoss.tokenLosses(model.forward(forget.inputs(d)), forget.targets(d));
    return new MaskTraining.Losses(retainLoss, objective.forgetTermOfLosses(nll, forget.validMask(d)));
  }

  /**
   * Trains a [0,1] mask per MLP neuron of {@code layers} (the model frozen), rounds it at {@code
   * threshold} and zeroes the weights of the neurons that rounded to 0.
   */
  public static Outcome maskNeurons(String name, Gpt model, int[] layers, ClampedMask.Penalty penalty, MaskTraining.Spec spec, int steps,
                                    LongFunction<TokenBatch> forget, LongFunction<TokenBatch> retain) {
    if (!model.device().is_cpu()) throw new IllegalArgumentException(name + ": neuron masks run on the CPU only, the model is on " + model.device());
    List<ClampedMask> masks = new ArrayList<>();
    List<Tensor> frozen = freezeAll(model);
    History history;
    int[][] ablated = new int[layers.length][];
    try (HookScope hooks = model.hooks().scope()) {
      for (int l : layers) {
        ClampedMask m = new ClampedMask(penalty, model.config().dMlp()[l]);
        UnitMask unit = new UnitMask(m, null);
        masks.add(m);
        hooks.add(GptHooks.mlpPost(l), unit::apply);
      }
      try (MaskTraining training = new MaskTraining(masks, spec, s -> losses(model, forget.apply(s), retain.apply(s), spec.objective()))) {
        history = training.run(name, steps, 1);
      }
      for (int i = 0; i < layers.length; i++) {
        ablated[i] = Localisation.ablatedBy(name, MaskDiscretisation.threshold(masks.get(i).deterministic(), spec.snapThreshold())).picked();
      }
    } finally {
      masks.forEach(ClampedMask::close);
      frozen.forEach(t -> t.requires_grad_(true));
    }
    NeuronAblation.Selection selection = new NeuronAblation.Selection(layers, ablated);
    NeuronAblation.zeroWeights(model, selection);
    long count = 0;
    for (int[] n : ablated) count += n.length;
    return new Outcome(history, selection, count, count * (2L * model.config().dModel() + 1));
  }

  /**
   * Picks the {@code neuronsPerLayer} neurons of each of {@code layers} with the largest attribution
   * {@code |a·∂L/∂a|} on {@code probe} (forget data), then fine-tunes only their input weights,
   * input bias and output weights with Adam against the objective.
   */
  public static Outcome localisedFineTune(String name, Gpt model, int[] layers, int neuronsPerLayer, TokenBatch probe,
                                          UnlearningObjective objective, double learningRate, int steps,
                                          LongFunction<TokenBatch> forget, LongFunction<TokenBatch> retain) {
    int[][] picked = new int[layers.length][];
    double[][] scores = attribution(model, layers, probe);
    ParameterSelection selection = new ParameterSelection();
    for (int i = 0; i < layers.length; i++) {
      picked[i] = Localisation.topK(name + " block " + layers[i], scores[i], Math.min(neuronsPerLayer, scores[i].length)).picked();
      String b = "blocks." + layers[i] + ".mlp.";
      selection.columns(b + "W_in", model.parameter(b + "W_in"), picked[i])
          .rows(b + "b_in", model.parameter(b + "b_in"), picked[i])
          .rows(b + "W_out", model.parameter(b + "W_out"), picked[i]);
    }
    History history;
    try (LocalisedFineTuning ft = new LocalisedFineTuning(new ArrayList<>(model.parameters().values()), selection, objective, learningRate,
        s -> losses(model, forget.apply(s), retain.apply(s), objective))) {
      history = ft.run(name, steps, 1);
    }
    long parameters = selection.selectedCount();
    selection.release();
    long count = 0;
    for (int[] n : picked) count += n.length;
    return new Outcome(history, new NeuronAblation.Selection(layers, picked), count, parameters);
  }

  /** Mean |a·∂L/∂a| per MLP neuron of each of {@code layers}, the forget loss of {@code probe} as L. */
  static double[][] attribution(Gpt model, int[] layers, TokenBatch probe) {
    List<Tensor> frozen = freezeAll(model);
    Tensor[] acts = new Tensor[layers.length];
    try (HookScope hooks = model.hooks().scope(); PointerScope scope = new PointerScope()) {
      for (int i = 0; i < layers.length; i++) {
        int k = i;
        hooks.add(GptHooks.mlpPost(layers[i]), a -> {
          acts[k] = a.detach().requires_grad_(true);
          return acts[k];
        });
      }
      LmLoss.mean(model, probe).backward();
      double[][] out = new double[layers.length][];
      for (int i = 0; i < layers.length; i++) out[i] = Localisation.attributionScores(acts[i], acts[i].grad());
      return out;
    } finally {
      frozen.forEach(t -> t.requires_grad_(true));
    }
  }

  private static List<Tensor> freezeAll(Gpt model) {
    List<Tensor> out = new ArrayList<>();
    try (NoGradGuard g = new NoGradGuard()) {
      for (Tensor t : model.parameters().values()) {
        if (t.requires_grad()) {
          t.requires_grad_(false);
          out.add(t);
        }
      }
    }
    return out;
  }
}
