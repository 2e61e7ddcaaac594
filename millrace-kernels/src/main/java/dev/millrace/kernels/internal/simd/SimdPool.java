package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ImageLayout;
import dev.millrace.kernels.internal.PoolKernels.Geometry;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Max and average pooling in float, windows clipped to the input as TensorFlow does (max ignores
 * padding; average divides by the clipped window's pixel count). NHWC computes 8 channels per
 * vector; NCHW runs scalar loops over each channel plane. A maximum is replaced only by a strictly
 * greater value, so NaN never wins over an earlier value and the first maximum of a window is the
 * one the gradient is routed to, as in the reference kernels. Images are split over the threads.
 */
public final class SimdPool {
  private SimdPool() {}

  public static Tensor pool(Tensor x, Geometry g, boolean max, KernelThreads threads) {
    float[] v = Floats.of(x);
    Tensor out = Floats.zeros(g.out().shape());
    float[] y = Floats.array(out);
    ImageLayout in = g.in();
    ImageLayout o = g.out();
    int images = in.n();
    long work = (long) o.size() * g.spec().windowH() * g.spec().windowW();
    IntRange.split(
        images,
        IntRange.tasksFor(work, threads),
        threads,
        (task, b0, b1) -> {
          for (int b = b0; b < b1; b++) {
            for (int oy = 0; oy < o.h(); oy++) {
              int ys = oy * g.spec().strideH() - (int) g.rows().padBefore();
              int y0 = Math.max(ys, 0);
              int y1 = Math.min(ys + g.spec().windowH(), in.h());
              for (int ox = 0; ox < o.w(); ox++) {
                int xs = ox * g.spec().strideW() - (int) g.cols().padBefore();
                int x0 = Math.max(xs, 0);
                int x1 = Math.min(xs + g.spec().windowW(), in.w());
                if (in.format() == DataFormat.NHWC) {
                  windowNhwc(v, y, in, o, b, oy, ox, y0, y1, x0, x1, max);
                } else {
                  for (int c = 0; c < in.c(); c++) {
                    y[o.index(b, oy, ox, c)] = windowPlane(v, in, b, c, y0, y1, x0, x1, max);
                  }
                }
              }
            }
          }
        });
    return out;
  }

  private static void windowNhwc(
      float[] v,
      float[] y,
      ImageLayout in,
      ImageLayout o,
      int b,
      int oy,
      int ox,
      int y0,
      int y1,
      int x0,
      int x1,
      boolean max) {
    int channels = in.c();
    int dst = o.index(b, oy, ox, 0);
    float inverse = 1f / ((y1 - y0) * (x1 - x0));
    int vc = channels / Gemm.NR * Gemm.NR;
    for (int c = 0; c < vc; c += Gemm.NR) {
      FloatVector acc = null;
      for (int iy = y0; iy < y1; iy++) {
        for (int ix = x0; ix < x1; ix++) {
          FloatVector p = FloatVector.fromArray(Gemm.F, v, in.index(b, iy, ix, c));
          if (acc == null) {
            acc = p;
          } else if (max) {
            acc = acc.blend(p, p.compare(VectorOperators.GT, acc));
          } else {
            acc = acc.add(p);
          }
        }
      }
      (max ? acc : acc.mul(inverse)).intoArray(y, dst + c);
    }
    for (int c = vc; c < channels; c++) {
      y[dst + c] = windowPlane(v, in, b, c, y0, y1, x0, x1, max);
    }
  }

  private static float windowPlane(
      float[] v, ImageLayout in, int b, int c, int y0, int y1, int x0, int x1, boolean max) {
    float acc = v[in.index(b, y0, x0, c)];
    boolean first = true;
    for (int iy = y0; iy < y1; iy++) {
      for (int ix = x0; ix < x1; ix++) {
        if (first) {
          first = false;
          continue;
        }
        float p = v[in.index(b, iy, ix, c)];
        if (max) {
          if (p > acc) {
            acc = p;
          }
        } else {
          acc += p;
        }
      }
    }
    return max ? acc : acc / ((y1 - y0) * (x1 - x0));
  }

  /** MaxPoolGrad ({@code max}, from x) or AvgPoolGrad, scalar in float. */
  public static Tensor grad(
      Tensor x, Shape inputShape, Tensor outputGrad, Geometry g, boolean max, KernelThreads t) {
    float[] v = max ? Floats.of(x) : null;
    float[] dy = Floats.of(outputGrad);
    Tensor out = Floats.zeros(inputShape);
    float[] dx = Floats.array(out);
    ImageLayout in = g.in();
    ImageLayout o = g.out();
    IntRange.split(
        in.n(),
        IntRange.tasksFor(o.size(), t),
        t,
        (task, b0, b1) -> {
          for (int b = b0; b < b1; b++) {
            for (int c = 0; c < in.c(); c++) {
              for (int oy = 0; oy < o.h(); oy++) {
                int ys = oy * g.spec().strideH() - (int) g.rows().padBefore();
                int y0 = Math.max(ys, 0);
                int y1 = Math.min(ys + g.spec().windowH(), in.h());
                for (int ox = 0; ox < o.w(); ox++) {
                  int xs = ox * g.spec().strideW() - (int) g.cols().padBefore();
                  int x0 = Math.max(xs, 0);
                  int x1 = Math.min(xs + g.spec().windowW(), in.w());
                  float d = dy[o.index(b, oy, ox, c)];
                  if (max) {
                    int best = in.index(b, y0, x0, c);
                    for (int iy = y0; iy < y1; iy++) {
                      for (int ix = x0; ix < x1; ix++) {
                        int i = in.index(b, iy, ix, c);
                        if (v[i] > v[best]) {
                          best = i;
                        }
                      }
                    }
                    dx[best] += d;
                  } else {
                    float share = d / ((y1 - y0) * (x1 - x0));
                    for (int iy = y0; iy < y1; iy++) {
                      for (int ix = x0; ix < x1; ix++) {
                        dx[in.index(b, iy, ix, c)] += share;
                      }
                    }
                  }
                }
              }
            }
          }
        });
    return out;
  }
}
