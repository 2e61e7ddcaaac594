package dev.millrace.kernels.internal.simd;

/**
 * The positions {@code p} in {@code [0, count)} whose input index {@code shift + p · step} lies in
 * {@code [0, n)}: the output rows or columns where a filter tap reads the image rather than its
 * zero border, or the taps of a filter that an output row takes. Kernels that leave out products
 * with the border loop over {@code [from, to)}.
 */
final class InsideRange {
  private InsideRange() {}

  /** The first such position: at least 0, at most {@code count}. */
  static int from(int shift, int step, int count) {
    return Math.min(count, Math.max(0, Math.ceilDiv(-shift, step)));
  }

  /** One past the last such position: at least 0, at most {@code count}. */
  static int to(int shift, int step, int n, int count) {
    return Math.max(0, Math.min(count, Math.floorDiv(n - 1 - shift, step) + 1));
  }
}
