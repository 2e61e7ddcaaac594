package dev.millrace.kernels.internal;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;

/** Argument checks whose messages name the op, the roles and the shapes and types involved. */
public final class Checks {
  private Checks() {}

  /** {@code FLOAT32 [2, 3]}. */
  public static String describe(Tensor t) {
    return t.dtype() + " " + t.shape();
  }

  public static void requireNonNull(String op, String role, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(op + ": " + role + " must not be null");
    }
  }

  /** FLOAT32 or FLOAT64. */
  public static void requireFloating(String op, String role, Tensor t) {
    requireNonNull(op, role, t);
    if (!t.dtype().isFloating()) {
      throw new IllegalArgumentException(
          op + ": " + role + " must be FLOAT32 or FLOAT64, got " + describe(t));
    }
  }

  /** FLOAT32, FLOAT64, INT32 or INT64: the types of arithmetic. */
  public static void requireNumeric(String op, String role, Tensor t) {
    requireNonNull(op, role, t);
    if (!isArithmetic(t.dtype())) {
      throw new IllegalArgumentException(
          op + ": " + role + " must be FLOAT32, FLOAT64, INT32 or INT64, got " + describe(t));
    }
  }

  public static boolean isArithmetic(DType d) {
    return d == DType.FLOAT32 || d == DType.FLOAT64 || d == DType.INT32 || d == DType.INT64;
  }

  /** The types {@link Buffers} can read and write: arithmetic types, UINT8, INT8 and BOOL. */
  public static boolean isCastable(DType d) {
    return isArithmetic(d) || d == DType.UINT8 || d == DType.INT8 || d == DType.BOOL;
  }

  public static void requireSameDType(String op, String roleA, Tensor a, String roleB, Tensor b) {
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException(
          op
              + ": "
              + roleA
              + " is "
              + describe(a)
              + " but "
              + roleB
              + " is "
              + describe(b)
              + " (types must match)");
    }
  }

  public static void requireSameShape(String op, String roleA, Tensor a, String roleB, Tensor b) {
    if (!a.shape().equals(b.shape())) {
      throw new IllegalArgumentException(
          op
              + ": "
              + roleA
              + " has shape "
              + a.shape()
              + " but "
              + roleB
              + " has shape "
              + b.shape()
              + " (shapes must match)");
    }
  }

  /** Same dtype and same shape. */
  public static void requireLike(String op, String roleA, Tensor a, String roleB, Tensor b) {
    requireNonNull(op, roleA, a);
    requireNonNull(op, roleB, b);
    requireSameDType(op, roleA, a, roleB, b);
    requireSameShape(op, roleA, a, roleB, b);
  }

  public static void requireRank(String op, String role, Tensor t, int rank) {
    requireNonNull(op, role, t);
    requireRank(op, role, t.shape(), rank);
  }

  public static void requireRank(String op, String role, Shape shape, int rank) {
    if (shape.rank() != rank) {
      throw new IllegalArgumentException(
          op + ": " + role + " must have rank " + rank + ", got shape " + shape);
    }
  }

  public static void requireDefined(String op, String role, Shape shape) {
    requireNonNull(op, role, shape);
    if (!shape.isFullyDefined()) {
      throw new IllegalArgumentException(
          op + ": " + role + " " + shape + " has an unknown dimension");
    }
  }

  /** {@code axis} in {@code [-rank, rank)} made non-negative. */
  public static int axis(String op, int axis, Shape shape) {
    int rank = shape.rank();
    if (axis < -rank || axis >= rank) {
      throw new IllegalArgumentException(
          op
              + ": axis "
              + axis
              + " is out of range for shape "
              + shape
              + " (expected range("
              + -rank
              + ", "
              + rank
              + "))");
    }
    return axis < 0 ? axis + rank : axis;
  }

  public static String str(int[] values) {
    return Arrays.toString(values);
  }

  public static String str(long[] values) {
    return Arrays.toString(values);
  }
}
