package gradroute.cli;

import gradroute.runtime.SideBySide;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The {@code --workers N} option of the commands that train several models ({@link SideBySide}). */
public final class WorkersOption {
  static final int MAX = 1024;

  @Option(names = "--workers", paramLabel = "N",
      description = "models (runs, stages, jobs) trained side by side in this process, each single-threaded on the CPU, so the numbers do "
          + "not depend on N (default: libtorch's threads, i.e. OMP_NUM_THREADS or the physical cores; 1 on a GPU or with --nproc)")
  Integer workers;

  private boolean capWarned;

  /** Rejects a count outside [1, 1024] before anything runs. */
  public void check() {
    if (workers != null && (workers < 1 || workers > MAX)) {
      throw new IllegalArgumentException("--workers must be in [1, " + MAX + "], got " + workers);
    }
  }

  /** Whether the user chose a count above 1. */
  public boolean moreThanOne() {
    return workers != null && workers > 1;
  }

  /**
   * The count to run with: the user's, capped at the cores this process may use (each worker is
   * single-threaded, so more only queue for the same cores and take memory), else {@link
   * SideBySide#defaultWorkers}.
   */
  public int resolve(boolean cpu) {
    if (workers == null) return SideBySide.defaultWorkers(cpu);
    int cores = Runtime.getRuntime().availableProcessors();
    if (workers > cores) {
      if (!capWarned) LoggerFactory.getLogger(WorkersOption.class).warn("--workers {} is more than the {} cores here; running {} side by side", workers,
          cores, cores);
      capWarned = true;
      return cores;
    }
    return workers;
  }

  @Override
  public String toString() {
    return String.valueOf(workers);
  }
}
