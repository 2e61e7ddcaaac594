package dev.millrace.kernels;

import dev.millrace.tensor.DataFormat;

/**
 * Attributes of max and average pooling (TensorFlow's MaxPool / AvgPool; {@code ksize} and {@code
 * strides} are 1 on the batch and channel axes). Average pooling divides by the number of input
 * pixels inside the window, padding excluded, as TensorFlow does.
 */
public record PoolSpec(
    int windowH, int windowW, int strideH, int strideW, Padding padding, DataFormat format) {
  public PoolSpec {
    if (windowH < 1 || windowW < 1 || strideH < 1 || strideW < 1) {
      throw new IllegalArgumentException(
          "pool window ("
              + windowH
              + ", "
              + windowW
              + ") and strides ("
              + strideH
              + ", "
              + strideW
              + ") must be >= 1");
    }
    if (padding == Padding.EXPLICIT) {
      throw new IllegalArgumentException("pooling supports SAME and VALID padding only");
    }
  }

  public static PoolSpec of(int window, int stride, Padding padding, DataFormat format) {
    return new PoolSpec(window, window, stride, stride, padding, format);
  }

  public Window1d windowRows(long in) {
    return Window1d.of(in, windowH, strideH, 1, padding, 0, 0);
  }

  public Window1d windowCols(long in) {
    return Window1d.of(in, windowW, strideW, 1, padding, 0, 0);
  }
}
