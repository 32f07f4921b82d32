package gradroute.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SideBySideTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  @Test
  void aJobStartsOnlyAfterTheJobsItDependsOn() throws Exception {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    try (SideBySide jobs = new SideBySide(2, false)) {
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<String> slow = jobs.submit(() -> {
        await(release);
        order.add("slow");
        return "a";
      });
      CompletableFuture<String> after = jobs.submit(() -> {
        order.add("after");
        return "b";
      }, List.of(slow));
      CompletableFuture<String> free = jobs.submit(() -> {
        order.add("free");
        release.countDown();
        return "c";
      });
      jobs.awaitAll();
      assertEquals(List.of("free", "slow", "after"), order);
      assertEquals("ab c", SideBySide.result(slow) + SideBySide.result(after) + " " + SideBySide.result(free));
    }
  }

  @Test
  void aFreeWorkerTakesTheReadyJobOfHighestPriorityThenTheEarliestSubmitted() throws Exception {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    try (SideBySide jobs = new SideBySide(1, false)) {
      CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
      CompletableFuture<String> blocker = jobs.submit(() -> {
        started.countDown();
        await(release);
        return "blocker";
      });
      await(started); // the one worker is busy: what follows waits in the queue
      for (String[] job : new String[][] {{"low", "0"}, {"high", "2"}, {"middle-a", "1"}, {"middle-b", "1"}}) {
        jobs.submit(() -> order.add(job[0]), List.of(), Integer.parseInt(job[1]));
      }
      jobs.submit(() -> order.add("after-blocker, top"), List.of(blocker), 3);
      release.countDown();
      jobs.awaitAll();
    }
    assertEquals(List.of("after-blocker, top", "high", "middle-a", "middle-b", "low"), order,
        "a job released by its dependency enters the queue by its priority; equal priorities keep submission order");
  }

  @Test
  void theFirstFailureIsRethrownAsItselfAndItsDependentsNeverRun() {
    AtomicBoolean dependentRan = new AtomicBoolean();
    IOException boom = new IOException("disk full");
    try (SideBySide jobs = new SideBySide(2, false)) {
      CompletableFuture<Void> failing = jobs.submit(() -> {
        throw boom;
      });
      jobs.submit(() -> {
        dependentRan.set(true);
        return null;
      }, List.of(failing));
      IOException e = assertThrows(IOException.class, jobs::awaitAll);
      assertSame(boom, e);
    }
    assertTrue(!dependentRan.get(), "a job after a failed one must not run");
  }

  @Test
  void onTheCpuEachJobIsSingleThreadedAndTheSettingsComeBackAfter() throws Exception {
    int torch = CpuThreads.torchThreads(), blas = CpuThreads.blasThreads();
    CpuThreads.set(2, 1);
    try {
      try (SideBySide jobs = new SideBySide(2, true)) {
        CompletableFuture<Integer> seen = jobs.submit(CpuThreads::torchThreads);
        jobs.awaitAll();
        assertEquals(SideBySide.THREADS_PER_JOB, SideBySide.result(seen));
      }
      assertEquals(2, CpuThreads.torchThreads());
      assertEquals(1, CpuThreads.blasThreads());
    } finally {
      CpuThreads.set(torch, blas);
    }
  }

  @Test
  void everyJobFlushesSubnormalsToZero() throws Exception {
    try (SideBySide jobs = new SideBySide(2, true)) {
      List<CompletableFuture<Double>> largest = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        largest.add(jobs.submit(() -> {
          try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            org.bytedeco.pytorch.Tensor x = org.bytedeco.pytorch.global.torch.full(new long[] {16},
                new org.bytedeco.pytorch.Scalar(Float.MIN_NORMAL / 4));
            return x.mul(new org.bytedeco.pytorch.Scalar(1.0)).max().item_double();
          }
        }));
      }
      jobs.awaitAll();
      for (var f : largest) assertEquals(0.0, SideBySide.result(f));
    }
  }

  @Test
  void aWorkerCountBelowOneIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SideBySide(0, false));
    assertTrue(e.getMessage().contains("workers must be positive, got 0"), e.getMessage());
  }

  private static void await(CountDownLatch latch) throws IOException {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) throw new IOException("timed out");
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
  }
}
