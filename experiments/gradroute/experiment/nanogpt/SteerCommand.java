package gradroute.experiment.nanogpt;

import gradroute.cli.DeviceOption;
import gradroute.distributed.Launcher;
import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.report.RunDirectory;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradroute nanogpt steer}: route one token's gradient onto residual dim 0 of the upper
 * blocks, then read dim 0 out as a steering scalar (spec §1, §5), against an unrouted control.
 */
@Command(name = "steer", mixinStandardHelpOptions = true,
    description = {"Train a modern GPT (RMSNorm, RoPE, tied embeddings) on real text with one token's gradient routed to "
        + "residual dim 0 in blocks L/3..L-1, and an unrouted control; then the cosine readout, steering curve, AUROC, "
        + "validation loss and steered samples.",
        "Writes results/nanogpt/<run>/: summary.json (with criteria), results.csv, training/*.csv, plots/*.png, samples/*.txt, models/."})
public final class SteerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DeviceOption device;

  @Option(names = "--quick", description = "a smoke run (CI): tiny model, 40 steps, one seed")
  boolean quick;

  @Option(names = "--corpus", paramLabel = "FILE", description = "UTF-8 text to train on, one document per line (default: the KJV from Debian's bible-kjv)")
  Path corpus;

  @Option(names = "--token", paramLabel = "WORD", description = "the routed word with its leading space (default ' LORD')")
  String token;

  @Option(names = "--seeds", split = ",", description = "seeds (default 0,1,2)")
  List<Long> seeds;

  @Option(names = "--models", split = ",", description = "routed, control or both (default both)")
  List<String> models;

  @Option(names = "--steps", description = "optimiser steps per model") Integer steps;
  @Option(names = "--batch", description = "sequences per optimiser step, all ranks together") Integer batch;
  @Option(names = "--micro-batch", description = "sequences per forward/backward on one rank (gradient accumulation)") Integer microBatch;
  @Option(names = "--layers") Integer layers;
  @Option(names = "--d-model") Integer dModel;
  @Option(names = "--heads") Integer heads;
  @Option(names = "--kv-heads", description = "key/value heads (grouped-query attention; default = --heads)") Integer kvHeads;
  @Option(names = "--ctx", description = "sequence length") Integer ctx;
  @Option(names = "--vocab", description = "BPE vocabulary size") Integer vocab;
  @Option(names = "--lr") Double lr;

  @Option(names = "--nproc", description = "train data-parallel in N processes on this machine (Gloo over loopback)")
  Integer nproc;
  @Option(names = "--rank", description = "this process' global rank (else $RANK)") Integer rank;
  @Option(names = "--world-size", description = "number of processes (else $WORLD_SIZE)") Integer worldSize;
  @Option(names = "--master-addr", description = "rank 0's host (else $MASTER_ADDR, else 127.0.0.1)") String masterAddr;
  @Option(names = "--master-port", description = "rank 0's TCPStore port (else $MASTER_PORT, else 29500)") Integer masterPort;
  @Option(names = "--backend", defaultValue = "gloo", description = "gloo (CPU) or nccl (GPU build)") String backend;
  @Option(names = "--collective-timeout", defaultValue = "600", description = "seconds a collective may wait (default 600)") long timeoutSeconds;

  @Option(names = "--out", defaultValue = "results", paramLabel = "DIR", description = "results root (default: ${DEFAULT-VALUE})")
  Path out;
  @Option(names = "--run", paramLabel = "NAME", description = "run folder name (default: a timestamp)") String runName;
  @Option(names = "--resume", description = "continue the named --run: finished models are skipped, training resumes from checkpoints")
  boolean resume;

  @Override
  public Integer call() throws Exception {
    if (resume && runName == null) throw new IllegalArgumentException("--resume needs --run NAME (the run to continue)");
    NgSettings s = settings();
    WorldConfig world = WorldConfig.resolve(rank, worldSize, masterAddr, masterPort, backend,
        Duration.ofSeconds(timeoutSeconds), System.getenv());
    if (nproc != null && nproc > 1 && !world.distributed()) return launch(nproc);
    s.nproc = world.worldSize();
    s.validate(world.worldSize());
    TorchRuntime.init();
    long t0 = System.nanoTime();
    try (ProcessGroup group = world.distributed() ? ProcessGroup.join(world) : null) {
      NgData data = world.isMain() ? NgData.load(corpus, s.routedWord, s.vocab) : null;
      if (group != null) group.barrier(); // rank 0 built the cache; the others read it
      if (data == null) data = NgData.load(corpus, s.routedWord, s.vocab);
      Path root;
      RunDirectory run = null;
      if (world.isMain()) {
        run = RunDirectory.create(out, "nanogpt", runName, s);
        root = run.root();
      } else {
        if (runName == null) throw new IllegalArgumentException("ranks above 0 need --run NAME (the launcher passes it)");
        root = out.resolve("nanogpt").resolve(runName);
      }
      if (run != null) run.clearOutcome();
      NgRunner runner = new NgRunner(s, data, root, device.device(), resume, group, world);
      System.out.printf("corpus %s: %d train / %d val tokens, vocab %d; routed '%s' (id %d, %.2e of tokens); model %s%n",
          data.meta.corpus(), data.meta.trainTokens(), data.meta.valTokens(), data.meta.vocab(), s.routedWord, data.routedId(),
          data.meta.routedFrequency(), runner.config());
      List<NgRunner.ModelRun> runs;
      try {
        runs = runner.runAll();
      } catch (RuntimeException | java.io.IOException e) {
        if (run != null) run.markFailed(e);
        throw e;
      }
      if (world.isMain()) {
        double wall = (System.nanoTime() - t0) / 1e9;
        NgReport.Summary summary = NgReport.write(run, s, data, runner.config().toString(), runs, wall);
        System.out.println(NgReport.table(summary));
        System.out.printf("wall time %.0f s; results in %s%n", wall, run.root());
      }
    }
    return 0;
  }

  private int launch(int n) throws Exception {
    String name = runName != null ? runName : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    List<String> args = new ArrayList<>();
    List<String> original = spec.commandLine().getParseResult().originalArgs(); // from "nanogpt steer" on
    for (int i = 0; i < original.size(); i++) {
      String a = original.get(i);
      if (a.equals("--nproc") || a.equals("--run")) {
        i++;
        continue;
      }
      if (a.startsWith("--nproc=") || a.startsWith("--run=")) continue;
      args.add(a);
    }
    args.add("--run");
    args.add(name);
    Path logs = out.resolve("nanogpt").resolve(name).resolve("logs");
    Files.createDirectories(logs);
    Launcher.Outcome outcome = Launcher.launch(n, "gradroute.cli.Main", args, logs);
    if (!outcome.ok()) {
      throw new IllegalStateException("rank " + outcome.failedRank() + " of " + n + " failed with exit code " + outcome.exitCode()
          + "; the other ranks were stopped (logs in " + logs + ")");
    }
    return 0;
  }

  NgSettings settings() {
    NgSettings s = quick ? NgSettings.quick() : NgSettings.defaults();
    if (corpus != null) s.corpus = corpus.toString();
    if (token != null) s.routedWord = token;
    if (seeds != null) s.seeds = new ArrayList<>(seeds);
    if (models != null) s.models = new ArrayList<>(models);
    if (steps != null) s.steps = steps;
    if (batch != null) s.batch = batch;
    if (microBatch != null) s.microBatch = microBatch;
    if (layers != null) s.nLayers = layers;
    if (dModel != null) s.dModel = dModel;
    if (heads != null) {
      s.nHeads = heads;
      if (kvHeads == null) s.nKvHeads = heads;
    }
    if (kvHeads != null) s.nKvHeads = kvHeads;
    if (ctx != null) s.nCtx = ctx;
    if (vocab != null) s.vocab = vocab;
    if (lr != null) s.lr = lr;
    if (s.microBatch > s.batch) s.microBatch = s.batch;
    return s;
  }
}
