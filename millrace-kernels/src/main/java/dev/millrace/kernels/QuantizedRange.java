package dev.millrace.kernels;

import dev.millrace.tensor.DType;

/**
 * How TensorFlow's eight-bit tensors stand for float values: a quantized tensor carries the float
 * {@code min} and {@code max} that its lowest and highest codes span, and these functions convert
 * between codes and floats exactly as TensorFlow's {@code quantization_utils} does (its
 * double-precision scalar formulas, with the same rounding), so that a graph quantized by
 * TensorFlow gives the same codes here.
 */
public final class QuantizedRange {
  private QuantizedRange() {}

  /** The lowest code of a quantized type. */
  public static long lowest(DType t) {
    return switch (t) {
      case QUINT8 -> 0;
      case QINT8 -> -128;
      case QINT32 -> Integer.MIN_VALUE;
      default -> throw notQuantized(t);
    };
  }

  /** The highest code of a quantized type. */
  public static long highest(DType t) {
    return switch (t) {
      case QUINT8 -> 255;
      case QINT8 -> 127;
      case QINT32 -> Integer.MAX_VALUE;
      default -> throw notQuantized(t);
    };
  }

  private static int bits(DType t) {
    return switch (t) {
      case QUINT8, QINT8 -> 8;
      case QINT32 -> 32;
      default -> throw notQuantized(t);
    };
  }

  /**
   * The code for {@code x} in {@code [min, max]}, not clamped to the type (TensorFlow's
   * FloatToQuantizedUnclamped): {@code round(x·s) - round(min·s) + lowest} with {@code s = (2^bits
   * - 1) / (max - min)}; the lowest code when the range is empty.
   */
  public static long toCodeUnclamped(float x, float min, float max, DType t) {
    long lowest = lowest(t);
    if (min == max) {
      return lowest;
    }
    double steps = Math.pow(2, bits(t));
    double range = (max - (double) min) * (steps / (steps - 1.0));
    double scale = steps / range;
    return (long) (roundHalfAway(x * scale) - roundHalfAway(min * scale)) + lowest;
  }

  /** {@link #toCodeUnclamped} clamped to the type's codes (TensorFlow's FloatToQuantized). */
  public static long toCode(float x, float min, float max, DType t) {
    return Math.clamp(toCodeUnclamped(x, min, max, t), lowest(t), highest(t));
  }

  /**
   * The float a code stands for (TensorFlow's QuantizedToFloat): {@code min}, rounded to a whole
   * number of steps, plus {@code (q - lowest)} steps.
   */
  public static float toFloat(long q, float min, float max, DType t) {
    if (min == max) {
      return min;
    }
    double steps = Math.pow(2, bits(t));
    double range = (max - (double) min) * (steps / (steps - 1.0));
    double step = range / steps;
    float floatStep = (float) step; // TensorFlow rounds min in float arithmetic
    float minRounded = (float) roundHalfAway(min / floatStep) * floatStep;
    return (float) (minRounded + (q - (double) lowest(t)) * step);
  }

  /** The float one code step stands for (TensorFlow's FloatForOneQuantizedLevel), in float. */
  public static float oneLevel(float min, float max, DType t) {
    return (max - min) / (float) (highest(t) - lowest(t));
  }

  /**
   * The range of a QINT32 product of two QUINT8 tensors (TensorFlow's
   * QuantizationRangeForMultiplication): one product code is one step of each side multiplied.
   *
   * @return {@code {min, max}}
   */
  public static float[] ofProduct(float minA, float maxA, float minB, float maxB) {
    float level = oneLevel(minA, maxA, DType.QUINT8) * oneLevel(minB, maxB, DType.QUINT8);
    return new float[] {level * Integer.MIN_VALUE, level * (float) Integer.MAX_VALUE};
  }

  /**
   * The QINT32 range TensorFlow's QuantizedBiasAdd adds in (GetOutputMinAndMaxForQuantizedAdd):
   * symmetric around zero, 2^17 times the larger input magnitude, so 15 bits hold the fraction and
   * the sum has headroom.
   *
   * @return {@code {min, max}}
   */
  public static float[] ofBiasSum(float minA, float maxA, float minB, float maxB) {
    return symmetric(minA, maxA, minB, maxB, 1 << 17);
  }

  /**
   * The QINT32 range TensorFlow's QuantizedAdd adds in: the same shape as {@link #ofBiasSum} with
   * 2^14 as the factor.
   *
   * @return {@code {min, max}}
   */
  public static float[] ofSum(float minA, float maxA, float minB, float maxB) {
    return symmetric(minA, maxA, minB, maxB, 1 << 14);
  }

  private static float[] symmetric(float minA, float maxA, float minB, float maxB, int factor) {
    float largest =
        Math.max(
            Math.max(Math.abs(minA), Math.abs(maxA)), Math.max(Math.abs(minB), Math.abs(maxB)));
    float max = largest * factor;
    return new float[] {-max, max};
  }

  /**
   * The code of {@code q} (in {@code [inMin, inMax]} of type {@code in}) in another range and type
   * (TensorFlow's RequantizeInNewRange): to float, then to the new code, clamped.
   */
  public static long requantize(
      long q, float inMin, float inMax, DType in, float outMin, float outMax, DType out) {
    return toCode(toFloat(q, inMin, inMax, in), outMin, outMax, out);
  }

  /**
   * Float {@code x[i]} to codes of {@code t} in {@code [min, max]}, in float arithmetic as
   * TensorFlow's Eigen path computes it (QuantizeV2 in MIN_FIRST mode, and the requantizations that
   * are not the fixed-point one): {@code round(x·s) - round(min·s) + lowest}, clamped. Ties go to
   * the even code, as TensorFlow's vectorised rounding takes them.
   */
  public static int[] quantize(float[] x, float min, float max, DType t) {
    float scale = min == max ? 0f : (float) ((Math.pow(2, bits(t)) - 1.0) / (max - (double) min));
    float minScaled = (float) roundHalfAway(min * scale);
    float shift = minScaled - (float) lowest(t);
    float lo = Math.max((float) lowest(t), -2.147483648e9f);
    float hi = Math.min((float) highest(t), 2.14748352e9f);
    int[] out = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      float q = (float) Math.rint(x[i] * scale) - shift;
      out[i] = (int) Math.min(Math.max(q, lo), hi);
    }
    return out;
  }

  /**
   * The floats that codes stand for, in float arithmetic as TensorFlow's Eigen path computes them
   * (Dequantize in MIN_FIRST mode): {@code min} rounded to whole steps, plus {@code (q - lowest)}
   * steps.
   */
  public static float[] dequantize(int[] codes, float min, float max, DType t) {
    float step = (float) ((max - (double) min) / (Math.pow(2, bits(t)) - 1.0));
    float minRounded = max == min ? min : (float) roundHalfAway(min / step) * step;
    float origin = minRounded - (float) lowest(t) * step;
    float[] out = new float[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = origin + (float) codes[i] * step;
    }
    return out;
  }

  /** The codes of a quantized tensor as numbers (QUINT8 unsigned, QINT8 signed, QINT32). */
  public static int[] codes(dev.millrace.tensor.Tensor q) {
    return switch (q.dtype()) {
      case QINT32 -> q.toIntArray();
      case QUINT8 -> {
        byte[] b = q.toByteArray();
        int[] c = new int[b.length];
        for (int i = 0; i < b.length; i++) {
          c[i] = b[i] & 0xff;
        }
        yield c;
      }
      case QINT8 -> {
        byte[] b = q.toByteArray();
        int[] c = new int[b.length];
        for (int i = 0; i < b.length; i++) {
          c[i] = b[i];
        }
        yield c;
      }
      default -> throw notQuantized(q.dtype());
    };
  }

  /**
   * The bytes of a 1-byte tensor to read, without a copy when the tensor is a whole heap array (the
   * caller must not write to them).
   */
  public static byte[] bytesToRead(dev.millrace.tensor.Tensor q) {
    java.lang.foreign.MemorySegment s = q.data();
    if (s.heapBase().orElse(null) instanceof byte[] b
        && s.address() == 0
        && b.length == s.byteSize()) {
      return b;
    }
    return q.toByteArray();
  }

  /** The ints of an INT32 or QINT32 tensor to read, without a copy where possible (read only). */
  public static int[] intsToRead(dev.millrace.tensor.Tensor q) {
    java.lang.foreign.MemorySegment s = q.data();
    if (s.heapBase().orElse(null) instanceof int[] a
        && s.address() == 0
        && 4L * a.length == s.byteSize()) {
      return a;
    }
    return q.toIntArray();
  }

  /**
   * A tensor of type {@code t} holding {@code codes} (each within the type's codes); a QINT32
   * tensor takes the array itself, which the caller gives up.
   */
  public static dev.millrace.tensor.Tensor tensor(
      DType t, dev.millrace.tensor.Shape shape, int[] codes) {
    if (t == DType.QINT32) {
      return dev.millrace.tensor.Tensor.wrapping(t, shape, codes);
    }
    lowest(t); // a quantized type
    byte[] b = new byte[codes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) codes[i];
    }
    return dev.millrace.tensor.Tensor.wrapping(t, shape, b);
  }

  /** C's {@code round}: halves away from zero (Java's {@code Math.round} takes them up). */
  public static double roundHalfAway(double v) {
    return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
  }

  private static IllegalArgumentException notQuantized(DType t) {
    return new IllegalArgumentException(t + " is not a quantized type (quint8, qint8, qint32)");
  }
}
