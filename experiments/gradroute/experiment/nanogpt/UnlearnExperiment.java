package gradroute.experiment.nanogpt;

import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.experiment.ConsoleSummary;
import gradroute.report.AtomicFiles;
import gradroute.report.RunDirectory;
import gradroute.runtime.SideBySide;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.bytedeco.pytorch.Device;

/**
 * The nanoGPT unlearning experiment once its run folder exists: the data and token scores, every
 * method's pretraining, ablation, coherence tuning and attack, and the report.
 */
public final class UnlearnExperiment {
  private UnlearnExperiment() {}

  /** One rank's work; rank 0 ({@code dir} non-null) also evaluates and writes the report. */
  public static void run(UnlearnConfig s, Path root, RunDirectory dir, Device device, boolean resume, ProcessGroup group, WorldConfig world,
      int workers) throws Exception {
    long t0 = System.nanoTime();
    UnlearnData data = world.isMain() ? UnlearnData.load(s) : null;
    if (group != null) group.barrier(); // rank 0 built the cache; the others read it
    if (data == null) data = UnlearnData.load(s);
    UnlearnRun runner = new UnlearnRun(s, data, root, device, resume, group, world);
    UnlearnReport.Absorption absorption = null;
    if (dir != null) {
      absorption = runner.absorption();
      Files.copy(data.scoresFile(), dir.path("token_scores.csv"), StandardCopyOption.REPLACE_EXISTING);
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
    if (dir != null) NanoGptRunFolder.saveTokenizer(data.tokenizer, dir.root()); // once training starts: the folder is a run
    List<UnlearnRun.MethodResult> results = runner.runAll(workers);
    if (dir != null) {
      double wall = (System.nanoTime() - t0) / 1e9;
      UnlearnReport.Summary summary = UnlearnReport.write(dir, s, data, runner.config().toString(), absorption, results, wall, workers);
      String methods = UnlearnReport.methodsTable(summary);
      AtomicFiles.writeString(dir.path("methods.md"), methods);
      ConsoleSummary.print(methods + "\n" + UnlearnReport.table(summary), wall, dir.root());
    }
  }
}
