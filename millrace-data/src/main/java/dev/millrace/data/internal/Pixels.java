package dev.millrace.data.internal;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Conversions of raw pixel and value bytes to float, the innermost loops of decoding. */
public final class Pixels {
  private static final ValueLayout.OfInt LE_INT =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LE_LONG =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble LE_DOUBLE =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private Pixels() {}

  /** {@code dst[at + k] = (src[off + k] & 0xff) * scale} for {@code k < n}. */
  public static void toFloat(byte[] src, int off, Tensor dst, long at, int n, float scale) {
    float[] d = Tensors.floatArrayOrNull(dst);
    if (d != null) {
      u8ToFloat(src, off, d, (int) at, n, scale);
      return;
    }
    for (int k = 0; k < n; k++) {
      dst.setFloat(at + k, (src[off + k] & 0xff) * scale);
    }
  }

  /**
   * {@code dst[dstOff + k] = (src[off + k] & 0xff) * scale}, exactly. C2 vectorises the signed
   * byte-to-float conversion but not the unsigned one ({@code & 0xff} keeps the loop scalar), so
   * this converts signed and adds 256 to negative values without a branch: {@code min(1, max(0,
   * -v))} is 1 for {@code v <= -1} and 0 for {@code v >= 0}, and every step is exact on these
   * integers. Measured ~1.6x faster than the plain loop on AVX2.
   */
  public static void u8ToFloat(byte[] src, int off, float[] dst, int dstOff, int n, float scale) {
    java.util.Objects.checkFromIndexSize(off, n, src.length);
    java.util.Objects.checkFromIndexSize(dstOff, n, dst.length);
    for (int k = 0; k < n; k++) {
      float v = src[off + k];
      dst[dstOff + k] = (v + 256f * Math.min(1f, Math.max(0f, -v))) * scale;
    }
  }

  /** Little-endian values of {@code type} in {@code src}, times {@code scale}, into floats. */
  public static void rawToFloat(
      byte[] src, int off, DType type, Tensor dst, long at, int n, float scale) {
    MemorySegment s = MemorySegment.ofArray(src);
    for (int k = 0; k < n; k++) {
      double v =
          switch (type) {
            case INT8, QINT8 -> src[off + k];
            case UINT8, QUINT8, BOOL -> src[off + k] & 0xff;
            case INT32, QINT32 -> s.get(LE_INT, off + 4L * k);
            case INT64 -> s.get(LE_LONG, off + 8L * k);
            case FLOAT32 -> s.get(LE_FLOAT, off + 4L * k);
            case FLOAT64 -> s.get(LE_DOUBLE, off + 8L * k);
            case STRING -> throw new IllegalArgumentException("raw strings");
          };
      dst.setFloat(at + k, (float) (v * scale));
    }
  }
}
