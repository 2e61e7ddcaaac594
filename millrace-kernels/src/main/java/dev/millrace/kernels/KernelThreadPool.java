package dev.millrace.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed pool of named daemon threads for kernels: a session's intra-op pool, and the pool of
 * kernels used outside a session (benchmarks, tools; named {@code millrace-kernels-<n>-<k>}). The
 * calling thread takes part, so a pool of parallelism {@code p} starts {@code p - 1} threads, once;
 * between calls they spin briefly, then park ({@link HelperThreads}); {@link #close()} stops them.
 */
public final class KernelThreadPool implements KernelThreads, AutoCloseable {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int parallelism;
  private final HelperThreads helpers;

  private KernelThreadPool(String namePrefix, int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    this.parallelism = parallelism;
    this.helpers =
        parallelism == 1
            ? null
            : new HelperThreads(namePrefix, parallelism - 1, HelperThreads.configuredSpinNanos());
  }

  /** A pool whose {@link #parallelFor} runs up to {@code parallelism} tasks at once. */
  public static KernelThreadPool create(int parallelism) {
    return create("millrace-kernels-" + POOLS.incrementAndGet() + "-", parallelism);
  }

  /** As {@link #create(int)}, with threads named {@code namePrefix + k}. */
  public static KernelThreadPool create(String namePrefix, int parallelism) {
    return new KernelThreadPool(namePrefix, parallelism);
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  /**
   * The calling thread and up to {@code parallelism - 1} helpers claim task indices from a shared
   * counter, so uneven tasks balance and a caller blocked in a kernel works too. Every helper that
   * took a task is waited for, even on interruption or failure, because helpers write into the
   * caller's output; the first failure is rethrown.
   */
  @Override
  public void parallelFor(int tasks, IntConsumer task) {
    if (helpers == null || tasks <= 1) {
      for (int i = 0; i < tasks; i++) {
        task.accept(i);
      }
      return;
    }
    helpers.parallelFor(tasks, task);
  }

  @Override
  public void close() {
    if (helpers != null) {
      helpers.close();
    }
  }
}
