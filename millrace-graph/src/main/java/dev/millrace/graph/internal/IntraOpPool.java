package dev.millrace.graph.internal;

import dev.millrace.graph.spi.IntraOp;
import dev.millrace.kernels.KernelThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * The intra-op pool: a fork-join pool of named daemon threads owned by one session. It serves
 * kernels that split their own work twice over: as the graph's {@link IntraOp} and as the kernels'
 * {@link KernelThreads}.
 */
final class IntraOpPool implements IntraOp, KernelThreads, AutoCloseable {
  private final int parallelism;
  private final ForkJoinPool pool;

  IntraOpPool(String namePrefix, int parallelism) {
    this.parallelism = parallelism;
    this.pool =
        parallelism == 1
            ? null
            : new ForkJoinPool(
                parallelism,
                p -> {
                  ForkJoinWorkerThread t =
                      ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                  t.setName(namePrefix + t.getPoolIndex());
                  t.setDaemon(true);
                  return t;
                },
                null,
                false);
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  @Override
  public <T> List<T> map(int n, IntFunction<T> task) {
    List<T> out = new ArrayList<>(n);
    if (pool == null || n <= 1) {
      for (int i = 0; i < n; i++) {
        out.add(task.apply(i));
      }
      return out;
    }
    List<Future<T>> futures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      futures.add(pool.submit(() -> task.apply(index)));
    }
    RuntimeException failure = null;
    for (Future<T> f : futures) {
      try {
        out.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        futures.forEach(x -> x.cancel(true));
        throw new IllegalStateException("interrupted while waiting for intra-op tasks", e);
      } catch (ExecutionException e) {
        if (failure == null) {
          failure =
              e.getCause() instanceof RuntimeException re
                  ? re
                  : new IllegalStateException(e.getCause());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return out;
  }

  /**
   * Tasks are claimed from a shared counter by the calling thread and up to {@code parallelism - 1}
   * pool threads, so a caller blocked in a kernel also works, and uneven tasks balance.
   */
  @Override
  public void parallelFor(int tasks, IntConsumer task) {
    KernelThreads.claimInParallel(pool, parallelism, tasks, task);
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
      try {
        pool.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
