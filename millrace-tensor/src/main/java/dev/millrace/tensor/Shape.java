package dev.millrace.tensor;

import java.util.Arrays;

/**
 * The dimensions of a tensor, outermost first. A dimension of {@code -1} is unknown (as in a
 * placeholder's batch dimension); a shape with no unknown dimension is fully defined. Immutable.
 */
public final class Shape {
  /** Marks an unknown dimension. */
  public static final long UNKNOWN = -1;

  private static final Shape SCALAR = new Shape(new long[0]);

  private final long[] dims;

  private Shape(long[] dims) {
    this.dims = dims;
  }

  public static Shape of(long... dims) {
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < UNKNOWN) {
        throw new IllegalArgumentException(
            "dimension "
                + i
                + " of "
                + Arrays.toString(dims)
                + " is "
                + dims[i]
                + " (expected >= 0 or -1)");
      }
    }
    return dims.length == 0 ? SCALAR : new Shape(dims.clone());
  }

  public static Shape scalar() {
    return SCALAR;
  }

  public int rank() {
    return dims.length;
  }

  /** Dimension {@code i}; negative {@code i} counts from the end, as in Python. */
  public long dim(int i) {
    int k = i < 0 ? dims.length + i : i;
    if (k < 0 || k >= dims.length) {
      throw new IndexOutOfBoundsException(
          "axis " + i + " of shape " + this + " (rank " + rank() + ")");
    }
    return dims[k];
  }

  public long[] dims() {
    return dims.clone();
  }

  public boolean isFullyDefined() {
    for (long d : dims) {
      if (d == UNKNOWN) {
        return false;
      }
    }
    return true;
  }

  /** Number of elements; fails if a dimension is unknown. */
  public long size() {
    long n = 1;
    for (long d : dims) {
      if (d == UNKNOWN) {
        throw new IllegalStateException("shape " + this + " has an unknown dimension");
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Row-major strides in elements. */
  public long[] strides() {
    long[] s = new long[dims.length];
    long stride = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = stride;
      stride *= Math.max(dims[i], 1);
    }
    return s;
  }

  /** This shape with dimension {@code i} replaced. */
  public Shape withDim(int i, long value) {
    long[] d = dims.clone();
    d[i < 0 ? d.length + i : i] = value;
    return Shape.of(d);
  }

  /** True if the two could describe the same tensor (unknown dimensions match anything). */
  public boolean isCompatibleWith(Shape other) {
    if (rank() != other.rank()) {
      return false;
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] != UNKNOWN && other.dims[i] != UNKNOWN && dims[i] != other.dims[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code [2, 3, ?]} with {@code ?} for an unknown dimension. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(dims[i] == UNKNOWN ? "?" : Long.toString(dims[i]));
    }
    return sb.append(']').toString();
  }
}
