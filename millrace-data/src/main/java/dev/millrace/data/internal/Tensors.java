package dev.millrace.data.internal;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Tensor helpers the tensor module does not offer: content equality, rows, shapes. */
public final class Tensors {
  private Tensors() {}

  /** Same dtype, shape and element bytes (strings compared as bytes; NaNs by bit pattern). */
  public static boolean contentEquals(Tensor a, Tensor b) {
    if (a == b) {
      return true;
    }
    if (a.dtype() != b.dtype() || !a.shape().equals(b.shape())) {
      return false;
    }
    if (a.dtype() == DType.STRING) {
      int n = Math.toIntExact(a.size());
      for (int i = 0; i < n; i++) {
        if (!Arrays.equals(a.getString(i), b.getString(i))) {
          return false;
        }
      }
      return true;
    }
    return a.data().mismatch(b.data()) == -1;
  }

  public static int contentHash(Tensor t) {
    int h = t.dtype().hashCode() * 31 + t.shape().hashCode();
    if (t.dtype() != DType.STRING) {
      long n = Math.min(t.data().byteSize(), 64);
      for (long i = 0; i < n; i++) {
        h = h * 31 + t.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
      }
    }
    return h;
  }

  /** The shape with a leading dimension {@code n}. */
  public static Shape prepend(long n, Shape shape) {
    long[] d = shape.dims();
    long[] out = new long[d.length + 1];
    out[0] = n;
    System.arraycopy(d, 0, out, 1, d.length);
    return Shape.of(out);
  }

  /** The shape without its leading dimension. */
  public static Shape dropFirst(Shape shape) {
    long[] d = shape.dims();
    return Shape.of(Arrays.copyOfRange(d, 1, d.length));
  }

  /** A copy of rows {@code [from, to)} of {@code t} along its first axis. */
  public static Tensor rows(Tensor t, long from, long to) {
    Shape rowShape = dropFirst(t.shape());
    long rowSize = rowShape.size();
    Tensor out = Tensor.zeros(t.dtype(), prepend(to - from, rowShape));
    copyElements(t, from * rowSize, out, 0, (to - from) * rowSize);
    return out;
  }

  /** A copy of row {@code i} of {@code t}, without the leading axis. */
  public static Tensor row(Tensor t, long i) {
    Shape rowShape = dropFirst(t.shape());
    long rowSize = rowShape.size();
    Tensor out = Tensor.zeros(t.dtype(), rowShape);
    copyElements(t, i * rowSize, out, 0, rowSize);
    return out;
  }

  /** Copies {@code count} elements from {@code src[srcIndex]} to {@code dst[dstIndex]}. */
  public static void copyElements(
      Tensor src, long srcIndex, Tensor dst, long dstIndex, long count) {
    if (count == 0) {
      return;
    }
    if (src.dtype() == DType.STRING) {
      for (long k = 0; k < count; k++) {
        dst.setString((int) (dstIndex + k), src.getString((int) (srcIndex + k)));
      }
      return;
    }
    long w = src.dtype().byteSize();
    MemorySegment.copy(src.data(), srcIndex * w, dst.data(), dstIndex * w, count * w);
  }

  /** The heap array behind a tensor made by {@link Tensor#zeros}, without copying. */
  public static float[] floatArray(Tensor t) {
    return (float[]) t.requireType(DType.FLOAT32).data().heapBase().orElseThrow();
  }

  /** The heap array behind a 1-byte tensor made by {@link Tensor#zeros}, or null if off-heap. */
  public static byte[] byteArrayOrNull(Tensor t) {
    Object base = t.data().heapBase().orElse(null);
    return base instanceof byte[] b && t.data().address() == 0 && b.length == t.data().byteSize()
        ? b
        : null;
  }

  /** The heap array behind a float tensor, or null if off-heap or a view of part of one. */
  public static float[] floatArrayOrNull(Tensor t) {
    Object base = t.data().heapBase().orElse(null);
    return base instanceof float[] f && t.data().address() == 0 && f.length == t.size() ? f : null;
  }
}
