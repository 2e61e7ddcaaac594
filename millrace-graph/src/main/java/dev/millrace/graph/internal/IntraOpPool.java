package dev.millrace.graph.internal;

import dev.millrace.graph.spi.IntraOp;
import dev.millrace.kernels.KernelThreadPool;
import dev.millrace.kernels.KernelThreads;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * The intra-op pool: one session's {@link KernelThreadPool}, named after the session. It serves
 * kernels that split their own work twice over: as the graph's {@link IntraOp} and as the kernels'
 * {@link KernelThreads}.
 */
final class IntraOpPool implements IntraOp, KernelThreads, AutoCloseable {
  private final KernelThreadPool pool;

  IntraOpPool(String namePrefix, int parallelism) {
    this.pool = KernelThreadPool.create(namePrefix, parallelism);
  }

  @Override
  public int parallelism() {
    return pool.parallelism();
  }

  @Override
  public <T> List<T> map(int n, IntFunction<T> task) {
    Object[] out = new Object[n];
    pool.parallelFor(n, i -> out[i] = task.apply(i));
    @SuppressWarnings("unchecked")
    List<T> results = (List<T>) Arrays.asList(out);
    return results;
  }

  /** As {@link KernelThreadPool#parallelFor}: the calling thread takes part. */
  @Override
  public void parallelFor(int tasks, IntConsumer task) {
    pool.parallelFor(tasks, task);
  }

  @Override
  public void close() {
    pool.close();
  }
}
