package gradroute.experiment.nanogpt;

import gradroute.cli.RunOptions;
import gradroute.cli.RunSetup;
import gradroute.distributed.Launcher;
import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.cli.WorkersOption;
import gradroute.runtime.SideBySide;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.Device;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The data-parallel options of the nanoGPT subcommands ({@code --nproc N}, or a rank placed by
 * hand or by torchrun's variables) and the one way they run: the launcher starts one JVM per rank
 * on the same resolved config; rank 0 owns the run folder, the others work in it.
 */
public final class NanoGptLaunch {
  /** Where the launcher puts the resolved config its ranks all load. */
  static final String LAUNCH_CONFIG = "logs/launch-config.json";

  @Option(names = "--nproc", description = "train data-parallel in N processes on this machine (Gloo over loopback); rank 0 evaluates")
  Integer nproc;
  @Option(names = "--rank", description = "this process' global rank (else $RANK)") Integer rank;
  @Option(names = "--world-size", description = "number of processes (else $WORLD_SIZE)") Integer worldSize;
  @Option(names = "--master-addr", description = "rank 0's host (else $MASTER_ADDR, else 127.0.0.1)") String masterAddr;
  @Option(names = "--master-port", description = "rank 0's TCPStore port (else $MASTER_PORT, else 29500)") Integer masterPort;
  @Option(names = "--backend", defaultValue = "gloo", description = "gloo (CPU) or nccl (GPU build)") String backend;
  @Option(names = "--collective-timeout", defaultValue = "600", description = "seconds a collective may wait (default 600)") long timeoutSeconds;
  @Mixin WorkersOption workers; // 1 when data parallel

  /**
   * One rank's work; {@code dir} is rank 0's run folder (null on the other ranks); {@code workers}
   * jobs may run side by side ({@link SideBySide}; 1 when data parallel).
   */
  @FunctionalInterface
  interface Work<C> {
    void run(C config, Path root, RunDirectory dir, Device device, boolean resume, ProcessGroup group, WorldConfig world, int workers)
        throws Exception;
  }

  /**
   * Launches the ranks ({@code --nproc} > 1 outside a launched job) or runs this rank's share.
   *
   * @param validateWorld checks the config against the world size (batch divisibility)
   */
  <C> int run(RunOptions run, String subcommand, RunSetup<C> setup, C config, IntConsumer validateWorld, Work<C> work) throws Exception {
    if (nproc != null && nproc < 1) throw new IllegalArgumentException("--nproc must be >= 1, got " + nproc);
    workers.check();
    if (workers.moreThanOne() && nproc != null && nproc > 1) {
      throw new IllegalArgumentException("--workers " + workers + " runs models side by side in one process; it cannot be combined with --nproc " + nproc);
    }
    WorldConfig world = WorldConfig.resolve(rank, worldSize, masterAddr, masterPort, backend, Duration.ofSeconds(timeoutSeconds), System.getenv());
    boolean launching = nproc != null && nproc > 1 && !world.distributed();
    validateWorld.accept(launching ? nproc : world.worldSize());
    if (launching) return launch(run, subcommand, config, nproc);
    TorchRuntime.init();
    try (ProcessGroup group = world.distributed() ? ProcessGroup.join(world) : null) {
      if (world.isMain()) {
        setup.start(config, (s, dir, device, resume) -> work.run(s, dir.root(), dir, device, resume, group, world, workers(device, group)));
      } else {
        if (run.runName() == null) throw new IllegalArgumentException("ranks above 0 need --run NAME (the launcher passes it)");
        Path root = run.out().resolve(SteerCommand.EXPERIMENT).resolve(run.runName());
        work.run(config, root, null, run.device(), run.resuming(), group, world, 1);
      }
    }
    return 0;
  }

  private int workers(Device device, ProcessGroup group) {
    return group != null ? 1 : workers.resolve(device.is_cpu());
  }

  /**
   * Starts the ranks with the config resolved here, written to the run's logs/launch-config.json,
   * so that every rank trains exactly this config whatever flags or presets produced it.
   */
  private int launch(RunOptions run, String subcommand, Object config, int n) throws Exception {
    String name = run.runName() != null ? run.runName() : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path root = run.out().resolve(SteerCommand.EXPERIMENT).resolve(name);
    gradroute.cli.RunSetup.refuseExistingRun(run, SteerCommand.EXPERIMENT);
    if (run.overwriting()) gradroute.report.RunDirectory.clear(root); // before the launch files go in: the ranks start it afresh
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
