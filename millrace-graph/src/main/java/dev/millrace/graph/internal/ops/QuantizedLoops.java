package dev.millrace.graph.internal.ops;

import dev.millrace.graph.spi.IntraOp;

/**
 * Elementwise loops of the eight-bit ops split over the session's intra-op threads: they run once
 * per activation of a quantized graph, and on one thread they take as long as the convolutions.
 */
final class QuantizedLoops {
  /**
   * Below this many elements a loop runs on the calling thread: a split costs more than it saves.
   */
  static final int MIN_SPLIT = 1 << 15;

  private QuantizedLoops() {}

  /** Runs {@code body} over {@code [0, n)}, cut into contiguous pieces. */
  interface Body {
    void run(int from, int to);
  }

  static void split(IntraOp pool, int n, Body body) {
    int parts = pieces(pool, n);
    if (parts <= 1) {
      body.run(0, n);
      return;
    }
    pool.map(
        parts,
        p -> {
          body.run(start(n, p, parts), start(n, p + 1, parts));
          return Boolean.TRUE;
        });
  }

  /** How many pieces {@code n} elements are cut into. */
  static int pieces(IntraOp pool, int n) {
    return n < MIN_SPLIT ? 1 : Math.max(1, Math.min(pool.parallelism(), n / (MIN_SPLIT / 2)));
  }

  static int start(int n, int piece, int pieces) {
    return (int) ((long) n * piece / pieces);
  }
}
