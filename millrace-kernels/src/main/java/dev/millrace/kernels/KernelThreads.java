package dev.millrace.kernels;

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
