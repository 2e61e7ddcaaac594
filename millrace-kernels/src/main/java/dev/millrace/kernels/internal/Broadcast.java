package dev.millrace.kernels.internal;

import dev.millrace.tensor.Shape;

/**
 * NumPy broadcasting: shapes aligned at their last axis; each pair of dims equal or one of them 1.
 */
public final class Broadcast {
  private Broadcast() {}

  /** The broadcast shape of {@code a} and {@code b}, or null if they are incompatible. */
  public static Shape shapeOrNull(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long da = dimFromEnd(a, rank - 1 - i);
      long db = dimFromEnd(b, rank - 1 - i);
      if (da == db || db == 1) {
        out[i] = da;
      } else if (da == 1) {
        out[i] = db;
      } else {
        return null;
      }
    }
    return Shape.of(out);
  }

  /** The broadcast shape of {@code a} and {@code b}; fails naming both. */
  public static Shape shape(String op, Shape a, Shape b) {
    Shape s = shapeOrNull(a, b);
    if (s == null) {
      throw new IllegalArgumentException(
          op + ": shapes " + a + " and " + b + " are not compatible for broadcasting");
    }
    return s;
  }

  /** True if {@code from} broadcasts to exactly {@code to}. */
  public static boolean broadcastsTo(Shape from, Shape to) {
    return from.rank() <= to.rank() && to.equals(shapeOrNull(from, to));
  }

  /**
   * For every element of {@code out} (row-major), the flat index of the element of {@code from}
   * that broadcasting maps onto it. {@code from} must broadcast to {@code out}.
   */
  public static int[] sourceIndices(Shape from, Shape out) {
    int rank = out.rank();
    long[] outDims = out.dims();
    long[] fromStrides = new long[rank];
    long[] strides = from.strides();
    int offset = rank - from.rank();
    for (int i = 0; i < from.rank(); i++) {
      // A broadcast (size-1) axis does not advance through the source.
      fromStrides[offset + i] = from.dim(i) == 1 ? 0 : strides[i];
    }
    int n = Buffers.count(out);
    int[] map = new int[n];
    long[] index = new long[rank];
    long src = 0;
    for (int o = 0; o < n; o++) {
      map[o] = (int) src;
      for (int a = rank - 1; a >= 0; a--) {
        index[a]++;
        src += fromStrides[a];
        if (index[a] < outDims[a]) {
          break;
        }
        src -= index[a] * fromStrides[a];
        index[a] = 0;
      }
    }
    return map;
  }

  private static long dimFromEnd(Shape s, int fromEnd) {
    return fromEnd < s.rank() ? s.dim(s.rank() - 1 - fromEnd) : 1;
  }
}
