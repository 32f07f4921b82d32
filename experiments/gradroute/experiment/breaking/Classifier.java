package gradroute.experiment.breaking;

import gradroute.masks.EdgeMaskedLinear;
import gradroute.model.Linear;
import gradroute.model.Mlp;
import gradroute.runtime.TensorArrays;
import gradroute.train.Trainable;
import gradroute.train.TrainingLoop;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The 784-hidden-5 classifier of digit pairs, its training, and its forward pass with the first layer's edges masked. */
final class Classifier {
  final Mlp model;

  Classifier(int pixels, int hidden, int classes) {
    model = new Mlp(new int[] {pixels, hidden, classes}, true);
  }

  /** Trains with Adam on random minibatches (one epoch: train count / batch steps) on the one loop. */
  void train(BreakingData data, int epochs, int batchSize, double learningRate, long seed) {
    int n = data.trainCount();
    long steps = (long) epochs * Math.max(1, n / batchSize);
    Adam optimizer = new Adam(model.parameters(), new AdamOptions(learningRate));
    SplittableRandom rng = new SplittableRandom(seed);
    Trainable step = s -> {
      Tensor idx = BreakingRun.batch(rng, n, batchSize);
      Tensor loss = torch.cross_entropy_loss(model.forward(data.trainImages().index_select(0, idx)), data.trainClasses().index_select(0, idx));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      return Map.of("loss", loss.item_double());
    };
    try {
      TrainingLoop.bare("classifier seed " + seed, steps).run(step, false);
    } finally {
      optimizer.deallocate();
    }
  }

  /** Logits with the first layer's edges masked by {@code mask} values (null: the plain model). */
  Tensor logits(EdgeMaskedLinear first, Tensor mask, Tensor images) {
    if (mask == null) return model.forward(images);
    return Linear.of(model.layer(1), torch.relu(first.forward(images, mask)));
  }

  /** Logits through the mask's training values. */
  Tensor logits(EdgeMaskedLinear first, Tensor images) {
    return Linear.of(model.layer(1), torch.relu(first.forward(images)));
  }

  double accuracy(EdgeMaskedLinear first, Tensor mask, BreakingData.Split split) {
    try (NoGradGuard g = new NoGradGuard()) {
      long[] predicted = TensorArrays.toLongs(logits(first, mask, split.images()).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
      long[] truth = TensorArrays.toLongs(split.classes());
      int right = 0;
      for (int i = 0; i < truth.length; i++) if (predicted[i] == truth[i]) right++;
      return (double) right / truth.length;
    }
  }
}
