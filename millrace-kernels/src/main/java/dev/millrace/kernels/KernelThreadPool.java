package dev.millrace.kernels;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed pool of named daemon threads ({@code millrace-kernels-<n>-<k>}) for kernels used outside
 * a session (benchmarks, tools). The calling thread takes part, so a pool of parallelism {@code p}
 * starts {@code p - 1} threads, once; {@link #close()} stops them.
 */
public final class KernelThreadPool implements KernelThreads, AutoCloseable {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int parallelism;
  private final ExecutorService helpers;

  private KernelThreadPool(int parallelism) {
    this.parallelism = parallelism;
    if (parallelism == 1) {
      helpers = null;
      return;
    }
    String prefix = "millrace-kernels-" + POOLS.incrementAndGet() + "-";
    AtomicInteger count = new AtomicInteger();
    helpers =
        new ThreadPoolExecutor(
            parallelism - 1,
            parallelism - 1,
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, prefix + count.getAndIncrement());
              t.setDaemon(true);
              return t;
            });
  }

  /** A pool whose {@link #parallelFor} runs up to {@code parallelism} tasks at once. */
  public static KernelThreadPool create(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
    }
    return new KernelThreadPool(parallelism);
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  @Override
  public void parallelFor(int tasks, IntConsumer task) {
    KernelThreads.claimInParallel(helpers, parallelism, tasks, task);
  }

  @Override
  public void close() {
    if (helpers != null) {
      helpers.shutdownNow();
      try {
        helpers.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
