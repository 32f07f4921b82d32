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

  @Mixin DataParallelLaunch parallel;

  @Override
  public Integer call() throws Exception {
    RunSetup<UnlearnConfig> setup = new RunSetup<>(run, NanoGptCommand.EXPERIMENT, UnlearnConfig.class, DEFAULT_PRESET);
    UnlearnConfig config = setup.config();
    Configs.check(config, List.of());
    return parallel.run(run, setup, config, config::validateWorld, UnlearnExperiment::run);
  }
}
