package dev.millrace.kernels;

import dev.millrace.tensor.DataFormat;

/**
 * Attributes of a 2-D convolution (TensorFlow's Conv2D / DepthwiseConv2dNative). Filters are HWIO
 * ({@code [kh, kw, in, out]}; depthwise: {@code [kh, kw, in, multiplier]}) whatever the format. The
 * {@code pad*} fields are used only with {@link Padding#EXPLICIT}.
 */
public record Conv2dSpec(
    int strideH,
    int strideW,
    int dilationH,
    int dilationW,
    Padding padding,
    int padTop,
    int padBottom,
    int padLeft,
    int padRight,
    DataFormat format) {
  public Conv2dSpec {
    if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
      throw new IllegalArgumentException(
          "strides ("
              + strideH
              + ", "
              + strideW
              + ") and dilations ("
              + dilationH
              + ", "
              + dilationW
              + ") must be >= 1");
    }
    if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
      throw new IllegalArgumentException("explicit paddings must be >= 0");
    }
  }

  /** Square stride, no dilation, SAME or VALID padding. */
  public static Conv2dSpec of(int stride, Padding padding, DataFormat format) {
    if (padding == Padding.EXPLICIT) {
      throw new IllegalArgumentException("EXPLICIT padding needs explicit(...)");
    }
    return new Conv2dSpec(stride, stride, 1, 1, padding, 0, 0, 0, 0, format);
  }

  public static Conv2dSpec explicit(
      int strideH, int strideW, int top, int bottom, int left, int right, DataFormat format) {
    return new Conv2dSpec(
        strideH, strideW, 1, 1, Padding.EXPLICIT, top, bottom, left, right, format);
  }

  public Conv2dSpec withDilations(int h, int w) {
    return new Conv2dSpec(
        strideH, strideW, h, w, padding, padTop, padBottom, padLeft, padRight, format);
  }

  public Conv2dSpec withFormat(DataFormat f) {
    return new Conv2dSpec(
        strideH, strideW, dilationH, dilationW, padding, padTop, padBottom, padLeft, padRight, f);
  }

  /** Output height and padding before it for an input of height {@code in} and filter {@code k}. */
  public Window1d windowH(long in, long k) {
    return Window1d.of(in, k, strideH, dilationH, padding, padTop, padBottom);
  }

  /** Output width and padding before it for an input of width {@code in} and filter {@code k}. */
  public Window1d windowW(long in, long k) {
    return Window1d.of(in, k, strideW, dilationW, padding, padLeft, padRight);
  }
}
