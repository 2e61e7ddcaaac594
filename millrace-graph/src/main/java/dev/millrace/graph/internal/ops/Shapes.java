package dev.millrace.graph.internal.ops;

import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.Window1d;
import dev.millrace.tensor.Shape;
import java.util.Arrays;
import java.util.Optional;

/** Shape arithmetic for shape functions; unknown dimensions (-1) propagate. */
public final class Shapes {
  static final long U = Shape.UNKNOWN;

  private Shapes() {}

  /** NumPy broadcasting of two shapes; fails naming both. */
  public static Shape broadcast(ShapeContext c, Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      int ia = a.rank() - rank + i;
      int ib = b.rank() - rank + i;
      long da = ia < 0 ? 1 : a.dim(ia);
      long db = ib < 0 ? 1 : b.dim(ib);
      if (da == 1) {
        out[i] = db;
      } else if (db == 1) {
        out[i] = da;
      } else if (da == U) {
        out[i] = db;
      } else if (db == U || da == db) {
        out[i] = da;
      } else {
        throw c.error(
            "shapes " + a + " and " + b + " are not broadcast-compatible (dimension " + i + ")");
      }
    }
    return Shape.of(out);
  }

  /** {@code axis} made non-negative for {@code rank}; fails naming the shape. */
  public static int axis(ShapeContext c, long axis, int rank, Shape of) {
    if (axis < -rank || axis >= rank) {
      throw c.error("axis " + axis + " is out of range for shape " + of + " (rank " + rank + ")");
    }
    return (int) (axis < 0 ? axis + rank : axis);
  }

  /** Integer values of constant input {@code i}, if constant. */
  public static Optional<long[]> constInts(ShapeContext c, int i) {
    return c.constantInput(i).map(Consts::longs);
  }

  /** All dimensions unknown, of rank {@code rank}. */
  public static Shape unknown(int rank) {
    long[] d = new long[rank];
    Arrays.fill(d, U);
    return Shape.of(d);
  }

  /** The shape a constant int vector input describes, or the unknown shape of its length. */
  public static Shape shapeFromInput(ShapeContext c, int i) {
    Optional<long[]> v = constInts(c, i);
    if (v.isPresent()) {
      for (long d : v.get()) {
        if (d < 0) {
          throw c.error("shape " + Arrays.toString(v.get()) + " has a negative dimension");
        }
      }
      return Shape.of(v.get());
    }
    Shape s = c.inputShape(i);
    if (s.rank() == 1 && s.dim(0) != U) {
      return unknown((int) s.dim(0));
    }
    return null;
  }

  /** Like {@link #shapeFromInput}, for an input that must describe a rank-4 shape. */
  public static Shape rank4FromInput(ShapeContext c, int i) {
    Shape s = shapeFromInput(c, i);
    if (s != null && s.rank() != 4) {
      throw c.error("input " + i + " must describe a rank-4 shape, got " + s);
    }
    return s;
  }

  /** Output length along one spatial axis (-1 if the input is unknown); fails if empty. */
  public static long window(
      ShapeContext c,
      String axisName,
      long in,
      long k,
      int stride,
      int dilation,
      Padding padding,
      int before,
      int after) {
    if (in == U || k == U) {
      return padding == Padding.SAME && in != U ? (in + stride - 1) / stride : U;
    }
    long out = Window1d.of(in, k, stride, dilation, padding, before, after).out();
    if (out <= 0) {
      throw c.error(
          "window "
              + k
              + (dilation > 1 ? " (dilation " + dilation + ")" : "")
              + " does not fit input "
              + axisName
              + " "
              + in
              + " with "
              + padding
              + " padding (output would be empty)");
    }
    return out;
  }

  /** {@code shape} reduced over {@code axes}. */
  public static Shape reduce(Shape in, boolean[] reduced, boolean keepDims) {
    long[] d = in.dims();
    long[] out = new long[d.length];
    int k = 0;
    for (int i = 0; i < d.length; i++) {
      if (reduced[i]) {
        if (keepDims) {
          out[k++] = 1;
        }
      } else {
        out[k++] = d[i];
      }
    }
    return Shape.of(Arrays.copyOf(out, k));
  }

  /** Merges two compatible shapes, preferring known dimensions. */
  public static Shape merge(Shape a, Shape b) {
    long[] d = a.dims();
    for (int i = 0; i < d.length; i++) {
      if (d[i] == U) {
        d[i] = b.dim(i);
      }
    }
    return Shape.of(d);
  }
}
