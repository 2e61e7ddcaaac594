package dev.millrace.graph.spi;

import java.util.List;
import java.util.function.IntFunction;

/**
 * The session's intra-op pool, through which one kernel splits its own work. Tasks must not block
 * on each other.
 */
public interface IntraOp {
  /** Number of threads a kernel may use (1: run inline). */
  int parallelism();

  /**
   * {@code task.apply(0..n-1)} on the pool; results in index order; the first failure is thrown.
   */
  <T> List<T> map(int n, IntFunction<T> task);
}
