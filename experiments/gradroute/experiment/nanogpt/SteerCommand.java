package gradroute.experiment.nanogpt;

import gradroute.cli.RunOptions;
import gradroute.cli.RunSetup;
import gradroute.config.Configs;
import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.report.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradroute nanogpt steer}: route one token's gradient onto residual dim 0 of the upper
 * blocks, then read dim 0 out as a steering scalar, against an unrouted control.
 */
@Command(name = "steer", mixinStandardHelpOptions = true,
    description = {"Train a modern GPT (RMSNorm, RoPE, tied embeddings) on real text with one token's gradient routed to "
        + "residual dim 0 in blocks L/3..L-1, and an unrouted control; then the cosine readout, steering curve, AUROC, "
        + "validation loss and steered samples.",
        "Writes results/nanogpt/<run>/: summary.json (with criteria), results.csv, training/*.csv, plots/*.png, samples/*.txt, models/."})
public final class SteerCommand implements Callable<Integer> {
  static final String EXPERIMENT = "nanogpt";

  @Mixin RunOptions run;

  @Option(names = "--quick", description = "a smoke run (CI): the 'quick' preset (tiny model, 40 steps, one seed)")
  void quick(boolean on) {
    if (on) run.preset("quick");
  }

  @Option(names = "--corpus", paramLabel = "FILE", description = "UTF-8 text to train on, one document per line (default: the KJV from Debian's bible-kjv) (config key corpus)")
  void corpus(String v) {
    run.set("--corpus", "corpus", v);
  }

  @Option(names = "--token", paramLabel = "WORD", description = "the routed word with its leading space (default ' LORD') (config key routedWord)")
  void token(String v) {
    run.set("--token", "routedWord", v);
  }

  @Option(names = "--models", paramLabel = "MODELS", description = "routed, control or both, comma list (default routed,control) (config key models)")
  void models(String v) {
    run.set("--models", "models", v);
  }

  @Option(names = "--steps", paramLabel = "N", description = "optimiser steps per model (config key steps)")
  void steps(String v) {
    run.set("--steps", "steps", v);
  }

  @Option(names = "--batch", paramLabel = "N", description = "sequences per optimiser step, all ranks together (config key batch)")
  void batch(String v) {
    run.set("--batch", "batch", v);
  }

  @Option(names = "--micro-batch", paramLabel = "N", description = "sequences per forward/backward on one rank (gradient accumulation) (config key microBatch)")
  void microBatch(String v) {
    run.set("--micro-batch", "microBatch", v);
  }

  @Option(names = "--layers", paramLabel = "N", description = "blocks (config key nLayers)")
  void layers(String v) {
    run.set("--layers", "nLayers", v);
  }

  @Option(names = "--d-model", paramLabel = "N", description = "residual width (config key dModel)")
  void dModel(String v) {
    run.set("--d-model", "dModel", v);
  }

  private boolean kvHeadsGiven;

  @Option(names = "--heads", paramLabel = "N", description = "attention heads; also the key/value heads unless --kv-heads (config keys nHeads, nKvHeads)")
  void heads(String v) {
    run.set("--heads", "nHeads", v);
    if (!kvHeadsGiven) run.set("--heads", "nKvHeads", v);
  }

  @Option(names = "--kv-heads", paramLabel = "N", description = "key/value heads (grouped-query attention) (config key nKvHeads)")
  void kvHeads(String v) {
    kvHeadsGiven = true;
    run.set("--kv-heads", "nKvHeads", v);
  }

  @Option(names = "--ctx", paramLabel = "N", description = "sequence length (config key nCtx)")
  void ctx(String v) {
    run.set("--ctx", "nCtx", v);
  }

  @Option(names = "--vocab", paramLabel = "N", description = "BPE vocabulary size (config key vocab)")
  void vocab(String v) {
    run.set("--vocab", "vocab", v);
  }

  @Option(names = "--lr", paramLabel = "X", description = "peak learning rate (config key lr)")
  void lr(String v) {
    run.set("--lr", "lr", v);
  }

  @Mixin NanoGptLaunch parallel;

  @Override
  public Integer call() throws Exception {
    RunSetup<NanoGptConfig> setup = new RunSetup<>(run, EXPERIMENT, NanoGptConfig.class, "default");
    NanoGptConfig config = setup.config();
    Configs.check(config, List.of());
    return parallel.run(run, "steer", setup, config, config::validateWorld, SteerCommand::train);
  }

  /** One rank's work; rank 0 ({@code dir} non-null) also evaluates and writes the report. */
  private static void train(NanoGptConfig s, Path root, RunDirectory dir, Device device, boolean resume, ProcessGroup group,
      WorldConfig world, int workers) throws Exception {
    long t0 = System.nanoTime();
    NanoGptData data = world.isMain() ? NanoGptData.load(s.corpusFile(), s.routedWord(), s.vocab()) : null;
    if (group != null) group.barrier(); // rank 0 built the cache; the others read it
    if (data == null) data = NanoGptData.load(s.corpusFile(), s.routedWord(), s.vocab());
    SteeringRun runner = new SteeringRun(s, data, root, device, resume, group, world);
    System.out.printf("corpus %s: %d train / %d val tokens, vocab %d; routed '%s' (id %d, %.2e of tokens); model %s%n",
        data.meta.corpus(), data.meta.trainTokens(), data.meta.valTokens(), data.meta.vocab(), s.routedWord(), data.routedId(),
        data.meta.routedFrequency(), runner.config());
    if (dir != null && group == null) System.out.println(gradroute.runtime.SideBySide.describe(workers, "model", device.is_cpu()));
    List<SteeringRun.ModelRun> runs = runner.runAll(workers);
    if (dir != null) {
      double wall = (System.nanoTime() - t0) / 1e9;
      SteeringReport.Summary summary = SteeringReport.write(dir, s, data, runner.similar(), runner.config().toString(), runs, wall);
      System.out.println(SteeringReport.table(summary));
      System.out.printf("wall time %.0f s; results in %s%n", wall, dir.root());
    }
  }
}
