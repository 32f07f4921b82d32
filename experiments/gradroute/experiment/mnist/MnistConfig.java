package gradroute.experiment.mnist;

import gradroute.report.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * One configuration of the MNIST representation-splitting run (spec mnist.md §2–3). Presets live in
 * {@code experiments/configs/mnist/<name>.json}; command-line flags override single fields.
 *
 * @param goodOnBad weight of the 5–9 digits reconstructed through half A (config F's extra term)
 */
public record MnistConfig(
    String name,
    String description,
    int[] hidden,
    int latent,
    int epochs,
    int batchSize,
    double learningRate,
    double weightDecay,
    boolean routing,
    boolean splitDecoders,
    double good,
    double goodOnBad,
    double bad,
    double certificateA,
    double certificateB,
    double l1A,
    double l1B,
    double correlation) {

  public static final String[] PRESETS = {"cpu", "quick", "T", "F", "T-no-correlation", "T-no-regularisation", "T-split-decoders", "paper"};

  public static MnistConfig preset(String name) throws IOException {
    String resource = "/gradroute/experiment/configs/mnist/" + name + ".json";
    try (InputStream in = MnistConfig.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("unknown MNIST config '" + name + "' (presets: " + String.join(", ", PRESETS) + ")");
      }
      return Json.mapper().readValue(in, MnistConfig.class).validated();
    }
  }

  public MnistConfig validated() {
    if (hidden == null || hidden.length == 0 || Arrays.stream(hidden).anyMatch(h -> h <= 0)) {
      throw new IllegalArgumentException("config " + name + ": hidden sizes must be positive, got " + Arrays.toString(hidden));
    }
    if (latent <= 0 || latent % 2 != 0) throw new IllegalArgumentException("config " + name + ": latent must be positive and even, got " + latent);
    if (epochs < 0) throw new IllegalArgumentException("config " + name + ": epochs must be >= 0, got " + epochs);
    if (batchSize <= 0) throw new IllegalArgumentException("config " + name + ": batch size must be positive, got " + batchSize);
    if (!(learningRate > 0)) throw new IllegalArgumentException("config " + name + ": learning rate must be positive, got " + learningRate);
    return this;
  }

  public MnistConfig withEpochs(int e) {
    return new MnistConfig(name, description, hidden, latent, e, batchSize, learningRate, weightDecay, routing, splitDecoders, good, goodOnBad, bad, certificateA, certificateB, l1A, l1B, correlation).validated();
  }

  public MnistConfig withBatchSize(int b) {
    return new MnistConfig(name, description, hidden, latent, epochs, b, learningRate, weightDecay, routing, splitDecoders, good, goodOnBad, bad, certificateA, certificateB, l1A, l1B, correlation).validated();
  }

  public MnistConfig withHidden(int[] h) {
    return new MnistConfig(name, description, h, latent, epochs, batchSize, learningRate, weightDecay, routing, splitDecoders, good, goodOnBad, bad, certificateA, certificateB, l1A, l1B, correlation).validated();
  }

  /** The no-routing control: identical but for routing. */
  public MnistConfig control() {
    return new MnistConfig(name + "-control", "no-routing control of " + name, hidden, latent, epochs, batchSize, learningRate, weightDecay, false, splitDecoders, good, goodOnBad, bad, certificateA, certificateB, l1A, l1B, correlation);
  }
}
