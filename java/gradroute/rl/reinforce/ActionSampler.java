package gradroute.rl.reinforce;

import gradroute.runtime.TensorArrays;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** Samples actions from a policy in Java (seeded, so runs and resumed runs are reproducible). */
final class ActionSampler {
  private ActionSampler() {}

  /** {@code out[e]} ~ softmax(logits[e]) for {@code [n, actions]} logits. */
  static void sample(Tensor logits, SplittableRandom rng, int[] out) {
    float[] probs;
    try (NoGradGuard guard = new NoGradGuard()) {
      probs = TensorArrays.toFloats(logits.softmax(1));
    }
    int actions = probs.length / out.length;
    if (actions * out.length != probs.length) {
      throw new IllegalArgumentException(probs.length + " probabilities for " + out.length + " rows");
    }
    sample(probs, actions, rng, out);
  }

  static void sample(float[] probs, int actions, SplittableRandom rng, int[] out) {
    for (int e = 0; e < out.length; e++) {
      double u = rng.nextDouble();
      int base = e * actions;
      int chosen = actions - 1;
      double cumulative = 0;
      for (int a = 0; a < actions - 1; a++) {
        cumulative += probs[base + a];
        if (u < cumulative) {
          chosen = a;
          break;
        }
      }
      out[e] = chosen;
    }
  }
}
