package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.OutputBuffers;
import dev.millrace.kernels.internal.PoolKernels.Geometry;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * Max and average pooling and their gradients in float, windows clipped to the input as TensorFlow
 * does (max ignores padding; average divides by the clipped window's pixel count). NHWC puts 8
 * channels in a vector ({@link PoolNhwc}), NCHW 8 output columns of a plane ({@link PoolNchw}); the
 * max rules, which match the reference's first-maximum and NaN behaviour, are in {@link
 * PoolWindows}. Arguments are validated by the caller ({@link Geometry}).
 */
public final class SimdPool {
  private SimdPool() {}

  public static Tensor pool(Tensor x, Geometry g, boolean max, KernelThreads threads) {
    if (NchwViaNhwc.pooling(g)) {
      return NchwViaNhwc.pool(x, g, max, threads);
    }
    float[] v = Floats.of(x);
    boolean nhwc = g.in().format() == DataFormat.NHWC;
    // The NHWC loop stores every output element.
    Tensor out = nhwc ? Floats.toOverwrite(g.out().shape()) : Floats.zeros(g.out().shape());
    float[] y = Floats.array(out);
    if (nhwc) {
      PoolNhwc.pool(v, y, g, max, threads);
    } else {
      PoolNchw.pool(v, y, g, max, threads);
    }
    return out;
  }

  /**
   * ReluGrad(MaxPoolGrad(x, outputGrad), x) in one pass over {@code x}: a window's gradient goes to
   * its first maximum only where that maximum is above 0. NCHW runs through NHWC.
   */
  public static Tensor maxGradOfPositive(Tensor x, Tensor outputGrad, Geometry g, KernelThreads t) {
    if (g.in().format() == DataFormat.NCHW) {
      if (NchwViaNhwc.pooling(g)) {
        return NchwViaNhwc.maxGradOfPositive(x, outputGrad, g, t);
      }
      Tensor dx = grad(x, x.shape(), outputGrad, g, true, t);
      Tensor gated = SimdElementwise.gatedGrad(dx, x, 0f, Float.POSITIVE_INFINITY, t);
      OutputBuffers.giveBack(dx);
      return gated;
    }
    Tensor out =
        PoolNhwc.maxGradStoresEveryElement(g)
            ? Floats.toOverwrite(x.shape())
            : Floats.zeros(x.shape());
    PoolNhwc.grad(Floats.of(x), Floats.of(outputGrad), Floats.array(out), g, true, true, t);
    return out;
  }

  /** MaxPoolGrad ({@code max}, from x) or AvgPoolGrad ({@code x} null), of shape inputShape. */
  public static Tensor grad(
      Tensor x, Shape inputShape, Tensor outputGrad, Geometry g, boolean max, KernelThreads t) {
    if (NchwViaNhwc.pooling(g)) {
      return NchwViaNhwc.poolGrad(x, outputGrad, g, max, t);
    }
    float[] v = max ? Floats.of(x) : null;
    float[] dy = Floats.of(outputGrad);
    boolean stores =
        max && g.in().format() == DataFormat.NHWC && PoolNhwc.maxGradStoresEveryElement(g);
    Tensor out = stores ? Floats.toOverwrite(inputShape) : Floats.zeros(inputShape);
    float[] dx = Floats.array(out);
    if (g.in().format() == DataFormat.NHWC) {
      PoolNhwc.grad(v, dy, dx, g, max, t);
    } else {
      PoolNchw.grad(v, dy, dx, g, max, t);
    }
    return out;
  }
}
