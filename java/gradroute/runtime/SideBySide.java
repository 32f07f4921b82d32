package gradroute.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small trainings run side by side in one process, each in its own thread, optionally after jobs
 * it depends on. On the CPU every job runs with one libtorch and one OpenBLAS thread whatever the
 * worker count: their reductions split sums by thread count, so a job's numbers would otherwise
 * depend on how many workers ran. On 2 cores, before {@code gradroute.model.Linear} split the
 * products across threads, a single-threaded training of a small GPT next to another ran faster
 * than the same training alone on two threads (600 steps of the nanoGPT-unlearn model: 80 s
 * against 107 s). Close it to wait for nothing more and restore the thread settings.
 *
 * <p>A free worker takes the ready job of highest priority, and among equals the one submitted
 * first. A run gives its longest jobs the highest priority so that short ones come last: with jobs
 * taken in submission order, a dependent job released late could end a run alone while the other
 * cores idled (a 100-second TinyStories stage did, 49 s of the default run's wall time).
 */
public final class SideBySide implements AutoCloseable {
  /** A job's result; {@link IOException}s pass through as themselves. */
  @FunctionalInterface
  public interface Job<T> {
    T run() throws IOException;
  }

  /** libtorch and OpenBLAS threads of each job on the CPU. */
  public static final int THREADS_PER_JOB = 1;

  private final ThreadPoolExecutor pool;
  private final AtomicLong submissions = new AtomicLong();
  private final boolean cpu;
  private final int savedTorch, savedBlas;
  private final CompletableFuture<Void> firstFailure = new CompletableFuture<>();
  private final List<CompletableFuture<?>> submitted = new ArrayList<>();

  /**
   * The worker count of a run that does not choose one: on the CPU, libtorch's thread count
   * ({@code OMP_NUM_THREADS}, else the physical cores); on a GPU, 1.
   */
  public static int defaultWorkers(boolean cpu) {
    return cpu ? Math.max(1, CpuThreads.torchThreads()) : 1;
  }

  /** What a run prints about its workers, e.g. "2 stage(s) side by side, 1 libtorch/OpenBLAS thread each". */
  public static String describe(int workers, String what, boolean cpu) {
    return workers + " " + what + "(s) side by side" + (cpu ? ", " + THREADS_PER_JOB + " libtorch/OpenBLAS thread each" : "");
  }

  /**
   * @param workers jobs running at once (at least 1)
   * @param cpu whether the jobs run on the CPU (then each is single-threaded, see the class comment)
   */
  public SideBySide(int workers, boolean cpu) {
    if (workers < 1) throw new IllegalArgumentException("workers must be positive, got " + workers);
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "worker-" + n.incrementAndGet());
      t.setDaemon(true); // a failed run exits without waiting for jobs still in native code
      return t;
    });
    pool.prestartAllCoreThreads(); // so that every job goes through the priority queue
    this.cpu = cpu;
    this.savedTorch = cpu ? CpuThreads.torchThreads() : -1;
    this.savedBlas = cpu ? CpuThreads.blasThreads() : -1;
    if (cpu) CpuThreads.set(THREADS_PER_JOB);
  }

  /**
   * Runs {@code job} once every job in {@code after} has finished (at once when none); a free
   * worker takes the ready job of highest {@code priority}, equal ones in submission order.
   */
  public <T> CompletableFuture<T> submit(Job<T> job, List<? extends CompletableFuture<?>> after, int priority) {
    CompletableFuture<Void> ready = CompletableFuture.allOf(after.toArray(CompletableFuture[]::new));
    long order = submissions.getAndIncrement();
    CompletableFuture<T> f = new CompletableFuture<>();
    ready.whenComplete((ignored, failed) -> {
      if (failed != null) {
        f.completeExceptionally(failed);
        return;
      }
      pool.execute(new Queued(priority, order, () -> {
        try {
          if (firstFailure.isDone()) throw new CancellationAfterFailure();
          TorchRuntime.init(); // flush-to-zero is per thread
          f.complete(job.run());
        } catch (IOException e) {
          f.completeExceptionally(new UncheckedIOException(e));
        } catch (RuntimeException | Error e) {
          f.completeExceptionally(e);
        }
      }));
    });
    f.whenComplete((v, e) -> {
      if (e != null && !(unwrap(e) instanceof CancellationAfterFailure)) firstFailure.completeExceptionally(unwrap(e));
    });
    submitted.add(f);
    return f;
  }

  /** {@link #submit(Job, List, int)} at priority 0. */
  public <T> CompletableFuture<T> submit(Job<T> job, List<? extends CompletableFuture<?>> after) {
    return submit(job, after, 0);
  }

  public <T> CompletableFuture<T> submit(Job<T> job) {
    return submit(job, List.of(), 0);
  }

  /** A ready job in the workers' queue: higher priority first, then earlier submission. */
  private record Queued(int priority, long order, Runnable body) implements Runnable, Comparable<Queued> {
    @Override
    public void run() {
      body.run();
    }

    @Override
    public int compareTo(Queued o) {
      return priority != o.priority ? Integer.compare(o.priority, priority) : Long.compare(order, o.order);
    }
  }

  /**
   * Waits until every submitted job has finished, or until the first one fails: then rethrows its
   * failure (an {@link IOException} as itself) and starts no further job.
   */
  public void awaitAll() throws IOException {
    CompletableFuture<Void> all = CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new));
    try {
      CompletableFuture.anyOf(all, firstFailure).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for side-by-side jobs", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof UncheckedIOException u) throw u.getCause();
      if (cause instanceof IOException io) throw io;
      if (cause instanceof RuntimeException re) throw re;
      if (cause instanceof Error err) throw err;
      throw new IOException(cause);
    }
  }

  /** The result of a finished job (after {@link #awaitAll}). */
  public static <T> T result(CompletableFuture<T> f) {
    return f.join();
  }

  @Override
  public void close() {
    pool.shutdownNow();
    if (cpu) CpuThreads.set(savedTorch, savedBlas);
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) e = e.getCause();
    if (e instanceof UncheckedIOException u) return u;
    return e;
  }

  /** Marks the jobs skipped because another one failed first. */
  private static final class CancellationAfterFailure extends RuntimeException {
    CancellationAfterFailure() {
      super("skipped: another side-by-side job failed first", null, false, false);
    }
  }
}
