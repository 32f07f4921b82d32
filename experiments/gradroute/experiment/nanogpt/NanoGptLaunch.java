package gradroute.experiment.nanogpt;

import gradroute.cli.RunOptions;
import gradroute.distributed.Launcher;
import gradroute.report.Json;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** {@code --nproc N} for the nanoGPT subcommands: one JVM per rank, all on the same resolved config. */
final class NanoGptLaunch {
  /** Where the launcher puts the resolved config its ranks all load. */
  static final String LAUNCH_CONFIG = "logs/launch-config.json";

  private NanoGptLaunch() {}

  /**
   * Starts the ranks of {@code nanogpt <subcommand>} with the config resolved here, written to the
   * run's logs/launch-config.json, so that every rank trains exactly this config whatever flags or
   * presets produced it.
   */
  static int launch(RunOptions run, String subcommand, Object config, int n, String backend, long timeoutSeconds) throws Exception {
    String name = run.runName() != null ? run.runName() : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path root = run.out().resolve(SteerCommand.EXPERIMENT).resolve(name);
    Path configFile = root.resolve(LAUNCH_CONFIG);
    Json.write(configFile, config);
    List<String> args = new ArrayList<>(List.of(SteerCommand.EXPERIMENT, subcommand, "--config", configFile.toString(), "--run", name,
        "--out", run.out().toString(), "--device", run.deviceName(), "--backend", backend,
        "--collective-timeout", String.valueOf(timeoutSeconds)));
    if (run.resuming()) args.add("--resume");
    if (run.forcingResume()) args.add("--force-resume");
    Path logs = configFile.getParent();
    Launcher.Outcome outcome = Launcher.launch(n, "gradroute.cli.Main", args, logs);
    if (!outcome.ok()) {
      throw new IllegalStateException("rank " + outcome.failedRank() + " of " + n + " failed with exit code " + outcome.exitCode()
          + "; the other ranks were stopped (logs in " + logs + ")");
    }
    return 0;
  }
}
