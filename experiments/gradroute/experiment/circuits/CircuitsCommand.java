package gradroute.experiment.circuits;

import gradroute.cli.DeviceOption;
import gradroute.experiment.nanogpt.NanoGptCommand;
import gradroute.experiment.nanogpt.UnlearnCommand;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradroute circuits}: circuit discovery checked against a ground truth made by
 * construction. On a finished {@code nanogpt unlearn} run, every edge of the routed and control
 * models is scored on forget and retain prompts by EAP, EAP with integrated gradients, activation
 * magnitude and random scores, and each score is measured against the routed region (the routed
 * MLP neurons and their blocks' MLPs): ROC AUC, the region's share of Σ|score|, and faithfulness
 * curves.
 */
@Command(name = "circuits", mixinStandardHelpOptions = true,
    description = {"Circuit discovery (edge attribution patching) on a routed nanoGPT unlearn run, scored against the region routing put the "
        + "forget capability in: ROC AUC of EAP, EAP-IG, activation magnitude and random scores for edges touching the routed MLPs and for "
        + "the routed neurons, the region's share of |score| on forget vs retain prompts, faithfulness curves (tree and edge patching).",
        "Writes <run>/circuits/: summary.json (with criteria), methods.csv, roc.csv, neurons.csv, faithfulness.csv, plots/*.png."})
public final class CircuitsCommand implements Callable<Integer> {
  static final String QUICK_RUN = "circuits-quick";
  /** Enough steps for the routed neurons to take the routed tokens on the quick preset's tiny model (about a minute on 2 cores). */
  static final int QUICK_STEPS = 400;

  @Option(names = "--run", paramLabel = "RUN", description = "a finished nanogpt unlearn run: its name under <out>/nanogpt/ or its folder")
  String run;

  @Option(names = "--out", defaultValue = "results", paramLabel = "DIR", description = "results root (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--quick", description = "without --run: first train a small routed model and its control (nanogpt unlearn --quick --steps " + QUICK_STEPS + " --l1 0.001, run '"
      + QUICK_RUN + "', reused when it exists), then score them; also fewer prompts")
  boolean quick;

  @Option(names = "--windows", paramLabel = "N", description = "prompt windows per side (default 16, quick 8)")
  Integer windows;

  @Option(names = "--ig-steps", paramLabel = "K", defaultValue = "5", description = "integrated-gradient steps of EAP-IG (default ${DEFAULT-VALUE})")
  int igSteps;

  @Option(names = "--curve-points", paramLabel = "N", defaultValue = "9", description = "edge counts per faithfulness curve (default ${DEFAULT-VALUE})")
  int curvePoints;

  @Mixin DeviceOption device;

  @Override
  public Integer call() throws Exception {
    TorchRuntime.init();
    if (run == null && !quick) throw new IllegalArgumentException("give --run RUN (a finished nanogpt unlearn run) or --quick");
    if (igSteps < 1) throw new IllegalArgumentException("--ig-steps must be >= 1, got " + igSteps);
    if (curvePoints < 2) throw new IllegalArgumentException("--curve-points must be >= 2, got " + curvePoints);
    int n = windows != null ? windows : quick ? 8 : 16;
    if (n < 1) throw new IllegalArgumentException("--windows must be >= 1, got " + n);
    Path dir;
    if (run == null) {
      dir = out.resolve(NanoGptCommand.EXPERIMENT).resolve(QUICK_RUN);
      if (!Files.isRegularFile(dir.resolve("models").resolve("control-s0.pt"))) {
        System.out.println("training the quick routed model and its control (nanogpt unlearn --quick --run " + QUICK_RUN + ")");
        int rc = new CommandLine(new UnlearnCommand()).execute("--quick", "--run", QUICK_RUN, "--models", "routed,control", "--steps", String.valueOf(QUICK_STEPS), "--l1", "0.001", "--out", out.toString(),
            "--device", device.name());
        if (rc != 0) throw new IllegalStateException("training the quick run failed (exit " + rc + ")");
      }
    } else {
      Path asPath = Path.of(run);
      dir = Files.isDirectory(asPath) && asPath.getNameCount() > 1 ? asPath : out.resolve(NanoGptCommand.EXPERIMENT).resolve(run);
    }
    CircuitsAnalysis.run(dir, n, igSteps, curvePoints, device.device());
    return 0;
  }
}
