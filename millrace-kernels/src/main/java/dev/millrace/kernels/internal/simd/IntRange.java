package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;

/** Splits {@code [0, n)} into contiguous ranges, one per task. */
final class IntRange {
  private IntRange() {}

  /** Work on {@code [from, to)} by task {@code task}. */
  @FunctionalInterface
  interface Body {
    void run(int task, int from, int to);
  }

  /**
   * Runs {@code body} over {@code tasks} near-equal ranges of {@code [0, n)}, on {@code threads}.
   */
  static void split(int n, int tasks, KernelThreads threads, Body body) {
    int t = Math.max(1, Math.min(tasks, n));
    if (t == 1) {
      body.run(0, 0, n);
      return;
    }
    threads.parallelFor(
        t, i -> body.run(i, (int) ((long) n * i / t), (int) ((long) n * (i + 1) / t)));
  }

  /** How many tasks {@code elements} of streaming work deserve: 1 below 64 Ki elements. */
  static int tasksFor(long elements, KernelThreads threads) {
    return elements < 1 << 16 ? 1 : threads.parallelism();
  }
}
