package gradroute.distributed;

import java.time.Duration;
import java.util.Map;

/**
 * Where this process sits in a data-parallel job, torchrun style.
 *
 * @param rank global rank, 0..worldSize-1
 * @param worldSize number of processes
 * @param masterAddr host of rank 0's {@code TCPStore}
 * @param masterPort its port
 * @param backend "gloo" (CPU tensors) or "nccl" (CUDA tensors, the GPU build)
 * @param timeout how long a collective may wait before it fails (rank 0 evaluates while the
 *     others wait, so this must cover an evaluation)
 */
public record WorldConfig(int rank, int worldSize, String masterAddr, int masterPort, String backend, Duration timeout) {
  public static final String RANK = "RANK";
  public static final String WORLD_SIZE = "WORLD_SIZE";
  public static final String MASTER_ADDR = "MASTER_ADDR";
  public static final String MASTER_PORT = "MASTER_PORT";

  public WorldConfig {
    if (worldSize < 1) throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank must be in 0.." + (worldSize - 1) + " (world size " + worldSize + "), got " + rank);
    }
    if (masterAddr == null || masterAddr.isBlank()) throw new IllegalArgumentException("master address is empty");
    if (masterPort < 1 || masterPort > 65535) throw new IllegalArgumentException("master port must be in 1..65535, got " + masterPort);
    if (!backend.equals("gloo") && !backend.equals("nccl")) {
      throw new IllegalArgumentException("backend must be gloo or nccl, got '" + backend + "'");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
  }

  /** A single process: no process group is needed. */
  public static WorldConfig single() {
    return new WorldConfig(0, 1, "127.0.0.1", 29500, "gloo", Duration.ofMinutes(30));
  }

  /**
   * Command-line values where given (non-null), else torchrun's {@code RANK}, {@code WORLD_SIZE},
   * {@code MASTER_ADDR}, {@code MASTER_PORT}, else a single process on 127.0.0.1:29500.
   */
  public static WorldConfig resolve(Integer rank, Integer worldSize, String masterAddr, Integer masterPort, String backend,
      Duration timeout, Map<String, String> env) {
    int r = rank != null ? rank : intEnv(env, RANK, 0);
    int w = worldSize != null ? worldSize : intEnv(env, WORLD_SIZE, 1);
    String addr = masterAddr != null ? masterAddr : env.getOrDefault(MASTER_ADDR, "127.0.0.1");
    int port = masterPort != null ? masterPort : intEnv(env, MASTER_PORT, 29500);
    return new WorldConfig(r, w, addr, port, backend == null ? "gloo" : backend, timeout);
  }

  private static int intEnv(Map<String, String> env, String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) return fallback;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("environment variable " + name + " must be an integer, got '" + v + "'");
    }
  }

  public boolean distributed() {
    return worldSize > 1;
  }

  public boolean isMain() {
    return rank == 0;
  }
}
