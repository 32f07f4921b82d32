package gradroute.bench;

import gradroute.model.GptHooks;
import gradroute.experiment.mnist.MnistConfig;
import gradroute.experiment.mnist.SplitTraining;
import gradroute.model.AdamWConfig;
import gradroute.model.Gpt;
import gradroute.model.GptConfig;
import gradroute.model.LmTrainer;
import gradroute.model.LrSchedule;
import gradroute.model.TokenRouting;
import gradroute.experiment.mnist.SplitAutoencoder;
import gradroute.model.TokenBatch;
import gradroute.routing.MaskTable;
import gradroute.train.Trainable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The training steps {@code bench train} times, built exactly as the experiments build them, on
 * synthetic data that {@code experiments/python/train_bench.py} generates with the same formulas.
 */
final class TrainSteps {
  static final List<String> MODELS = List.of("mnist", "tinystories", "gpt");
  static final int MNIST_IMAGES = 2048;
  static final int MNIST_WIDTH = 784;

  private TrainSteps() {}

  /** One model's training step; {@code describe()} is the shape in words. */
  record Runner(String model, boolean routing, Trainable trainable, String shape) {}

  static Runner create(String model, boolean routing, Device device) throws IOException {
    return switch (model) {
      case "mnist" -> mnist(routing, device, syntheticImages(MNIST_IMAGES, MNIST_WIDTH), syntheticLabels(MNIST_IMAGES));
      case "tinystories" -> gpt(model, GptConfig.cpuDemo(1000, 64), 32, routing, device);
      case "gpt" -> gpt(model, GptConfig.of(6, 256, 8, 32, 1024, 1000, 256, true), 16, routing, device);
      default -> throw new IllegalArgumentException("unknown model '" + model + "' (expected one of " + MODELS + ")");
    };
  }

  /** The MNIST {@code cpu} preset's step on the given images ({@code [n, 784]} in [-1, 1]) and labels. */
  static Runner mnist(boolean routing, Device device, Tensor images, int[] labels) throws IOException {
    MnistConfig config = gradroute.config.Configs.preset(MnistConfig.class, "/gradroute/experiment/configs/mnist", "cpu");
    if (!routing) config = config.control();
    torch.manual_seed(0);
    SplitAutoencoder model = new SplitAutoencoder(MNIST_WIDTH, config.hidden(), config.latent(), config.splitDecoders());
    model.moveTo(device);
    Tensor onDevice = device.is_cpu() ? images : images.to(device, images.scalar_type());
    SplitTraining training = new SplitTraining(config, model, onDevice.retainReference(), labels, 0, device);
    return new Runner("mnist", routing, training, "784→512→128→32, batch " + config.batchSize() + ", certificates, L1, correlation");
  }

  private static Runner gpt(String name, GptConfig config, int batch, boolean routing, Device device) {
    Gpt model = Gpt.create(config, device, 0);
    int d = config.dModel();
    TokenRouting route = null;
    if (routing) {
      // even stories send their gradient into the first half of the residual stream only
      MaskTable table = MaskTable.builder(d).dims(MaskTable.range(0, d / 2)).build();
      long[] index = new long[batch * config.nCtx()];
      for (int b = 0; b < batch; b++) {
        for (int t = 0; t < config.nCtx(); t++) index[b * config.nCtx() + t] = b % 2 == 0 ? 0 : table.noMaskIndex();
      }
      Tensor onCpu = Tensor.create(index, batch, config.nCtx());
      Tensor indexTensor = device.is_cpu() ? onCpu : onCpu.to(device, onCpu.scalar_type());
      indexTensor.retainReference();
      List<String> points = new ArrayList<>();
      for (int l = 0; l < config.nLayers(); l++) points.add(GptHooks.residPost(l));
      route = new TokenRouting(model, points, table, (tokens, labels) -> indexTensor);
    }
    int ctx = config.nCtx();
    LmTrainer trainer = new LmTrainer(model, LmTrainer.Settings.of(AdamWConfig.of(1e-3, 0.9, 0.999, 0.01)).logging("l1", true),
        LrSchedule.constant(1e-3), step -> new LmTrainer.Batch(syntheticTokens(step, batch, ctx + 1, config.vocab()), null), route, null);
    return new Runner(name, routing, trainer, config.nLayers() + " layers × " + d + ", context " + ctx + ", batch " + batch
        + ", vocab " + config.vocab());
  }

  /** Pixels ((i*7919 + j*104729) mod 255) / 127 − 1, as train_bench.py. */
  static Tensor syntheticImages(int count, int width) {
    float[] pixels = new float[count * width];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < width; j++) pixels[i * width + j] = (float) (((i * 7919L + j * 104729L) % 255) / 127.0 - 1.0);
    }
    return Tensor.create(pixels, count, width);
  }

  static int[] syntheticLabels(int count) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) labels[i] = i % 10;
    return labels;
  }

  /** Tokens (b*31 + t*17 + step*7) mod vocab, as train_bench.py. */
  static TokenBatch syntheticTokens(long step, int batch, int length, int vocab) {
    List<long[]> sequences = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      long[] s = new long[length];
      for (int t = 0; t < length; t++) s[t] = (b * 31L + t * 17L + step * 7L) % vocab;
      sequences.add(s);
    }
    return new TokenBatch(sequences, length, 0);
  }
}
