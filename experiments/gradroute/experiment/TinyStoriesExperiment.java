package gradroute.experiment;

import gradroute.cli.DeviceOption;
import gradroute.experiment.tinystories.TsReport;
import gradroute.experiment.tinystories.TsRunner;
import gradroute.experiment.tinystories.TsSettings;
import gradroute.report.RunDirectory;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradroute tinystories}: forest unlearning on TinyStories-style data with Expand, Route,
 * Ablate, compared with data filtering, RMU and the ERA control (paper §4.2.2; spec
 * shared/specs/tinystories.md). The default is spec §6's 2-core CPU demo on the synthetic corpus.
 */
@Command(name = "tinystories", mixinStandardHelpOptions = true, subcommands = TinyStoriesAnalyzeCommand.class,
    description = {"Unlearn the forest topic from TinyStories-style stories with Expand-Route-Ablate (ERA), and compare with "
        + "data filtering, RMU and the ERA control (expansion without routing), including a retraining attack.",
        "Writes results/tinystories/<run>/: summary.json, headline.md, losses.csv, attack.csv, training/*.csv, plots/*.png, "
            + "generations.md, models/*.pt."})
public final class TinyStoriesExperiment implements Callable<Integer> {
  @Mixin DeviceOption device;

  @Option(names = "--quick", description = "a smoke run in a few minutes (CI): tiny model, short training, p = 1 only")
  boolean quick;

  @Option(names = "--corpus", paramLabel = "FILE",
      description = "real TinyStories stories (plain text with <|endoftext|> separators, a JSON array or JSON lines); default: the synthetic corpus")
  Path corpus;

  @Option(names = "--method", split = ",", paramLabel = "METHOD",
      description = "era, filter, rmu, control, base or all (default all); filter and rmu also train base")
  List<String> methods;

  @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "run seeds (default 0)")
  List<Long> seeds;

  @Option(names = "--oversight", split = ",", paramLabel = "P", description = "labelled shares p of forget stories (default 0.5,1.0)")
  List<Double> oversight;

  @Option(names = "--steps", description = "training steps per model (default 700; quick 120)")
  Integer steps;

  @Option(names = "--batch", description = "stories per training step (default 32)")
  Integer batch;

  @Option(names = "--l1", description = "L1 coefficient (default 1e-3 on the added units; the spec: 1e-4 on all units with --l1-scope all)")
  Double l1;

  @Option(names = "--expand-neurons", description = "new MLP units per expanded layer (default 16)")
  Integer expandNeurons;

  @Option(names = "--expand-layers", split = ",", description = "expanded and routed layers (default 0,1,2)")
  int[] expandLayers;

  @Option(names = "--rmu-alpha", description = "RMU retain weight alpha (default 20)")
  Double rmuAlpha;

  @Option(names = "--l1-scope", paramLabel = "all|added", description = "units the L1 penalty covers: added (default) or all units of the routed layers (spec)")
  String l1Scope;

  @Option(names = "--off-target-expanded", description = "gate on the added units at unrouted positions (spec: 1, default)")
  Double offTargetExpanded;

  @Option(names = "--rmu-lr", description = "RMU learning rate (default 5e-3)")
  Double rmuLr;

  @Option(names = "--rmu-steps", description = "RMU steps (default 250)")
  Integer rmuSteps;

  @Option(names = "--rmu-coeff", description = "RMU steering norm (default: 4 × the base model's residual norm)")
  Double rmuCoeff;

  @Option(names = "--attack-steps", description = "retraining attack steps (default 24)")
  Integer attackSteps;

  @Option(names = "--attack-repetitions", description = "retraining attack repetitions (default 2)")
  Integer attackRepetitions;

  @Option(names = "--coherence-steps", description = "coherence fine-tune steps after ablation (default 10)")
  Integer coherenceSteps;

  @Option(names = "--corpus-seed", description = "seed of the synthetic corpus / the real corpus' shuffle (default 1)")
  Long corpusSeed;

  @Option(names = "--out", defaultValue = "results", paramLabel = "DIR", description = "results root (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--run", paramLabel = "NAME", description = "run folder name (default: a timestamp)")
  String runName;

  @Option(names = "--resume", description = "continue the named --run: finished methods are skipped, training resumes from checkpoints")
  boolean resume;

  @Override
  public Integer call() throws Exception {
    if (resume && runName == null) throw new IllegalArgumentException("--resume needs --run NAME (the run to continue)");
    TorchRuntime.init();
    TsSettings s = settings();
    s.validate();
    RunDirectory run = RunDirectory.create(out, "tinystories", runName, s);
    long t0 = System.nanoTime();
    TsRunner runner = new TsRunner(s, run, device.device(), resume);
    List<TsRunner.MethodResult> results = runner.run();
    double wall = (System.nanoTime() - t0) / 1e9;
    TsReport.Summary summary = TsReport.write(run, s, runner.data().description, device.name(), results, wall);
    System.out.println(TsReportText.headline(summary));
    System.out.printf("wall time %.0f s; results in %s%n", wall, run.root());
    return 0;
  }

  TsSettings settings() {
    TsSettings s = quick ? TsSettings.quick() : TsSettings.demo();
    if (corpus != null) s.corpus = corpus.toString();
    if (methods != null) s.methods = new ArrayList<>(methods);
    if (seeds != null) s.seeds = new ArrayList<>(seeds);
    if (oversight != null) s.oversight = new ArrayList<>(oversight);
    if (steps != null) s.steps = steps;
    if (batch != null) s.batch = batch;
    if (l1 != null) s.l1 = l1;
    if (rmuSteps != null) s.rmuSteps = rmuSteps;
    if (rmuLr != null) s.rmuLr = rmuLr;
    if (rmuAlpha != null) s.rmuAlpha = rmuAlpha;
    if (expandNeurons != null) s.expandNeurons = expandNeurons;
    if (expandLayers != null) s.expandLayers = expandLayers.clone();
    if (offTargetExpanded != null) s.offTargetExpanded = offTargetExpanded;
    if (l1Scope != null) {
      switch (l1Scope) {
        case "all" -> s.l1AddedOnly = false;
        case "added" -> s.l1AddedOnly = true;
        default -> throw new IllegalArgumentException("--l1-scope must be all or added, got '" + l1Scope + "'");
      }
    }
    if (rmuCoeff != null) s.rmuCoeff = rmuCoeff;
    if (attackSteps != null) s.attackSteps = attackSteps;
    if (attackRepetitions != null) s.attackRepetitions = attackRepetitions;
    if (coherenceSteps != null) s.coherenceSteps = coherenceSteps;
    if (corpusSeed != null) s.corpusSeed = corpusSeed;
    return s;
  }

  /** Console rendering of the summary. */
  static final class TsReportText {
    static String headline(TsReport.Summary summary) {
      StringBuilder b = new StringBuilder();
      b.append(gradroute.experiment.tinystories.TsReportTables.markdown(summary.table()));
      for (TsReport.Criterion c : summary.criteria()) {
        b.append(c.pass() == null ? "  n/a  " : c.pass() ? "  PASS " : "  FAIL ").append(c.name()).append(": ").append(c.measured()).append('\n');
      }
      return b.toString();
    }
  }
}
