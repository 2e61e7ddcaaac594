package dev.millrace.convert.internal;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A numpy array rebuilt from a pickle: {@code numpy.core.multiarray._reconstruct(ndarray, (0,),
 * b'b')} creates it empty, then BUILD gives it its state {@code (version, shape, dtype, is_fortran,
 * raw bytes)}. Only arrays of fixed-size numbers (booleans, integers, floats, complex) can be
 * rebuilt; object arrays would need arbitrary pickled objects.
 */
public final class NdArray {
  private long[] shape;
  private NdDType dtype;
  private boolean fortranOrder;
  private PyBytes data;

  NdArray() {}

  /** Whether BUILD has given the array its state. */
  public boolean isBuilt() {
    return data != null;
  }

  void build(long[] shape, NdDType dtype, boolean fortranOrder, PyBytes data) {
    this.shape = shape.clone();
    this.dtype = dtype;
    this.fortranOrder = fortranOrder;
    this.data = data;
  }

  public long[] shape() {
    return shape.clone();
  }

  public NdDType dtype() {
    return dtype;
  }

  public boolean fortranOrder() {
    return fortranOrder;
  }

  /** The raw element bytes, in C (or, if {@link #fortranOrder()}, Fortran) order. */
  public PyBytes data() {
    return data;
  }

  /** How many elements the array holds. */
  public int size() {
    return data.length() / dtype.itemSize();
  }

  /**
   * The element at {@code index} of the raw data of an integer array ({@link NdDType#isInteger()}):
   * a {@link Long}, or a {@link BigInteger} for a uint64 beyond it.
   */
  public Object integerAt(int index) {
    int size = dtype.itemSize();
    int from = index * size;
    long v = 0;
    for (int i = 0; i < size; i++) {
      int b = data.byteAt(dtype.isBigEndian() ? from + i : from + size - 1 - i);
      v = v << 8 | b;
    }
    if (dtype.kind() == 'i') {
      int unused = 64 - 8 * size;
      return v << unused >> unused; // sign-extends
    }
    return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
  }

  @Override
  public String toString() {
    return isBuilt()
        ? "ndarray(shape=" + Arrays.toString(shape) + ", dtype=" + dtype + ")"
        : "ndarray(unbuilt)";
  }
}
