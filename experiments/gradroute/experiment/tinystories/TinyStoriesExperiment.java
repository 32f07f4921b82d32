package gradroute.experiment.tinystories;

import gradroute.experiment.ConsoleSummary;
import gradroute.report.Numbers;
import gradroute.report.RunDirectory;
import gradroute.runtime.SideBySide;
import java.util.List;
import org.bytedeco.pytorch.Device;

/** The TinyStories experiment once its run folder exists: every stage, then the report files and the console summary. */
public final class TinyStoriesExperiment {
  private TinyStoriesExperiment() {}

  /**
   * @param reportOnly train nothing: rebuild the report from the stages already in the folder
   * @param workers stages trained side by side ({@link SideBySide})
   */
  public static TinyStoriesReport.Result run(TinyStoriesConfig s, RunDirectory dir, Device device, String deviceName, boolean resume,
      boolean reportOnly, int workers) throws Exception {
    long t0 = System.nanoTime();
    TinyStoriesRun runner = new TinyStoriesRun(s, dir, device, resume, reportOnly);
    System.out.println(SideBySide.describe(workers, "stage", device.is_cpu()));
    List<TinyStoriesRun.MethodResult> results = runner.run(workers);
    double wall = (System.nanoTime() - t0) / 1e9;
    TinyStoriesReport.Result summary = TinyStoriesReport.write(dir, s, runner.data().description, deviceName, results, wall, workers);
    ConsoleSummary.print(console(summary), wall, dir.root());
    return summary;
  }

  /** The headline table, then each criterion's verdict. */
  static String console(TinyStoriesReport.Result summary) {
    StringBuilder b = new StringBuilder(TinyStoriesReport.headline(summary.table()).toMarkdown());
    summary.criteria().values().forEach(c -> b.append(c.holds() == null ? "  n/a  " : c.holds() ? "  PASS " : "  FAIL ")
        .append(c.name()).append(": ").append(c.measure()).append(" = ")
        .append(c.mean() == null ? "not run" : Numbers.f4(c.mean()))
        .append(" (").append(c.threshold()).append(")\n"));
    return b.toString();
  }
}
