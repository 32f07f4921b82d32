package gradroute.distributed;

import gradroute.runtime.TorchRuntime;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A torchrun for the JVM: starts one process per rank with this JVM's executable, options and
 * classpath, sets {@code RANK}, {@code LOCAL_RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR} and
 * {@code MASTER_PORT}, and watches them. When a rank exits with an error (or is killed), the
 * others are stopped and the launch fails naming that rank, so a dead rank never leaves the job
 * hanging in a collective.
 */
public final class Launcher {
  private static final Logger log = LoggerFactory.getLogger(Launcher.class);
  private static final Duration GRACE = Duration.ofSeconds(5);

  private Launcher() {}

  /** The outcome of a launch: 0 and no failed rank when every rank exited cleanly. */
  public record Outcome(int exitCode, int failedRank) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /**
   * Runs {@code mainClass args...} in {@code nproc} JVMs on this machine (loopback) and waits for
   * them. Each rank's output goes to this process's output; with {@code logDir}, ranks above 0
   * write to {@code rank<r>.log} there instead.
   */
  public static Outcome launch(int nproc, String mainClass, List<String> args, Path logDir) throws IOException {
    if (nproc < 1) throw new IllegalArgumentException("nproc must be >= 1, got " + nproc);
    int port = freePort();
    String threads = System.getenv("OMP_NUM_THREADS");
    if (threads == null || threads.isBlank()) {
      threads = String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / nproc));
    }
    List<Process> ranks = new ArrayList<>();
    Thread killer = new Thread(() -> stopAll(ranks, -1));
    Runtime.getRuntime().addShutdownHook(killer);
    try {
      for (int r = 0; r < nproc; r++) {
        ProcessBuilder pb = new ProcessBuilder(command(mainClass, args));
        Map<String, String> env = pb.environment();
        env.put(WorldConfig.RANK, String.valueOf(r));
        env.put("LOCAL_RANK", String.valueOf(r));
        env.put(WorldConfig.WORLD_SIZE, String.valueOf(nproc));
        env.put(WorldConfig.MASTER_ADDR, "127.0.0.1");
        env.put(WorldConfig.MASTER_PORT, String.valueOf(port));
        env.put("OMP_NUM_THREADS", threads);
        env.putIfAbsent("OMP_WAIT_POLICY", "passive");
        env.putIfAbsent("GOMP_SPINCOUNT", TorchRuntime.SPIN_COUNT);
        TorchRuntime.mallocSettingsToSet(System.getenv(TorchRuntime.MALLOC_ENV)).forEach(env::putIfAbsent);
        if (r > 0 && logDir != null) {
          java.nio.file.Files.createDirectories(logDir);
          pb.redirectErrorStream(true).redirectOutput(logDir.resolve("rank" + r + ".log").toFile());
        } else {
          pb.inheritIO();
        }
        ranks.add(pb.start());
      }
      log.info("launched {} ranks (master 127.0.0.1:{}, {} threads each)", nproc, port, threads);
      return watch(ranks);
    } finally {
      stopAll(ranks, -1);
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  /**
   * Waits for the ranks in the order they exit; the first one to fail stops the rest. Exit order,
   * not rank order: when a rank dies its peers fail soon after on the broken collective, and the
   * rank to report is the one that died first.
   */
  static Outcome watch(List<Process> ranks) {
    BlockingQueue<Integer> exited = new LinkedBlockingQueue<>();
    for (int r = 0; r < ranks.size(); r++) {
      int rank = r;
      ranks.get(r).onExit().thenRun(() -> exited.add(rank));
    }
    for (int done = 0; done < ranks.size(); done++) {
      int r;
      try {
        r = exited.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopAll(ranks, -1);
        return new Outcome(130, -1);
      }
      int code = ranks.get(r).exitValue();
      if (code != 0) {
        log.error("rank {} exited with code {}; stopping the other ranks", r, code);
        stopAll(ranks, r);
        return new Outcome(code, r);
      }
    }
    return new Outcome(0, -1);
  }

  private static void stopAll(List<Process> ranks, int except) {
    for (int r = 0; r < ranks.size(); r++) if (r != except && ranks.get(r).isAlive()) ranks.get(r).destroy();
    long deadline = System.nanoTime() + GRACE.toNanos();
    for (Process p : ranks) {
      try {
        long left = deadline - System.nanoTime();
        if (left > 0) p.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (p.isAlive()) p.destroyForcibly();
    }
  }

  /** This JVM's executable, options and classpath, then {@code mainClass args}. */
  static List<String> command(String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-javaagent")) cmd.add(a);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
