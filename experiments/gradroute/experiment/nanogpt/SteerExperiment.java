package gradroute.experiment.nanogpt;

import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.experiment.ConsoleSummary;
import gradroute.report.RunDirectory;
import gradroute.runtime.SideBySide;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Device;

/** The nanoGPT steering experiment once its run folder exists: the data, the routed and control models, the evaluation and the report. */
public final class SteerExperiment {
  private SteerExperiment() {}

  /**
   * Routed positions below which the run warns. In the frequency diagnostic at the default model size
   * (docs/nanogpt-steering-frequency.md) the steering scalar formed at 3,500 routed positions (' LORD',
   * 600 steps, every seed) and not at 1,580 or fewer; the warning starts between the two.
   */
  static final long MIN_ROUTED_POSITIONS = 3000;

  /** How many routed positions each model will see, and a warning with the steps needed when that is too few. */
  static String routedPositionsNote(NanoGptConfig s, double frequency) {
    long positions = s.routedPositions(frequency);
    String note = String.format("routed positions per model: %d (%.2e of %d steps x %d sequences x %d tokens)%n", positions, frequency,
        s.steps(), s.batch(), s.nCtx());
    if (positions >= MIN_ROUTED_POSITIONS) return note;
    long steps = (long) Math.ceil(MIN_ROUTED_POSITIONS / (frequency * s.batch() * s.nCtx()));
    return note + String.format("warning: '%s' is too rare for %d steps: below about %d routed positions the scalar did not form at "
        + "the default model size (docs/nanogpt-steering-frequency.md); --steps %d would give that%n", s.routedWord(), s.steps(),
        MIN_ROUTED_POSITIONS, steps);
  }

  /** One rank's work; rank 0 ({@code dir} non-null) also evaluates and writes the report. */
  public static void run(NanoGptConfig s, Path root, RunDirectory dir, Device device, boolean resume, ProcessGroup group,
      WorldConfig world, int workers) throws Exception {
    long t0 = System.nanoTime();
    NanoGptData data = world.isMain() ? NanoGptData.load(s.corpusFile(), s.routedWord(), s.vocab()) : null;
    if (group != null) group.barrier(); // rank 0 built the cache; the others read it
    if (data == null) data = NanoGptData.load(s.corpusFile(), s.routedWord(), s.vocab());
    SteeringRun runner = new SteeringRun(s, data, root, device, resume, group, world);
    System.out.printf("corpus %s: %d train / %d val tokens, vocab %d; routed '%s' (id %d, %.2e of tokens); model %s%n",
        data.meta.corpus(), data.meta.trainTokens(), data.meta.valTokens(), data.meta.vocab(), s.routedWord(), data.routedId(),
        data.meta.routedFrequency(), runner.config());
    if (dir != null) System.out.print(routedPositionsNote(s, data.meta.routedFrequency()));
    if (dir != null && group == null) System.out.println(SideBySide.describe(workers, "model", device.is_cpu()));
    if (dir != null) NanoGptRunFolder.saveTokenizer(data.tokenizer, dir.root()); // once training starts: the folder is a run
    List<SteeringRun.ModelRun> runs = runner.runAll(workers);
    if (dir != null) {
      double wall = (System.nanoTime() - t0) / 1e9;
      SteeringReport.Summary summary = SteeringReport.write(dir, s, data, runner.similar(), runner.config().toString(), runs, wall);
      ConsoleSummary.print(SteeringReport.table(summary), wall, dir.root());
    }
  }
}
