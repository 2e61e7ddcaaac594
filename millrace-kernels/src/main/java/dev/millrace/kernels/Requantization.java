package dev.millrace.kernels;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;

/**
 * What a fused eight-bit convolution or MatMul does with each 32-bit sum of output channel {@code
 * c} (the last dimension): turns it into the QUINT8 code the op returns. Two forms: {@link
 * ConvRequantization}, TensorFlow's fixed-point Requantize and a table of the eight-bit steps after
 * it (bit for bit the unfused graph's), and {@link AffineRequantization}, one float multiply-add
 * per channel (the fused layer ops TensorFlow's oneDNN kernels run). The fast kernels pick the form
 * once per output row, so their inner loops see one class.
 */
public sealed interface Requantization permits ConvRequantization, AffineRequantization {
  /** The code of {@code sum}, a sum of channel {@code channel}. */
  byte apply(int sum, int channel);

  /** Throws unless this requantizes {@code channels} channels. */
  void requireChannels(int channels);

  /** {@link #apply} to each element of a QINT32 tensor of sums, channels last: the QUINT8 codes. */
  default Tensor applyTo(Tensor sums) {
    int channels = Math.toIntExact(sums.shape().dim(sums.shape().rank() - 1));
    requireChannels(channels);
    int[] s = sums.toIntArray();
    byte[] codes = new byte[s.length];
    for (int i = 0; i < s.length; i++) {
      codes[i] = apply(s[i], i % channels);
    }
    return Tensor.wrapping(DType.QUINT8, sums.shape(), codes);
  }
}
