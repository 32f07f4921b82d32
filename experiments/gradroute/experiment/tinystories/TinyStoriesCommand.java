package gradroute.experiment.tinystories;

import gradroute.cli.RunOptions;
import gradroute.cli.RunSetup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradroute tinystories}: forest unlearning on TinyStories-style data with Expand, Route,
 * Ablate, compared with data filtering, RMU and the ERA control (the gradient
 * routing paper's TinyStories experiment). The default is a 2-core CPU demo on the synthetic corpus.
 */
@Command(name = "tinystories", mixinStandardHelpOptions = true, subcommands = TinyStoriesAnalyzeCommand.class,
    description = {"Unlearn the forest topic from TinyStories-style stories with Expand-Route-Ablate (ERA), and compare with "
        + "data filtering, RMU and the ERA control (expansion without routing), including a retraining attack.",
        "Writes results/tinystories/<run>/: summary.json, headline.md, losses.csv, attack.csv, training/*.csv, plots/*.png, "
            + "generations.md, models/*.pt."})
public final class TinyStoriesCommand implements Callable<Integer> {
  @Mixin RunOptions run;

  @Option(names = "--quick", description = "a smoke run in a few minutes (CI): the 'quick' preset (tiny model, short training, p = 1 only)")
  void quick(boolean on) {
    if (on) run.preset("quick");
  }

  @Option(names = "--l1-scope", paramLabel = "all|added", description = "units the L1 penalty covers: all units of the routed layers (default, as the spec) or the added ones only; config key l1AddedOnly")
  void l1Scope(String scope) {
    switch (scope) {
      case "all" -> run.set("--l1-scope", "l1AddedOnly", "false");
      case "added" -> run.set("--l1-scope", "l1AddedOnly", "true");
      default -> throw new IllegalArgumentException("--l1-scope must be all or added, got '" + scope + "'");
    }
  }

  @Option(names = "--corpus", paramLabel = "FILE", description = "real TinyStories stories (plain text with <|endoftext|> separators, a JSON array or JSON lines); default: the synthetic corpus (config key corpus)")
  void corpus(String v) {
    run.set("--corpus", "corpus", v);
  }

  @Option(names = "--method", paramLabel = "METHOD", description = "era, filter, rmu, control, base or all, comma list (default all); filter and rmu also train base (config key methods)")
  void method(String v) {
    run.set("--method", "methods", v);
  }

  @Option(names = "--oversight", paramLabel = "P", description = "labelled shares p of forget stories, comma list (default 0.5,1.0) (config key oversight)")
  void oversight(String v) {
    run.set("--oversight", "oversight", v);
  }

  @Option(names = "--report-only", description = "with --resume: train nothing, rebuild summary, tables and plots from the stages in the run folder (e.g. of parallel runs copied together); stages not there are left out")
  boolean reportOnly;

  @Option(names = "--rmu-oversight", paramLabel = "P", description = "the oversight levels RMU runs at, comma list (default: every --oversight level) (config key rmuOversight)")
  void rmuOversight(String v) {
    run.set("--rmu-oversight", "rmuOversight", v);
  }

  @Option(names = "--forest-entities", paramLabel = "N", description = "synthetic corpus: forest animals, 3 facts each (default 20) (config key forestEntities)")
  void forestEntities(String v) {
    run.set("--forest-entities", "forestEntities", v);
  }

  @Option(names = "--forest-facts", paramLabel = "N", description = "synthetic corpus: facts every forest story states, 1-3 (default 3) (config key forestFacts)")
  void forestFacts(String v) {
    run.set("--forest-facts", "forestFacts", v);
  }

  @Option(names = "--steps", paramLabel = "N", description = "training steps per model (default 700; quick 120) (config key steps)")
  void steps(String v) {
    run.set("--steps", "steps", v);
  }

  @Option(names = "--batch", paramLabel = "N", description = "stories per training step (default 32) (config key batch)")
  void batch(String v) {
    run.set("--batch", "batch", v);
  }

  @Option(names = "--l1", paramLabel = "X", description = "L1 coefficient (default 1e-4) on all units of the routed layers, as the paper (see --l1-scope) (config key l1)")
  void l1(String v) {
    run.set("--l1", "l1", v);
  }

  @Option(names = "--expand-neurons", paramLabel = "N", description = "new MLP units per expanded layer (default 16) (config key expandNeurons)")
  void expandNeurons(String v) {
    run.set("--expand-neurons", "expandNeurons", v);
  }

  @Option(names = "--expand-layers", paramLabel = "LAYERS", description = "expanded and routed layers (default 1,2,3) (config key expandLayers)")
  void expandLayers(String v) {
    run.set("--expand-layers", "expandLayers", v);
  }

  @Option(names = "--off-target-expanded", paramLabel = "X", description = "gate on the added units at unrouted positions (paper: 1, default) (config key offTargetExpanded)")
  void offTargetExpanded(String v) {
    run.set("--off-target-expanded", "offTargetExpanded", v);
  }

  @Option(names = "--rmu-alpha", paramLabel = "X", description = "RMU retain weight alpha (default 20) (config key rmuAlpha)")
  void rmuAlpha(String v) {
    run.set("--rmu-alpha", "rmuAlpha", v);
  }

  @Option(names = "--rmu-lr", paramLabel = "X", description = "RMU learning rate (default 5e-3) (config key rmuLr)")
  void rmuLr(String v) {
    run.set("--rmu-lr", "rmuLr", v);
  }

  @Option(names = "--rmu-steps", paramLabel = "N", description = "RMU steps (default 250) (config key rmuSteps)")
  void rmuSteps(String v) {
    run.set("--rmu-steps", "rmuSteps", v);
  }

  @Option(names = "--rmu-coeff", paramLabel = "X", description = "RMU steering norm (default 0: 4 × the base model's residual norm) (config key rmuCoeff)")
  void rmuCoeff(String v) {
    run.set("--rmu-coeff", "rmuCoeff", v);
  }

  @Option(names = "--attack-steps", paramLabel = "N", description = "retraining attack steps (default 24) (config key attackSteps)")
  void attackSteps(String v) {
    run.set("--attack-steps", "attackSteps", v);
  }

  @Option(names = "--attack-repetitions", paramLabel = "N", description = "retraining attack repetitions (default 2) (config key attackRepetitions)")
  void attackRepetitions(String v) {
    run.set("--attack-repetitions", "attackRepetitions", v);
  }

  @Option(names = "--coherence-steps", paramLabel = "N", description = "coherence fine-tune steps after ablation (default 10) (config key coherenceSteps)")
  void coherenceSteps(String v) {
    run.set("--coherence-steps", "coherenceSteps", v);
  }

  @Option(names = "--corpus-seed", paramLabel = "SEED", description = "seed of the synthetic corpus / the real corpus' shuffle (default 1) (config key corpusSeed)")
  void corpusSeed(String v) {
    run.set("--corpus-seed", "corpusSeed", v);
  }

  @Mixin gradroute.cli.WorkersOption workers; // a stage: one model's training, ablation, coherence and attacks

  @Override
  public Integer call() throws Exception {
    workers.check();
    RunSetup<TinyStoriesConfig> setup = new RunSetup<>(run, "tinystories", TinyStoriesConfig.class, "demo");
    setup.start(setup.config(),
        (s, dir, device, resume) -> TinyStoriesExperiment.run(s, dir, device, run.deviceName(), resume, reportOnly, workers.resolve(device.is_cpu())));
    return 0;
  }
}
