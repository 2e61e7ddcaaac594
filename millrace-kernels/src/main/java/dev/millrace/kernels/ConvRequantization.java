package dev.millrace.kernels;

/**
 * What a fused eight-bit convolution does with each 32-bit sum of output channel {@code c}: {@code
 * toCode} requantizes it to a QUINT8 code, and {@code table[c · 256 + code]} is the final code —
 * whatever eight-bit steps follow (a bias add, a second requantize, a ReLU), composed into 256
 * codes per channel.
 *
 * @param toCode the fixed-point requantization of the convolution's sums
 * @param table {@code channels × 256} codes
 */
public record ConvRequantization(FixedPointRequantizer toCode, byte[] table)
    implements Requantization {
  @Override
  public byte apply(int sum, int channel) {
    return table[(channel << 8) | toCode.apply(sum)];
  }

  /** Throws unless the table has 256 codes for each of {@code channels}. */
  @Override
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
