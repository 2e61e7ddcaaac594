package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The spin-then-park helpers behind {@link KernelThreadPool} (and so every session's pool). */
@Timeout(60)
class KernelThreadPoolTest {

  @Test
  void everyTaskOfEveryCallRunsExactlyOnceWithAndWithoutSpinning() {
    for (long spin : new long[] {0, TimeUnit.MICROSECONDS.toNanos(50)}) {
      try (HelperThreads helpers = new HelperThreads("test-helper-", 2, spin)) {
        for (int call = 0; call < 2_000; call++) {
          int tasks = 1 + call % 7;
          AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
          helpers.parallelFor(tasks, runs::incrementAndGet);
          for (int i = 0; i < tasks; i++) {
            assertThat(runs.get(i)).as("spin %d, call %d, task %d", spin, call, i).isEqualTo(1);
          }
        }
      }
    }
  }

  @Test
  void helpersActuallyTakeTasks() throws InterruptedException {
    try (KernelThreadPool pool = KernelThreadPool.create("named-", 2)) {
      CountDownLatch both = new CountDownLatch(2);
      List<String> names = java.util.Collections.synchronizedList(new ArrayList<>());
      pool.parallelFor(
          2,
          i -> {
            names.add(Thread.currentThread().getName());
            both.countDown();
            try {
              // Each task waits for the other, so they must run on two threads at once.
              assertThat(both.await(20, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          });
      assertThat(names).contains(Thread.currentThread().getName(), "named-0");
    }
  }

  @Test
  void aCallerDoesNotWaitForAHelperBusyInAnotherCall() throws Exception {
    try (KernelThreadPool pool = KernelThreadPool.create(2)) {
      CountDownLatch started = new CountDownLatch(2);
      CountDownLatch release = new CountDownLatch(1);
      ExecutorService first = Executors.newSingleThreadExecutor();
      try {
        // The first call holds both the pool's helper and its own caller.
        Future<?> blocked =
            first.submit(
                () ->
                    pool.parallelFor(
                        2,
                        i -> {
                          started.countDown();
                          await(release);
                        }));
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        // A second caller finds the helper busy: it runs all its tasks itself and returns.
        AtomicInteger sum = new AtomicInteger();
        pool.parallelFor(10, sum::addAndGet);
        assertThat(sum.get()).isEqualTo(45);
        assertThat(blocked.isDone()).isFalse();
        release.countDown();
        blocked.get(20, TimeUnit.SECONDS);
      } finally {
        release.countDown();
        first.shutdownNow();
      }
    }
  }

  @Test
  void concurrentAndNestedCallsAllComplete() throws Exception {
    try (KernelThreadPool pool = KernelThreadPool.create(3)) {
      ExecutorService callers = Executors.newFixedThreadPool(3);
      try {
        List<Future<Integer>> sums = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
          sums.add(
              callers.submit(
                  () -> {
                    AtomicInteger sum = new AtomicInteger();
                    for (int call = 0; call < 300; call++) {
                      pool.parallelFor(4, i -> pool.parallelFor(5, j -> sum.addAndGet(i * 5 + j)));
                    }
                    return sum.get();
                  }));
        }
        for (Future<Integer> s : sums) {
          assertThat(s.get(30, TimeUnit.SECONDS)).isEqualTo(300 * 190);
        }
      } finally {
        callers.shutdownNow();
      }
    }
  }

  @Test
  void theFirstFailureIsRethrownAsItWasAndThePoolStaysUsable() {
    try (KernelThreadPool pool = KernelThreadPool.create(2)) {
      for (int round = 0; round < 50; round++) {
        assertThatThrownBy(
                () ->
                    pool.parallelFor(
                        8,
                        i -> {
                          if (i == 5) {
                            throw new IllegalArgumentException("task 5 failed");
                          }
                        }))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("task 5 failed");
        assertThatThrownBy(
                () ->
                    pool.parallelFor(
                        2,
                        i -> {
                          throw new AssertionError("an error, not an exception");
                        }))
            .isInstanceOf(AssertionError.class);
      }
      AtomicInteger sum = new AtomicInteger();
      pool.parallelFor(100, sum::addAndGet);
      assertThat(sum.get()).isEqualTo(4950);
    }
  }

  @Test
  void anInterruptedCallerWaitsForItsHelperThenFailsAndKeepsItsInterrupt() throws Exception {
    try (KernelThreadPool pool = KernelThreadPool.create(2)) {
      CountDownLatch helperInside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean helperFinished = new AtomicBoolean();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean interruptKept = new AtomicBoolean();
      AtomicBoolean helperDoneWhenCallReturned = new AtomicBoolean();
      Thread caller =
          new Thread(
              () -> {
                try {
                  pool.parallelFor(
                      2,
                      i -> {
                        if (!Thread.currentThread().getName().startsWith("millrace-kernels-")) {
                          // The caller's task ends once the helper holds the other one; the
                          // caller then waits for the helper.
                          awaitUninterruptibly(helperInside);
                          return;
                        }
                        helperInside.countDown();
                        awaitUninterruptibly(release);
                        helperFinished.set(true);
                      });
                } catch (Throwable t) {
                  thrown.set(t);
                }
                helperDoneWhenCallReturned.set(helperFinished.get());
                interruptKept.set(Thread.currentThread().isInterrupted());
              });
      caller.start();
      assertThat(helperInside.await(20, TimeUnit.SECONDS)).isTrue();
      caller.interrupt();
      Thread.sleep(100);
      assertThat(caller.isAlive()).as("the caller waits for its helper").isTrue();
      release.countDown();
      caller.join(20_000);
      assertThat(thrown.get())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("interrupted");
      assertThat(helperDoneWhenCallReturned).isTrue();
      assertThat(interruptKept).isTrue();
    }
  }

  @Test
  void theSpinIsConfiguredInMicrosecondsAndBadValuesAreNamed() {
    String key = "millrace.kernels.spinMicros";
    String before = System.getProperty(key);
    try {
      System.clearProperty(key);
      assertThat(HelperThreads.configuredSpinNanos())
          .isEqualTo(HelperThreads.DEFAULT_SPIN_MICROS * 1000);
      System.setProperty(key, "0");
      assertThat(HelperThreads.configuredSpinNanos()).isZero();
      System.setProperty(key, "-3");
      assertThatThrownBy(HelperThreads::configuredSpinNanos).hasMessageContaining(key);
      System.setProperty(key, "fast");
      assertThatThrownBy(HelperThreads::configuredSpinNanos)
          .hasMessageContaining(key)
          .hasMessageContaining("fast");
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
