package dev.millrace.kernels.internal;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * Moves tensor elements to and from primitive arrays. Floating kernels work on {@code double[]} and
 * integer kernels on {@code long[]}; the conversions back follow C++'s {@code static_cast} where it
 * is defined (integers wrap to the target width, floats truncate toward zero, anything non-zero is
 * {@code true}) and Java's casts where C++ leaves it undefined (out-of-range floats saturate, NaN
 * becomes 0).
 */
public final class Buffers {
  private Buffers() {}

  /** The element count as an {@code int} (tensors are backed by Java arrays). */
  public static int count(Shape shape) {
    return Math.toIntExact(shape.size());
  }

  public static int count(Tensor t) {
    return count(t.shape());
  }

  /** The elements as doubles (exact for every type but INT64 beyond 2^53). */
  public static double[] doubles(Tensor t) {
    int n = count(t);
    double[] d = new double[n];
    switch (t.dtype()) {
      case FLOAT64 -> {
        return t.toDoubleArray();
      }
      case FLOAT32 -> {
        for (int i = 0; i < n; i++) {
          d[i] = t.getFloat(i);
        }
      }
      case INT32, INT64, UINT8, INT8, BOOL -> {
        long[] l = longs(t);
        for (int i = 0; i < n; i++) {
          d[i] = l[i];
        }
      }
      default -> throw unsupported(t);
    }
    return d;
  }

  /** The elements of an integer or BOOL tensor as longs (UINT8 unsigned, BOOL 0 or 1). */
  public static long[] longs(Tensor t) {
    int n = count(t);
    long[] l = new long[n];
    switch (t.dtype()) {
      case INT64 -> {
        return t.toLongArray();
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          l[i] = t.getInt(i);
        }
      }
      case UINT8 -> {
        for (int i = 0; i < n; i++) {
          l[i] = t.getByte(i) & 0xff;
        }
      }
      case INT8 -> {
        for (int i = 0; i < n; i++) {
          l[i] = t.getByte(i);
        }
      }
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          l[i] = t.getByte(i) != 0 ? 1 : 0;
        }
      }
      default -> throw unsupported(t);
    }
    return l;
  }

  /** A new tensor of {@code dtype} holding {@code values} converted to it. */
  public static Tensor fromDoubles(DType dtype, Shape shape, double[] values) {
    Tensor t = Tensor.zeros(dtype, shape);
    int n = values.length;
    switch (dtype) {
      case FLOAT32 -> {
        for (int i = 0; i < n; i++) {
          t.setFloat(i, (float) values[i]);
        }
      }
      case FLOAT64 -> {
        for (int i = 0; i < n; i++) {
          t.setDouble(i, values[i]);
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          t.setInt(i, (int) values[i]);
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          t.setLong(i, (long) values[i]);
        }
      }
      case UINT8, INT8 -> {
        for (int i = 0; i < n; i++) {
          t.setByte(i, (byte) (long) values[i]);
        }
      }
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          t.setByte(i, values[i] != 0 ? (byte) 1 : (byte) 0);
        }
      }
      default ->
          throw new IllegalArgumentException("cannot store numbers in a " + dtype + " tensor");
    }
    return t;
  }

  /** A new tensor of {@code dtype} holding {@code values} converted to it. */
  public static Tensor fromLongs(DType dtype, Shape shape, long[] values) {
    Tensor t = Tensor.zeros(dtype, shape);
    int n = values.length;
    switch (dtype) {
      case FLOAT32 -> {
        for (int i = 0; i < n; i++) {
          t.setFloat(i, (float) values[i]);
        }
      }
      case FLOAT64 -> {
        for (int i = 0; i < n; i++) {
          t.setDouble(i, (double) values[i]);
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          t.setInt(i, (int) values[i]);
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          t.setLong(i, values[i]);
        }
      }
      case UINT8, INT8 -> {
        for (int i = 0; i < n; i++) {
          t.setByte(i, (byte) values[i]);
        }
      }
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          t.setByte(i, values[i] != 0 ? (byte) 1 : (byte) 0);
        }
      }
      default ->
          throw new IllegalArgumentException("cannot store numbers in a " + dtype + " tensor");
    }
    return t;
  }

  /** Overwrites the elements of {@code t} (in place) with {@code values}. */
  public static void store(Tensor t, double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (t.dtype() == DType.FLOAT32) {
        t.setFloat(i, (float) values[i]);
      } else {
        t.setDouble(i, values[i]);
      }
    }
  }

  private static IllegalArgumentException unsupported(Tensor t) {
    return new IllegalArgumentException("cannot read a " + Checks.describe(t) + " as numbers");
  }
}
