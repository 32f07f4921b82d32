package gradroute.experiment.nanogpt;

import gradroute.cli.DataParallelLaunch;
import gradroute.cli.RunOptions;
import gradroute.cli.RunSetup;
import gradroute.config.Configs;
import java.util.List;
import java.util.concurrent.Callable;
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

  @Option(names = "--exclusive-dim0", description = "route every other position's gradient away from dim 0 in the routed blocks, "
      + "so that dim 0 learns from the routed token alone (an extension of the paper's setting) (config key exclusiveDim0)")
  void exclusiveDim0(boolean v) {
    run.set("--exclusive-dim0", "exclusiveDim0", String.valueOf(v));
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

  @Mixin DataParallelLaunch parallel;

  @Override
  public Integer call() throws Exception {
    RunSetup<NanoGptConfig> setup = new RunSetup<>(run, NanoGptCommand.EXPERIMENT, NanoGptConfig.class, "default");
    NanoGptConfig config = setup.config();
    Configs.check(config, List.of());
    return parallel.run(run, setup, config, config::validateWorld, SteerExperiment::run);
  }
}
