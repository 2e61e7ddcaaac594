package dev.millrace.kernels;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;

/**
 * What a fused eight-bit convolution does with each 32-bit sum of output channel {@code c}: {@code
 * toCode} requantizes it to a QUINT8 code, and {@code table[c · 256 + code]} is the final code —
 * whatever eight-bit steps follow (a bias add, a second requantize, a ReLU), composed into 256
 * codes per channel.
 *
 * @param toCode the fixed-point requantization of the convolution's sums
 * @param table {@code channels × 256} codes
 */
public record ConvRequantization(FixedPointRequantizer toCode, byte[] table) {
  /** The code of {@code sum}, a sum of channel {@code channel}. */
  public byte apply(int sum, int channel) {
    return table[(channel << 8) | toCode.apply(sum)];
  }

  /** {@link #apply} to each element of a QINT32 NHWC tensor of sums: the QUINT8 codes. */
  public Tensor applyTo(Tensor sums) {
    int channels = Math.toIntExact(sums.shape().dim(sums.shape().rank() - 1));
    requireChannels(channels);
    int[] s = sums.toIntArray();
    byte[] codes = new byte[s.length];
    for (int i = 0; i < s.length; i++) {
      codes[i] = apply(s[i], i % channels);
    }
    return Tensor.wrapping(DType.QUINT8, sums.shape(), codes);
  }

  /** Throws unless the table has 256 codes for each of {@code channels}. */
  public void requireChannels(int channels) {
    if (table.length != channels * 256) {
      throw new IllegalArgumentException(
          "a requantization table of "
              + table.length
              + " codes for "
              + channels
              + " channels (expected 256 per channel)");
    }
  }
}
