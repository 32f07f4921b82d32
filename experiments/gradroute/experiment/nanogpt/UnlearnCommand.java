package gradroute.experiment.nanogpt;

import gradroute.cli.RunOptions;
import gradroute.cli.RunSetup;
import gradroute.config.Configs;
import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.report.AtomicFiles;
import gradroute.report.RunDirectory;
import gradroute.runtime.SideBySide;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradroute nanogpt unlearn}: route a topic's tokens into a few MLP neurons of the lower
 * blocks while pretraining, ablate them, tune for coherence, attack by retraining, beside RMU, data filtering and random-neuron ablation of an unrouted
 * control.
 */
@Command(name = "unlearn", mixinStandardHelpOptions = true,
    description = {"Pretrain a modern GPT on real text with a topic's tokens routed into MLP neurons 0..k-1 of blocks 0..L/2-1 "
        + "(w_on 1, w_off -5e-8, L1 on those activations); ablate the neurons, coherence-tune, and attack by retraining on two forget "
        + "documents; the same for RMU, data filtering and random-neuron ablation of an unrouted control.",
        "Writes results/nanogpt/<run>/: summary.json (with criteria), criteria.md, methods.md, results.csv, attack.csv, token_scores.csv, "
            + "training/*.csv, plots/*.png, models/, results/."})
public final class UnlearnCommand implements Callable<Integer> {
  static final String DEFAULT_PRESET = "unlearn";

  @Mixin RunOptions run;

  @Option(names = "--quick", description = "a smoke run (CI): the 'unlearn-quick' preset (tiny model, few steps, one seed)")
  void quick(boolean on) {
    if (on) run.preset("unlearn-quick");
  }

  @Option(names = "--forget", paramLabel = "FILE", description = "forget documents, one per line (with --retain; default: the KJV chapters dense in the topic words) (config key forget)")
  void forget(String v) {
    run.set("--forget", "forget", v);
  }

  @Option(names = "--retain", paramLabel = "FILE", description = "retain documents, one per line (config key retain)")
  void retain(String v) {
    run.set("--retain", "retain", v);
  }

  @Option(names = "--topic", paramLabel = "FILE", description = "the topic corpus W of the token score, one document per line (config key topic)")
  void topic(String v) {
    run.set("--topic", "topic", v);
  }

  @Option(names = "--routed", paramLabel = "WORDS", description = "the routed words, comma list (each taken with its leading space, e.g. offering -> ' offering'; each must become one token) (config key routedWords)")
  void routed(String v) {
    run.set("--routed", "routedWords", v);
  }

  @Option(names = "--models", paramLabel = "MODELS", description = "routed, control, filter, rmu, comma list (config key models)")
  void models(String v) {
    run.set("--models", "models", v);
  }

  @Option(names = "--steps", paramLabel = "N", description = "pretraining steps per model (config key steps)")
  void steps(String v) {
    run.set("--steps", "steps", v);
  }

  @Option(names = "--neurons", paramLabel = "K", description = "routed neurons per routed block (config key routedNeurons)")
  void neurons(String v) {
    run.set("--neurons", "routedNeurons", v);
  }

  @Option(names = "--l1", paramLabel = "X", description = "L1 coefficient on the masked activations (config key l1)")
  void l1(String v) {
    run.set("--l1", "l1", v);
  }

  @Mixin NanoGptLaunch parallel;

  @Override
  public Integer call() throws Exception {
    RunSetup<UnlearnConfig> setup = new RunSetup<>(run, SteerCommand.EXPERIMENT, UnlearnConfig.class, DEFAULT_PRESET);
    UnlearnConfig config = setup.config();
    Configs.check(config, List.of());
    return parallel.run(run, "unlearn", setup, config, config::validateWorld, UnlearnCommand::work);
  }

  private static void work(UnlearnConfig s, Path root, RunDirectory dir, Device device, boolean resume, ProcessGroup group, WorldConfig world,
      int workers) throws Exception {
    long t0 = System.nanoTime();
    UnlearnData data = world.isMain() ? UnlearnData.load(s) : null;
    if (group != null) group.barrier(); // rank 0 built the cache; the others read it
    if (data == null) data = UnlearnData.load(s);
    UnlearnRun runner = new UnlearnRun(s, data, root, device, resume, group, world);
    UnlearnReport.Absorption absorption = null;
    if (dir != null) {
      absorption = runner.absorption();
      Files.copy(data.scoresFile(), dir.path("token_scores.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      System.out.print(data.topScores(s.scoreTop()));
      System.out.printf("corpus %s: forget %d train / %d eval / %d attack documents, retain %d train / %d eval; %d train tokens "
              + "(%d without the forget documents); routed %s = ids %s, %.1f%% of forget-eval and %.2f%% of retain-eval targets; model %s%n",
          data.meta.corpus(), data.meta.forgetTrain().size(), data.meta.forgetEval().size(), data.meta.forgetAttack().size(),
          data.meta.retainTrainDocs(), data.meta.retainEvalDocs(), data.meta.trainTokens(), data.meta.filteredTokens(),
          data.meta.routedWords(), data.meta.routedIds(), 100 * data.meta.routedShareForgetEval(), 100 * data.meta.routedShareRetainEval(),
          runner.config());
      System.out.printf("absorption breakdown: %d unrouted tokens with s(v) >= %s are topical, %.1f%% of forget-eval targets; generic %.1f%%%n",
          absorption.topicalTokens(), s.topicalScore(), 100 * absorption.topicalShareForgetEval(), 100 * absorption.genericShareForgetEval());
    }
    if (dir != null && group == null) System.out.println(SideBySide.describe(workers, "job", device.is_cpu()));
    List<UnlearnRun.MethodResult> results = runner.runAll(workers);
    if (dir != null) {
      double wall = (System.nanoTime() - t0) / 1e9;
      UnlearnReport.Summary summary = UnlearnReport.write(dir, s, data, runner.config().toString(), absorption, results, wall, workers);
      String methods = UnlearnReport.methodsTable(summary);
      AtomicFiles.writeString(dir.path("methods.md"), methods);
      System.out.println(methods);
      System.out.println(UnlearnReport.table(summary));
      System.out.printf("wall time %.0f s; results in %s%n", wall, dir.root());
    }
  }
}
