package gradroute.experiment.interactionbasis;

import gradroute.interactionbasis.Ablation;
import gradroute.interactionbasis.InteractionBasis;
import gradroute.interactionbasis.InteractionGraph;
import gradroute.interactionbasis.MlpStack;
import gradroute.interactionbasis.NodeBasis;
import gradroute.model.Mlp;
import gradroute.runtime.TensorArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The classifier check of LIB: an MNIST MLP (784-100-100-10 by default) trained on the digits, its LIB
 * and PCA bases at the hidden layers, and test accuracy as only the top-k directions of one hidden
 * layer are kept. Unablated it should be accurate, with nothing kept near chance, and the curve
 * should rise with k.
 */
final class ClassifierCheck {
  /** Accuracy as directions are kept at one hidden node layer. */
  record Curve(String basis, int position, int[] k, double[] accuracy) {
    /** The largest fall of accuracy below an earlier point of the curve (0 for a monotone one). */
    double largestFall() {
      double best = Double.NEGATIVE_INFINITY, fall = 0;
      for (double a : accuracy) {
        best = Math.max(best, a);
        fall = Math.max(fall, best - a);
      }
      return fall;
    }
  }

  record Result(long seed, int[] widths, int epochs, double accuracy, List<Curve> curves) {
    double noneKeptMax() {
      return curves.stream().mapToDouble(c -> c.accuracy()[0]).max().orElse(Double.NaN);
    }

    double largestFall() {
      return curves.stream().mapToDouble(Curve::largestFall).max().orElse(Double.NaN);
    }
  }

  private final int[] widths;
  private final int epochs;
  private final int batchSize;
  private final double learningRate;

  ClassifierCheck(int[] widths, int epochs, int batchSize, double learningRate) {
    this.widths = widths.clone();
    this.epochs = epochs;
    this.batchSize = batchSize;
    this.learningRate = learningRate;
  }

  Result run(long seed, Tensor trainImages, int[] trainLabels, Tensor buildImages, Tensor testImages, int[] testLabels, int step) {
    torch.manual_seed(seed);
    Mlp model = new Mlp(widths, true);
    train(model, seed, trainImages, trainLabels);
    MlpStack stack = MlpStack.of(false, model);
    double accuracy = accuracy(stack, Map.of(), testImages, testLabels);
    int[] positions = new int[stack.depth()];
    for (int i = 0; i < positions.length; i++) positions[i] = i + 1;
    List<Curve> curves = new ArrayList<>();
    for (InteractionBasis.Options options : new InteractionBasis.Options[] {InteractionBasis.Options.jacobian(), InteractionBasis.Options.pca()}) {
      InteractionGraph graph = InteractionBasis.build(stack, positions, buildImages, options);
      for (int p = 1; p < stack.depth(); p++) {
        NodeBasis basis = graph.atPosition(p);
        int[] ks = Ablation.linear(basis.directions(), step);
        double[] acc = new double[ks.length];
        for (int i = 0; i < ks.length; i++) acc[i] = accuracy(stack, Map.of(p, Ablation.keepDirections(basis, Ablation.top(ks[i]))), testImages, testLabels);
        curves.add(new Curve(options.basis() == InteractionBasis.Basis.JACOBIAN ? "LIB" : "PCA", p, ks, acc));
      }
    }
    return new Result(seed, widths, epochs, accuracy, curves);
  }

  private void train(Mlp model, long seed, Tensor images, int[] labels) {
    Adam optimizer = new Adam(model.parameters(), new AdamOptions(learningRate));
    Tensor targets = Tensor.create(java.util.Arrays.stream(labels).mapToLong(l -> l).toArray());
    Random random = new Random(seed);
    int n = labels.length;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int from = 0; from < n; from += batchSize) {
        try (PointerScope scope = new PointerScope()) {
          int to = Math.min(n, from + batchSize);
          long[] idx = new long[to - from];
          for (int i = from; i < to; i++) idx[i - from] = order[i];
          Tensor index = Tensor.create(idx);
          Tensor loss = torch.cross_entropy_loss(model.forward(images.index_select(0, index)), targets.index_select(0, index));
          optimizer.zero_grad();
          loss.backward();
          optimizer.step();
        }
      }
    }
  }

  static double accuracy(MlpStack stack, Map<Integer, java.util.function.UnaryOperator<Tensor>> edits, Tensor images, int[] labels) {
    try (NoGradGuard g = new NoGradGuard(); PointerScope scope = new PointerScope()) {
      long[] predicted = TensorArrays.toLongs(stack.output(images, edits).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
      int right = 0;
      for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) right++;
      return (double) right / labels.length;
    }
  }

  static Tensor asFloat(Tensor t) {
    return t.to(ScalarType.Float);
  }
}
