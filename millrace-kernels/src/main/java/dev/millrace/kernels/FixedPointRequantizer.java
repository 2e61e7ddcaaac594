package dev.millrace.kernels;

/**
 * TensorFlow's fixed-point QINT32 → QUINT8 Requantize (16 fraction bits), which its CPU kernel
 * uses, its constants worked out once per range pair: the codes agree with TensorFlow's bit for
 * bit. Shared by the Requantize op and the fused eight-bit convolutions.
 */
public final class FixedPointRequantizer {
  private static final int SHIFT = 16;
  private final long rangeScale;
  private final long offset;

  /** Codes of the QINT32 range {@code [inMin, inMax]} into the QUINT8 {@code [outMin, outMax]}. */
  public FixedPointRequantizer(float inMin, float inMax, float outMin, float outMax) {
    float inRange = inMax - inMin;
    float outRange = outMax - outMin;
    float recipOutRange = outRange == 0f ? 0f : (float) (255.0 / outRange);
    float inputRezero = (float) ((inMin + inMax) / 2.0);
    rangeScale = outRange == 0f ? 0 : (long) (255.0 * (1 << SHIFT) * inRange / outRange);
    long inputOffset =
        (long) (inputRezero * recipOutRange * (float) (1 << SHIFT)); // in float, as TensorFlow
    // Rounded to nearest (lround), not truncated: the codes then agree with TensorFlow's on
    // values half way between two codes.
    long outputOffset =
        outRange == 0f
            ? 0
            : (long) QuantizedRange.roundHalfAway((1 << SHIFT) * (outMin * 255.0) / outRange);
    offset = inputOffset - outputOffset + (1 << (SHIFT - 1));
  }

  /** The multiplier of {@link #apply}: {@code code · rangeScale >> 32}. */
  public long rangeScale() {
    return rangeScale;
  }

  /** What {@link #apply} adds before the final shift by 16 (rounding included). */
  public long offset() {
    return offset;
  }

  /** The QUINT8 code of {@code code}, a QINT32 code of the input range. */
  public int apply(int code) {
    long v = ((code * rangeScale) >> 32) + offset;
    return (int) Math.clamp(v >> SHIFT, 0, 255);
  }
}
