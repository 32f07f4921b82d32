package gradroute.experiment.breaking;

import gradroute.masks.ClampedMask;
import gradroute.masks.EdgeMaskedLinear;
import gradroute.masks.LocalisedFineTuning;
import gradroute.masks.MaskDiscretisation;
import gradroute.masks.MaskTraining;
import gradroute.masks.ParameterSelection;
import gradroute.masks.UnlearningObjective;
import gradroute.runtime.TensorArrays;
import gradroute.train.History;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One seed of circuit breaking on MNIST: train the classifier, learn a mask over its first layer's
 * edges that breaks the bad set, and compare with a random mask of the same size, fine-tuning only
 * the edges the mask picked (localised fine-tuning) and fine-tuning every weight.
 */
final class BreakingRun {
  static final String LEARNED = "learned mask", RANDOM = "random mask (same size)", LOCALISED = "localised fine-tune (mask's edges)",
      FULL = "full fine-tune";

  /** What one method did: accuracies after it, and how much of the model it removed or changed. */
  record MethodResult(String method, double badAccuracy, double restOfBadDigitAccuracy, double otherAccuracy, double otherDrop,
                      long changed, long changeable, String unit) {
    double changedFraction() {
      return (double) changed / changeable;
    }
  }

  record SeedResult(long seed, double badBefore, double restOfBadDigitBefore, double otherBefore, long edges, List<MethodResult> methods,
                    History maskHistory, float[] removedPerPixel, double seconds) {
    MethodResult method(String name) {
      return methods.stream().filter(m -> m.method().equals(name)).findFirst().orElseThrow(() -> new IllegalStateException("no method " + name));
    }
  }

  private final BreakingConfig config;
  private final BreakingData data;

  BreakingRun(BreakingConfig config, BreakingData data) {
    this.config = config;
    this.data = data;
  }

  SeedResult run(long seed) {
    long start = System.nanoTime();
    torch.manual_seed(seed);
    int pixels = (int) data.trainImages().size(1);
    Classifier c = new Classifier(pixels, config.hidden(), BreakingConfig.CLASSES);
    c.train(data, config.classifierEpochs(), config.batchSize(), config.classifierLearningRate(), seed);
    double badBefore = c.accuracy(null, null, data.bad());
    double restBefore = c.accuracy(null, null, data.restOfBadDigit());
    double otherBefore = c.accuracy(null, null, data.otherDigits());
    List<MethodResult> methods = new ArrayList<>();
    long edges = (long) config.hidden() * pixels;
    UnlearningObjective objective = config.objective();
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5eed);

    try (ClampedMask mask = new ClampedMask(config.penaltyKind(), config.hidden(), pixels)) {
      EdgeMaskedLinear first = new EdgeMaskedLinear(c.model.layer(0), mask, config.meanReplacement() ? data.meanImage() : null);
      History history;
      try (MaskTraining training = new MaskTraining(List.of(mask), new MaskTraining.Spec(objective, config.maskLearningRate(), 0, config.threshold()),
          s -> losses(x -> c.logits(first, x), rng, objective))) {
        history = training.run("mask seed " + seed, config.maskSteps(), Math.max(1, config.maskSteps() / 200));
      }
      Tensor hard = MaskDiscretisation.threshold(mask.deterministic(), config.threshold()).retainReference();
      long removed = MaskDiscretisation.removed(hard);
      methods.add(evaluate(LEARNED, c, first, hard, otherBefore, removed, edges, "edges"));
      Tensor random = MaskDiscretisation.random(new long[] {config.hidden(), pixels}, removed, seed);
      methods.add(evaluate(RANDOM, c, first, random, otherBefore, removed, edges, "edges"));
      float[] perPixel = TensorArrays.toFloats(hard.neg().add(new Scalar(1.0)).sum(new long[] {0}, false, null));

      List<Tensor> parameters = List.of(c.model.layer(0).weight(), c.model.layer(0).bias(), c.model.layer(1).weight(), c.model.layer(1).bias());
      List<Tensor> before = parameters.stream().map(p -> p.detach().clone().<Tensor>retainReference()).toList();
      if (removed > 0) {
        ParameterSelection picked = new ParameterSelection().entries("layer0.weight", c.model.layer(0).weight(), hard.neg().add(new Scalar(1.0)));
        methods.add(fineTune(LOCALISED, c, first, parameters, picked, otherBefore, objective, seed, rng));
        restore(parameters, before);
      }
      ParameterSelection all = new ParameterSelection();
      String[] names = {"layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias"};
      for (int i = 0; i < names.length; i++) all.whole(names[i], parameters.get(i));
      methods.add(fineTune(FULL, c, first, parameters, all, otherBefore, objective, seed, rng));
      restore(parameters, before);
      before.forEach(Tensor::releaseReference);
      hard.releaseReference();
      first.release();
      return new SeedResult(seed, badBefore, restBefore, otherBefore, edges, methods, history, perPixel, (System.nanoTime() - start) / 1e9);
    }
  }

  private MethodResult fineTune(String name, Classifier c, EdgeMaskedLinear first, List<Tensor> parameters, ParameterSelection selection,
                                double otherBefore, UnlearningObjective objective, long seed, SplittableRandom rng) {
    UnlearningObjective noSparsity = new UnlearningObjective(objective.forget(), objective.forgetWeight(), objective.retainWeight(), 0, 0);
    try (LocalisedFineTuning ft = new LocalisedFineTuning(parameters, selection, noSparsity, config.fineTuneLearningRate(),
        s -> losses(c.model::forward, rng, noSparsity))) {
      ft.run(name + " seed " + seed, config.fineTuneSteps(), Math.max(1, config.fineTuneSteps() / 50));
    }
    long changed = selection.selectedCount();
    long total = parameters.stream().mapToLong(Tensor::numel).sum();
    selection.release();
    return evaluate(name, c, first, null, otherBefore, changed, total, "parameters");
  }

  /** Retain loss on a random training batch and the forget term on the whole bad set, through {@code logits}. */
  private MaskTraining.Losses losses(UnaryOperator<Tensor> logits, SplittableRandom rng, UnlearningObjective objective) {
    Tensor idx = batch(rng, data.trainCount(), config.batchSize());
    Tensor retain = torch.cross_entropy_loss(logits.apply(data.trainImages().index_select(0, idx)), data.trainClasses().index_select(0, idx));
    return new MaskTraining.Losses(retain, objective.forgetTerm(logits.apply(data.bad().images()), data.bad().classes()));
  }

  private static void restore(List<Tensor> parameters, List<Tensor> before) {
    try (NoGradGuard g = new NoGradGuard()) {
      for (int i = 0; i < parameters.size(); i++) parameters.get(i).copy_(before.get(i));
    }
  }

  private MethodResult evaluate(String name, Classifier c, EdgeMaskedLinear first, Tensor mask, double otherBefore, long changed, long total, String unit) {
    double other = c.accuracy(first, mask, data.otherDigits());
    return new MethodResult(name, c.accuracy(first, mask, data.bad()), c.accuracy(first, mask, data.restOfBadDigit()), other,
        otherBefore - other, changed, total, unit);
  }

  /** {@code size} random indices below {@code n}, with replacement. */
  static Tensor batch(SplittableRandom rng, int n, int size) {
    long[] idx = new long[Math.min(size, n)];
    for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(n);
    return Tensor.create(idx);
  }
}
