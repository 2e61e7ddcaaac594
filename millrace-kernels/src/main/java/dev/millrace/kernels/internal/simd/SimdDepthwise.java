package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ConvKernels.Geometry;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * DepthwiseConv2dNative and its two gradients in FLOAT32. A depthwise convolution has no reduction
 * over channels, so a GEMM has nothing to block: each output channel {@code o = c * multiplier + m}
 * is a small 2-D convolution of input channel {@code c} with its own {@code kh × kw} taps (filter
 * element {@code [ky][kx][c][m]} sits at {@code (ky * kw + kx) * C * M + o}). NHWC puts 8 channels
 * in a vector ({@link DepthwiseNhwc}), NCHW 8 output columns of one plane ({@link DepthwiseNchw});
 * both handle every stride, dilation, padding and multiplier. Arguments are validated by the caller
 * ({@link Geometry}).
 */
public final class SimdDepthwise {
  private SimdDepthwise() {}

  public static Tensor forward(Tensor input, Tensor filter, Geometry g, KernelThreads threads) {
    float[] x = Floats.of(input);
    float[] f = Floats.of(filter);
    Tensor out = Floats.zeros(g.out().shape());
    float[] y = Floats.array(out);
    if (g.in().format() == DataFormat.NHWC) {
      DepthwiseNhwc.forward(x, f, y, g, threads);
    } else {
      DepthwiseNchw.forward(x, f, y, g, threads);
    }
    return out;
  }

  /** The gradient with respect to the input, of shape {@code g.in()}. */
  public static Tensor backpropInput(
      Tensor filter, Tensor outputGrad, Geometry g, KernelThreads threads) {
    float[] f = Floats.of(filter);
    float[] dy = Floats.of(outputGrad);
    Tensor out = Floats.zeros(g.in().shape());
    float[] dx = Floats.array(out);
    if (g.in().format() == DataFormat.NHWC) {
      DepthwiseNhwc.backpropInput(f, dy, dx, g, threads);
    } else {
      DepthwiseNchw.backpropInput(f, dy, dx, g, threads);
    }
    return out;
  }

  /** The gradient with respect to the filter, of shape {@code filterShape}. */
  public static Tensor backpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Geometry g, KernelThreads threads) {
    float[] x = Floats.of(input);
    float[] dy = Floats.of(outputGrad);
    Tensor out = Floats.zeros(filterShape);
    float[] df = Floats.array(out);
    if (g.in().format() == DataFormat.NHWC) {
      DepthwiseNhwc.backpropFilter(x, dy, df, g, threads);
    } else {
      DepthwiseNchw.backpropFilter(x, dy, df, g, threads);
    }
    return out;
  }
}
