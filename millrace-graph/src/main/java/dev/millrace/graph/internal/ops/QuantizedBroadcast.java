package dev.millrace.graph.internal.ops;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.function.IntBinaryOperator;

/** Elementwise combination of two QUINT8 tensors into QINT32, broadcasting as NumPy does. */
final class QuantizedBroadcast {
  private QuantizedBroadcast() {}

  static Tensor combine(String op, Tensor x, Tensor y, IntBinaryOperator f) {
    Shape out = shape(op, x.shape(), y.shape());
    int[] xi = sources(x.shape(), out);
    int[] yi = sources(y.shape(), out);
    Tensor z = Tensor.zeros(DType.QINT32, out);
    for (int i = 0; i < xi.length; i++) {
      z.setInt(i, f.applyAsInt(x.getByte(xi[i]) & 0xff, y.getByte(yi[i]) & 0xff));
    }
    return z;
  }

  private static Shape shape(String op, Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long da = dimFromEnd(a, rank - i);
      long db = dimFromEnd(b, rank - i);
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            op + ": shapes " + a + " and " + b + " are not broadcast-compatible");
      }
      out[i] = da == 1 ? db : da;
    }
    return Shape.of(out);
  }

  private static long dimFromEnd(Shape s, int k) {
    int i = s.rank() - k;
    return i < 0 ? 1 : s.dim(i);
  }

  /** For each element of {@code out}, the index of the element of {@code from} it reads. */
  private static int[] sources(Shape from, Shape out) {
    int n = Math.toIntExact(out.size());
    int[] idx = new int[n];
    int rank = out.rank();
    long[] stride = new long[rank];
    long s = 1;
    for (int d = rank - 1; d >= 0; d--) {
      long dim = dimFromEnd(from, rank - d);
      stride[d] = dim == 1 ? 0 : s;
      s *= dim;
    }
    long[] pos = new long[rank];
    for (int i = 0; i < n; i++) {
      long at = 0;
      for (int d = 0; d < rank; d++) {
        at += pos[d] * stride[d];
      }
      idx[i] = (int) at;
      for (int d = rank - 1; d >= 0; d--) {
        if (++pos[d] < out.dim(d)) {
          break;
        }
        pos[d] = 0;
      }
    }
    return idx;
  }
}
