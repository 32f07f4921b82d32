package gradroute.cli;

import gradroute.distributed.Launcher;
import gradroute.distributed.ProcessGroup;
import gradroute.distributed.WorldConfig;
import gradroute.report.Json;
import gradroute.report.RunDirectory;
import gradroute.runtime.SideBySide;
import gradroute.runtime.TorchRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.Device;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The data-parallel options of any experiment command ({@code --nproc N}, or a rank placed by hand
 * or by torchrun's variables) and the one way they run: the launcher starts one JVM per rank with
 * the same command on the same resolved config; rank 0 owns the run folder, the others work in it.
 * A command mixes this in (it brings {@code --workers} too) and hands its config and its per-rank
 * work to {@link #run}.
 */
public final class DataParallelLaunch {
  /** Where the launcher puts the resolved config its ranks all load. */
  static final String LAUNCH_CONFIG = "logs/launch-config.json";

  /** The command this is mixed into: the ranks are started with the same command. */
  @Spec(Spec.Target.MIXEE) CommandSpec command;

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
  public interface Work<C> {
    void run(C config, Path root, RunDirectory dir, Device device, boolean resume, ProcessGroup group, WorldConfig world, int workers)
        throws Exception;
  }

  /**
   * Launches the ranks ({@code --nproc} > 1 outside a launched job) or runs this rank's share.
   *
   * @param validateWorld checks the config against the world size (batch divisibility)
   */
  public <C> int run(RunOptions run, RunSetup<C> setup, C config, IntConsumer validateWorld, Work<C> work) throws Exception {
    if (nproc != null && nproc < 1) throw new IllegalArgumentException("--nproc must be >= 1, got " + nproc);
    workers.check();
    if (workers.moreThanOne() && nproc != null && nproc > 1) {
      throw new IllegalArgumentException("--workers " + workers + " runs models side by side in one process; it cannot be combined with --nproc " + nproc);
    }
    WorldConfig world = WorldConfig.resolve(rank, worldSize, masterAddr, masterPort, backend, Duration.ofSeconds(timeoutSeconds), System.getenv());
    boolean launching = nproc != null && nproc > 1 && !world.distributed();
    validateWorld.accept(launching ? nproc : world.worldSize());
    if (launching) return launch(run, setup.experiment(), config, nproc);
    TorchRuntime.init();
    try (ProcessGroup group = world.distributed() ? ProcessGroup.join(world) : null) {
      if (world.isMain()) {
        setup.start(config, (s, dir, device, resume) -> work.run(s, dir.root(), dir, device, resume, group, world, workers(device, group)));
      } else {
        if (run.runName() == null) throw new IllegalArgumentException("ranks above 0 need --run NAME (the launcher passes it)");
        Path root = run.out().resolve(setup.experiment()).resolve(run.runName());
        work.run(config, root, null, run.device(), run.resuming(), group, world, 1);
      }
    }
    return 0;
  }

  private int workers(Device device, ProcessGroup group) {
    return group != null ? 1 : workers.resolve(device.is_cpu());
  }

  /** The words after {@code gradroute} that name this command, e.g. {@code [nanogpt, steer]}. */
  List<String> commandPath() {
    List<String> words = new ArrayList<>(Arrays.asList(command.qualifiedName(" ").split(" ")));
    words.remove(0); // the root command: the ranks run gradroute.cli.Main
    return words;
  }

  /**
   * Starts the ranks with the config resolved here, written to the run's logs/launch-config.json,
   * so that every rank trains exactly this config whatever flags or presets produced it.
   */
  private int launch(RunOptions run, String experiment, Object config, int n) throws Exception {
    String name = run.runName() != null ? run.runName() : LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path root = run.out().resolve(experiment).resolve(name);
    RunSetup.refuseExistingRun(run, experiment);
    if (run.overwriting()) RunDirectory.clear(root); // before the launch files go in: the ranks start it afresh
    Path configFile = root.resolve(LAUNCH_CONFIG);
    Json.write(configFile, config);
    List<String> args = new ArrayList<>(commandPath());
    args.addAll(List.of("--config", configFile.toString(), "--run", name, "--out", run.out().toString(), "--device", run.deviceName(),
        "--backend", backend, "--collective-timeout", String.valueOf(timeoutSeconds)));
    if (run.resuming()) args.add("--resume");
    if (run.forcingResume()) args.add("--force-resume");
    Path logs = configFile.getParent();
    Launcher.Outcome outcome = Launcher.launch(n, Main.class.getName(), args, logs);
    if (!outcome.ok()) {
      throw new IllegalStateException("rank " + outcome.failedRank() + " of " + n + " failed with exit code " + outcome.exitCode()
          + "; the other ranks were stopped (logs in " + logs + ")");
    }
    return 0;
  }
}
