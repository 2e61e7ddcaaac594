package dev.millrace.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A typed, shaped block of elements in row-major order, in one contiguous {@link MemorySegment}: on
 * the Java heap (a primitive array of the element type, the default) or off-heap (64-byte aligned,
 * for vector kernels; freed by {@link #close()}). String tensors keep their byte strings in an
 * array instead.
 *
 * <p>A tensor's contents are mutable so that kernels can write their outputs in place; share a
 * tensor only after it is fully written. Views made by {@link #reshape} share the storage.
 */
public final class Tensor implements AutoCloseable {
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
  private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

  private final DType dtype;
  private final Shape shape;
  private final MemorySegment data;
  private final byte[][] strings;
  private final Arena arena;

  private Tensor(DType dtype, Shape shape, MemorySegment data, byte[][] strings, Arena arena) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
    this.strings = strings;
    this.arena = arena;
  }

  /** A zero-filled tensor on the Java heap. */
  public static Tensor zeros(DType dtype, Shape shape) {
    long n = requireDefined(shape);
    int count = Math.toIntExact(n);
    MemorySegment seg =
        switch (dtype) {
          case FLOAT32 -> MemorySegment.ofArray(new float[count]);
          case FLOAT64 -> MemorySegment.ofArray(new double[count]);
          case INT32, QINT32 -> MemorySegment.ofArray(new int[count]);
          case INT64 -> MemorySegment.ofArray(new long[count]);
          case UINT8, INT8, BOOL, QINT8, QUINT8 -> MemorySegment.ofArray(new byte[count]);
          case STRING -> MemorySegment.NULL;
        };
    byte[][] strings = null;
    if (dtype == DType.STRING) {
      strings = new byte[count][];
      Arrays.fill(strings, new byte[0]);
    }
    return new Tensor(dtype, shape, seg, strings, null);
  }

  /** A zero-filled off-heap tensor, 64-byte aligned; {@link #close()} frees it. */
  public static Tensor allocateNative(DType dtype, Shape shape) {
    if (dtype == DType.STRING) {
      throw new IllegalArgumentException(
          "string tensors live on the heap; use zeros(STRING, shape)");
    }
    long bytes = Math.multiplyExact(requireDefined(shape), (long) dtype.byteSize());
    Arena arena = Arena.ofShared();
    MemorySegment seg = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
    return new Tensor(dtype, shape, seg, null, arena);
  }

  public static Tensor ofFloats(Shape shape, float... values) {
    checkCount(shape, values.length);
    return new Tensor(DType.FLOAT32, shape, MemorySegment.ofArray(values.clone()), null, null);
  }

  public static Tensor ofDoubles(Shape shape, double... values) {
    checkCount(shape, values.length);
    return new Tensor(DType.FLOAT64, shape, MemorySegment.ofArray(values.clone()), null, null);
  }

  public static Tensor ofInts(Shape shape, int... values) {
    checkCount(shape, values.length);
    return new Tensor(DType.INT32, shape, MemorySegment.ofArray(values.clone()), null, null);
  }

  /** A tensor of 32-bit ints of type INT32 or QINT32 (TensorFlow's 32-bit quantized codes). */
  public static Tensor ofInts(DType dtype, Shape shape, int... values) {
    if (dtype != DType.INT32 && dtype != DType.QINT32) {
      throw new IllegalArgumentException("ofInts needs INT32 or QINT32, got " + dtype);
    }
    checkCount(shape, values.length);
    return new Tensor(dtype, shape, MemorySegment.ofArray(values.clone()), null, null);
  }

  /**
   * A tensor whose storage is {@code values} itself, not a copy (for kernels that have just filled
   * an array): the caller gives the array up and must not touch it again. INT32 or QINT32.
   */
  public static Tensor wrapping(DType dtype, Shape shape, int[] values) {
    if (dtype != DType.INT32 && dtype != DType.QINT32) {
      throw new IllegalArgumentException("wrapping an int[] needs INT32 or QINT32, got " + dtype);
    }
    checkCount(shape, values.length);
    return new Tensor(dtype, shape, MemorySegment.ofArray(values), null, null);
  }

  /**
   * A FLOAT32 tensor backed by {@code values} itself (no copy): the caller hands the array over and
   * must not touch it afterwards.
   */
  public static Tensor wrapping(Shape shape, float[] values) {
    checkCount(shape, values.length);
    return new Tensor(DType.FLOAT32, shape, MemorySegment.ofArray(values), null, null);
  }

  /** {@link #wrapping(DType, Shape, int[])} for a 1-byte type. */
  public static Tensor wrapping(DType dtype, Shape shape, byte[] values) {
    if (dtype.byteSize() != 1) {
      throw new IllegalArgumentException("wrapping a byte[] needs a 1-byte dtype, got " + dtype);
    }
    checkCount(shape, values.length);
    return new Tensor(dtype, shape, MemorySegment.ofArray(values), null, null);
  }

  public static Tensor ofLongs(Shape shape, long... values) {
    checkCount(shape, values.length);
    return new Tensor(DType.INT64, shape, MemorySegment.ofArray(values.clone()), null, null);
  }

  /** A tensor of single bytes: UINT8, INT8, BOOL (0 or 1), QUINT8 or QINT8. */
  public static Tensor ofBytes(DType dtype, Shape shape, byte... values) {
    if (dtype.byteSize() != 1) {
      throw new IllegalArgumentException("ofBytes needs a 1-byte dtype, got " + dtype);
    }
    checkCount(shape, values.length);
    return new Tensor(dtype, shape, MemorySegment.ofArray(values.clone()), null, null);
  }

  public static Tensor ofStrings(Shape shape, byte[]... values) {
    checkCount(shape, values.length);
    byte[][] copy = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      copy[i] = values[i].clone();
    }
    return new Tensor(DType.STRING, shape, MemorySegment.NULL, copy, null);
  }

  public static Tensor scalar(float value) {
    return ofFloats(Shape.scalar(), value);
  }

  public static Tensor scalar(double value) {
    return ofDoubles(Shape.scalar(), value);
  }

  public static Tensor scalar(int value) {
    return ofInts(Shape.scalar(), value);
  }

  public static Tensor scalar(long value) {
    return ofLongs(Shape.scalar(), value);
  }

  public DType dtype() {
    return dtype;
  }

  public Shape shape() {
    return shape;
  }

  /** Number of elements. */
  public long size() {
    return shape.size();
  }

  /** The storage, {@code size() * dtype().byteSize()} bytes; {@code NULL} for strings. */
  public MemorySegment data() {
    return data;
  }

  public boolean isNative() {
    return data.isNative();
  }

  public float getFloat(long index) {
    return data.getAtIndex(F32, index);
  }

  public void setFloat(long index, float value) {
    data.setAtIndex(F32, index, value);
  }

  public double getDouble(long index) {
    return data.getAtIndex(F64, index);
  }

  public void setDouble(long index, double value) {
    data.setAtIndex(F64, index, value);
  }

  public int getInt(long index) {
    return data.getAtIndex(I32, index);
  }

  public void setInt(long index, int value) {
    data.setAtIndex(I32, index, value);
  }

  public long getLong(long index) {
    return data.getAtIndex(I64, index);
  }

  public void setLong(long index, long value) {
    data.setAtIndex(I64, index, value);
  }

  public byte getByte(long index) {
    return data.get(ValueLayout.JAVA_BYTE, index);
  }

  public void setByte(long index, byte value) {
    data.set(ValueLayout.JAVA_BYTE, index, value);
  }

  /** String element {@code index} (a copy). */
  public byte[] getString(int index) {
    requireType(DType.STRING);
    return strings[index].clone();
  }

  public void setString(int index, byte[] value) {
    requireType(DType.STRING);
    strings[index] = value.clone();
  }

  /** Element {@code index} as a double, whatever the numeric type (for tests and printing). */
  public double getAsDouble(long index) {
    return switch (dtype) {
      case FLOAT32 -> getFloat(index);
      case FLOAT64 -> getDouble(index);
      case INT32, QINT32 -> getInt(index);
      case INT64 -> getLong(index);
      case UINT8, QUINT8 -> getByte(index) & 0xff;
      case INT8, QINT8 -> getByte(index);
      case BOOL -> getByte(index) != 0 ? 1 : 0;
      case STRING -> throw new IllegalStateException("string tensor has no numeric value");
    };
  }

  public float[] toFloatArray() {
    requireType(DType.FLOAT32);
    return data.toArray(ValueLayout.JAVA_FLOAT);
  }

  public double[] toDoubleArray() {
    requireType(DType.FLOAT64);
    return data.toArray(ValueLayout.JAVA_DOUBLE);
  }

  /** The elements of an INT32 or QINT32 tensor. */
  public int[] toIntArray() {
    if (dtype != DType.QINT32) {
      requireType(DType.INT32);
    }
    return data.toArray(ValueLayout.JAVA_INT);
  }

  public long[] toLongArray() {
    requireType(DType.INT64);
    return data.toArray(ValueLayout.JAVA_LONG);
  }

  public byte[] toByteArray() {
    if (dtype.byteSize() < 0) {
      throw new IllegalStateException("string tensor has no byte storage");
    }
    return data.toArray(ValueLayout.JAVA_BYTE);
  }

  /**
   * A view with another shape of the same number of elements, sharing this tensor's storage. The
   * view of an off-heap tensor is valid only while that tensor is open.
   */
  public Tensor reshape(Shape newShape) {
    if (!newShape.isFullyDefined()) {
      throw new IllegalArgumentException(
          "cannot reshape " + shape + " to " + newShape + ": resolve the unknown dimension first");
    }
    if (newShape.size() != shape.size()) {
      throw new IllegalArgumentException(
          "cannot reshape "
              + shape
              + " ("
              + shape.size()
              + " elements) to "
              + newShape
              + " ("
              + newShape.size()
              + " elements)");
    }
    return new Tensor(dtype, newShape, data, strings, null);
  }

  /** A heap copy with its own storage. */
  public Tensor copy() {
    Tensor t = zeros(dtype, shape);
    if (dtype == DType.STRING) {
      for (int i = 0; i < strings.length; i++) {
        t.strings[i] = strings[i].clone();
      }
    } else {
      t.data.copyFrom(data);
    }
    return t;
  }

  /** A copy of this rank-4 tensor re-laid out from {@code from} to {@code to} (a transpose). */
  public Tensor toFormat(DataFormat from, DataFormat to) {
    from.requireRank4(shape);
    if (from == to) {
      return copy();
    }
    int[] perm = from.permutationTo(to);
    return transpose(perm);
  }

  /** A copy with the axes permuted: output axis {@code i} is input axis {@code perm[i]}. */
  public Tensor transpose(int... perm) {
    int rank = shape.rank();
    if (perm.length != rank) {
      throw new IllegalArgumentException(
          "permutation "
              + Arrays.toString(perm)
              + " has "
              + perm.length
              + " entries for shape "
              + shape);
    }
    long[] inDims = shape.dims();
    long[] inStrides = shape.strides();
    long[] outDims = new long[rank];
    long[] strideOfOutAxis = new long[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) {
        throw new IllegalArgumentException(
            "not a permutation of 0.." + (rank - 1) + ": " + Arrays.toString(perm));
      }
      seen[perm[i]] = true;
      outDims[i] = inDims[perm[i]];
      strideOfOutAxis[i] = inStrides[perm[i]];
    }
    Tensor out = zeros(dtype, Shape.of(outDims));
    long n = out.size();
    long[] index = new long[rank];
    int width = dtype == DType.STRING ? 0 : dtype.byteSize();
    for (long o = 0; o < n; o++) {
      long src = 0;
      for (int a = 0; a < rank; a++) {
        src += index[a] * strideOfOutAxis[a];
      }
      if (width == 0) {
        out.strings[(int) o] = strings[(int) src];
      } else {
        MemorySegment.copy(data, src * width, out.data, o * width, width);
      }
      for (int a = rank - 1; a >= 0; a--) {
        if (++index[a] < outDims[a]) {
          break;
        }
        index[a] = 0;
      }
    }
    return out;
  }

  /** Fails with both types named unless this tensor has {@code expected} type. */
  public Tensor requireType(DType expected) {
    if (dtype != expected) {
      throw new IllegalArgumentException(
          "expected a " + expected + " tensor, got " + dtype + " " + shape);
    }
    return this;
  }

  /**
   * Fails with both shapes named unless this tensor's shape is compatible with {@code expected}.
   */
  public Tensor requireShape(Shape expected) {
    if (!shape.isCompatibleWith(expected)) {
      throw new IllegalArgumentException("expected shape " + expected + ", got " + shape);
    }
    return this;
  }

  /** Frees off-heap storage; a no-op for heap tensors. */
  @Override
  public void close() {
    if (arena != null && arena.scope().isAlive()) {
      arena.close();
    }
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("Tensor<").append(dtype).append(' ').append(shape).append(">");
    if (dtype != DType.STRING && shape.isFullyDefined() && size() <= 8) {
      sb.append(' ').append('[');
      for (long i = 0; i < size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(getAsDouble(i));
      }
      sb.append(']');
    }
    return sb.toString();
  }

  private static long requireDefined(Shape shape) {
    if (!shape.isFullyDefined()) {
      throw new IllegalArgumentException(
          "cannot allocate a tensor of partly unknown shape " + shape);
    }
    return shape.size();
  }

  private static void checkCount(Shape shape, int count) {
    long n = requireDefined(shape);
    if (n != count) {
      throw new IllegalArgumentException(
          "shape " + shape + " holds " + n + " elements, got " + count + " values");
    }
  }
}
