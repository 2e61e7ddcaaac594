package dev.millrace.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Threads over which one kernel call may split its work: the session's intra-op pool, or a {@link
 * KernelThreadPool}. Implementations create their threads once; {@link #parallelFor} never creates
 * a thread.
 */
public interface KernelThreads {
  /** How many tasks may usefully run at once (1: everything runs on the calling thread). */
  int parallelism();

  /**
   * Runs {@code task.accept(0 .. tasks - 1)}, concurrently where threads are free, and returns when
   * all have finished; the first failure is rethrown after every task has ended. The calling thread
   * runs tasks too. Tasks must not wait for each other.
   */
  void parallelFor(int tasks, IntConsumer task);

  /**
   * The {@link #parallelFor} of a pool: the calling thread and up to {@code parallelism - 1} tasks
   * submitted to {@code helpers} claim task indices from a shared counter, so uneven tasks balance
   * and a caller blocked in a kernel works too. Every helper is waited for, even on interruption or
   * failure, because helpers write into the caller's output; the first failure is rethrown.
   *
   * @param helpers the pool's threads, or null when it has none
   */
  static void claimInParallel(
      ExecutorService helpers, int parallelism, int tasks, IntConsumer task) {
    if (helpers == null || tasks <= 1) {
      for (int i = 0; i < tasks; i++) {
        task.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    Runnable worker =
        () -> {
          for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
            task.accept(i);
          }
        };
    int helpersUsed = Math.min(parallelism, tasks) - 1;
    List<Future<?>> futures = new ArrayList<>(helpersUsed);
    for (int h = 0; h < helpersUsed; h++) {
      futures.add(helpers.submit(worker));
    }
    RuntimeException failure = null;
    try {
      worker.run();
    } catch (RuntimeException e) {
      failure = e;
      next.set(tasks); // no new tasks start
    }
    boolean interrupted = false;
    for (Future<?> f : futures) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
          next.set(tasks);
        } catch (ExecutionException e) {
          if (failure == null) {
            failure =
                e.getCause() instanceof RuntimeException re
                    ? re
                    : new IllegalStateException(e.getCause());
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Runs every task on the calling thread. */
  static KernelThreads inline() {
    return Inline.INSTANCE;
  }

  /** The single-threaded {@link KernelThreads}. */
  enum Inline implements KernelThreads {
    INSTANCE;

    @Override
    public int parallelism() {
      return 1;
    }

    @Override
    public void parallelFor(int tasks, IntConsumer task) {
      for (int i = 0; i < tasks; i++) {
        task.accept(i);
      }
    }
  }
}
