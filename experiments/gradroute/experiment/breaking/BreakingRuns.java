package gradroute.experiment.breaking;

import gradroute.data.TrainTest;
import gradroute.experiment.ConsoleSummary;
import gradroute.report.Criterion;
import gradroute.report.RunDirectory;
import java.util.ArrayList;
import java.util.List;

/** Runs every seed of a circuit-breaking config, writes the report and prints the console summary. */
public final class BreakingRuns {
  private BreakingRuns() {}

  public static BreakingReport.Summary run(BreakingConfig config, RunDirectory dir, TrainTest digits) throws java.io.IOException {
    long start = System.nanoTime();
    BreakingData data = BreakingData.of(digits, config.badDigit(), config.badCount());
    BreakingRun run = new BreakingRun(config, data);
    List<BreakingRun.SeedResult> results = new ArrayList<>();
    for (long seed : config.seeds()) {
      BreakingRun.SeedResult r = run.run(seed);
      BreakingRun.MethodResult learned = r.method(BreakingRun.LEARNED);
      System.out.printf("seed %d: bad set %.3f -> %.3f, other digits %.4f -> %.4f, %d edges ablated (%.2f%%), %.0f s%n", seed, r.badBefore(),
          learned.badAccuracy(), r.otherBefore(), learned.otherAccuracy(), learned.changed(), 100 * learned.changedFraction(), r.seconds());
      results.add(r);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    BreakingReport.Summary summary = BreakingReport.write(dir, config, results, wall);
    StringBuilder out = new StringBuilder(Criterion.markdown(summary.criteria().values()));
    for (BreakingReport.MethodMean m : summary.means()) {
      out.append(String.format("%n%-36s bad set %.3f, other %ss %.3f, other digits %.4f (drop %.2f pts), %.0f %s changed (%.2f%%)", m.method(),
          m.badAccuracy(), Integer.toString(config.badDigit()), m.restOfBadDigitAccuracy(), m.otherAccuracy(), 100 * m.otherDrop(), m.changed(), m.unit(),
          100 * m.changedFraction()));
    }
    ConsoleSummary.print(out.toString(), wall, dir.root());
    return summary;
  }
}
