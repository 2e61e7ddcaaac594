package dev.millrace.kernels;

/**
 * A per-channel affine requantization: the code of sum {@code s} of channel {@code c} is {@code
 * round(s · scale[c] + offset[c])} (one fused multiply-add in float, halves rounded up), clamped to
 * {@code [lowCode, 255]}. That is TensorFlow's fused layer ops (QuantizedConv2DWithBiasAndRelu
 * AndRequantize and the MatMul ones): a real result {@code y = inputScale · filterScale[c] · s +
 * bias[c]} written as a QUINT8 code of a fixed output range. A ReLU is {@code lowCode} = the code
 * of 0.0.
 *
 * @param scale per channel: what a sum is multiplied by
 * @param offset per channel: what is added (the bias and the output range's minimum, in codes)
 * @param lowCode the lowest code returned, 0 to 255
 */
public record AffineRequantization(float[] scale, float[] offset, int lowCode)
    implements Requantization {
  public AffineRequantization {
    if (scale.length != offset.length || lowCode < 0 || lowCode > 255) {
      throw new IllegalArgumentException(
          "an affine requantization needs as many offsets as scales and a low code in [0, 255], got "
              + scale.length
              + " scales, "
              + offset.length
              + " offsets, low code "
              + lowCode);
    }
    scale = scale.clone();
    offset = offset.clone();
  }

  /**
   * The requantization of real results {@code inputScale · filterScales[c] · sum + bias[c]} (a
   * scalar {@code filterScales} serves every channel) into the QUINT8 codes of {@code [outMin,
   * outMax]}; with {@code relu}, negative results become the code of 0.0.
   */
  public static AffineRequantization of(
      double inputScale,
      float[] filterScales,
      float[] bias,
      float outMin,
      float outMax,
      boolean relu) {
    if (!(outMax > outMin) || (filterScales.length != 1 && filterScales.length != bias.length)) {
      throw new IllegalArgumentException(
          "an affine requantization needs outMax > outMin and one filter scale or one per bias,"
              + " got range ["
              + outMin
              + ", "
              + outMax
              + "], "
              + filterScales.length
              + " scales and "
              + bias.length
              + " biases");
    }
    double codesPerUnit = 255.0 / ((double) outMax - outMin);
    float[] scale = new float[bias.length];
    float[] offset = new float[bias.length];
    for (int c = 0; c < bias.length; c++) {
      double filterScale = filterScales[filterScales.length == 1 ? 0 : c];
      scale[c] = (float) (inputScale * filterScale * codesPerUnit);
      offset[c] = (float) (((double) bias[c] - outMin) * codesPerUnit);
    }
    int low = relu ? toCode((float) (-(double) outMin * codesPerUnit), 0) : 0;
    return new AffineRequantization(scale, offset, low);
  }

  /** The value before rounding, {@code sum · scale[channel] + offset[channel]}. */
  public float value(int sum, int channel) {
    return Math.fma((float) sum, scale[channel], offset[channel]);
  }

  @Override
  public byte apply(int sum, int channel) {
    return (byte) toCode(value(sum, channel), lowCode);
  }

  /** {@code v} clamped to {@code [low, 255]} and rounded, halves up: the vector loops' order. */
  public static int toCode(float v, int low) {
    return (int) (Math.min(Math.max(v, low), 255f) + 0.5f);
  }

  @Override
  public void requireChannels(int channels) {
    if (scale.length != channels) {
      throw new IllegalArgumentException(
          "an affine requantization of "
              + scale.length
              + " channels for "
              + channels
              + " channels");
    }
  }

  /** The scales (a copy). */
  @Override
  public float[] scale() {
    return scale.clone();
  }

  /** The offsets (a copy). */
  @Override
  public float[] offset() {
    return offset.clone();
  }
}
