package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ConvKernels.Geometry;
import dev.millrace.kernels.internal.ImageLayout;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/**
 * DepthwiseConv2dNative forward. A depthwise convolution has no reduction over channels, so a GEMM
 * has nothing to block: each output channel {@code o = c * multiplier + m} is a small 2-D
 * convolution of input channel {@code c} with its own {@code kh × kw} taps (filter element {@code
 * [ky][kx][c][m]} sits at {@code (ky * kw + kx) * C * M + o}). NHWC with multiplier 1 computes 8
 * channels per vector, the filter row for a tap being contiguous too; other cases run scalar float
 * loops. Images are split over the threads.
 */
public final class SimdDepthwise {
  private SimdDepthwise() {}

  public static Tensor forward(Tensor input, Tensor filter, Geometry g, KernelThreads threads) {
    float[] x = Floats.of(input);
    float[] f = Floats.of(filter);
    Tensor out = Floats.zeros(g.out().shape());
    float[] y = Floats.array(out);
    ImageLayout in = g.in();
    ImageLayout o = g.out();
    int multiplier = g.filterOut();
    long work = (long) o.size() * g.kh() * g.kw();
    boolean vector = in.format() == DataFormat.NHWC && multiplier == 1;
    IntRange.split(
        in.n(),
        IntRange.tasksFor(work, threads),
        threads,
        (task, b0, b1) -> {
          for (int b = b0; b < b1; b++) {
            for (int oy = 0; oy < o.h(); oy++) {
              for (int ox = 0; ox < o.w(); ox++) {
                if (vector) {
                  pixelNhwc(x, f, y, g, b, oy, ox);
                } else {
                  pixelScalar(x, f, y, g, b, oy, ox, multiplier);
                }
              }
            }
          }
        });
    return out;
  }

  private static void pixelNhwc(
      float[] x, float[] f, float[] y, Geometry g, int b, int oy, int ox) {
    ImageLayout in = g.in();
    int c = in.c();
    int dst = g.out().index(b, oy, ox, 0);
    int vc = c / Gemm.NR * Gemm.NR;
    for (int c0 = 0; c0 < vc; c0 += Gemm.NR) {
      FloatVector acc = FloatVector.zero(Gemm.F);
      for (int ky = 0; ky < g.kh(); ky++) {
        int iy = oy * g.spec().strideH() - (int) g.rows().padBefore() + ky * g.spec().dilationH();
        if (iy < 0 || iy >= in.h()) {
          continue;
        }
        for (int kx = 0; kx < g.kw(); kx++) {
          int ix = ox * g.spec().strideW() - (int) g.cols().padBefore() + kx * g.spec().dilationW();
          if (ix < 0 || ix >= in.w()) {
            continue;
          }
          acc =
              FloatVector.fromArray(Gemm.F, x, in.index(b, iy, ix, c0))
                  .fma(FloatVector.fromArray(Gemm.F, f, (ky * g.kw() + kx) * c + c0), acc);
        }
      }
      acc.intoArray(y, dst + c0);
    }
    for (int ch = vc; ch < c; ch++) {
      y[dst + ch] = tapSum(x, f, g, b, oy, ox, ch, 1, 0);
    }
  }

  private static void pixelScalar(
      float[] x, float[] f, float[] y, Geometry g, int b, int oy, int ox, int multiplier) {
    for (int c = 0; c < g.in().c(); c++) {
      for (int m = 0; m < multiplier; m++) {
        int oc = c * multiplier + m;
        y[g.out().index(b, oy, ox, oc)] = tapSum(x, f, g, b, oy, ox, c, multiplier, m);
      }
    }
  }

  private static float tapSum(
      float[] x, float[] f, Geometry g, int b, int oy, int ox, int c, int multiplier, int m) {
    ImageLayout in = g.in();
    int cm = in.c() * multiplier;
    float acc = 0f;
    for (int ky = 0; ky < g.kh(); ky++) {
      int iy = oy * g.spec().strideH() - (int) g.rows().padBefore() + ky * g.spec().dilationH();
      if (iy < 0 || iy >= in.h()) {
        continue;
      }
      for (int kx = 0; kx < g.kw(); kx++) {
        int ix = ox * g.spec().strideW() - (int) g.cols().padBefore() + kx * g.spec().dilationW();
        if (ix < 0 || ix >= in.w()) {
          continue;
        }
        acc += x[in.index(b, iy, ix, c)] * f[(ky * g.kw() + kx) * cm + c * multiplier + m];
      }
    }
    return acc;
  }
}
