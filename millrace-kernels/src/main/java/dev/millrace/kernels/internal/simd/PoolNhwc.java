package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ImageLayout;
import dev.millrace.kernels.internal.PoolKernels.Geometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Max and average pooling and their gradients in NHWC, 8 channels per vector: a window's pixels are
 * contiguous runs of channels, so every step is a whole-vector load whatever the window, stride or
 * padding. Channels past the last whole vector run {@link PoolWindows}' scalar loops. Images are
 * split over the threads (overlapping windows of one image write the same gradient pixels).
 */
final class PoolNhwc {
  private PoolNhwc() {}

  static void pool(float[] v, float[] y, Geometry g, boolean max, KernelThreads threads) {
    ImageLayout in = g.in();
    ImageLayout o = g.out();
    long work = (long) o.size() * g.spec().windowH() * g.spec().windowW();
    boolean quads = max && MaxPool2x2Rows.fits(g);
    int inside0 = MaxPool2x2Rows.firstInside(g);
    int inside1 = MaxPool2x2Rows.endInside(g);
    IntRange.split(
        in.n(),
        IntRange.tasksFor(work, threads),
        threads,
        (task, b0, b1) -> {
          for (int b = b0; b < b1; b++) {
            for (int oy = 0; oy < o.h(); oy++) {
              int ox = 0;
              if (quads && MaxPool2x2Rows.rowInside(g, oy)) {
                for (; ox < inside0; ox++) {
                  window(v, y, g, b, oy, ox, max);
                }
                MaxPool2x2Rows.pool(v, y, g, b, oy, inside0, inside1);
                ox = inside1;
              }
              for (; ox < o.w(); ox++) {
                window(v, y, g, b, oy, ox, max);
              }
            }
          }
        });
  }

  private static void window(float[] v, float[] y, Geometry g, int b, int oy, int ox, boolean max) {
    ImageLayout in = g.in();
    int y0 = PoolWindows.y0(g, oy);
    int y1 = PoolWindows.y1(g, oy);
    int x0 = PoolWindows.x0(g, ox);
    int x1 = PoolWindows.x1(g, ox);
    int channels = in.c();
    int dst = g.out().index(b, oy, ox, 0);
    float count = (y1 - y0) * (x1 - x0);
    int vc = channels / Gemm.NR * Gemm.NR;
    for (int c = 0; c < vc; c += Gemm.NR) {
      FloatVector r =
          max
              ? maxWindow(v, in, b, c, y0, y1, x0, x1)
              : sumWindow(v, in, b, c, y0, y1, x0, x1).div(count);
      r.intoArray(y, dst + c);
    }
    for (int c = vc; c < channels; c++) {
      y[dst + c] = PoolWindows.window(v, in, b, c, y0, y1, x0, x1, max);
    }
  }

  /**
   * The maxima of one window over 8 channels. Max and sum have a method each, so that C2 compiles
   * each with its own profile.
   */
  private static FloatVector maxWindow(
      float[] v, ImageLayout in, int b, int c, int y0, int y1, int x0, int x1) {
    FloatVector acc = FloatVector.fromArray(Gemm.F, v, in.index(b, y0, x0, c));
    for (int iy = y0; iy < y1; iy++) {
      for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
        acc = PoolWindows.maxStep(acc, FloatVector.fromArray(Gemm.F, v, in.index(b, iy, ix, c)));
      }
    }
    return acc;
  }

  private static FloatVector sumWindow(
      float[] v, ImageLayout in, int b, int c, int y0, int y1, int x0, int x1) {
    FloatVector acc = FloatVector.zero(Gemm.F);
    for (int iy = y0; iy < y1; iy++) {
      for (int ix = x0; ix < x1; ix++) {
        acc = acc.add(FloatVector.fromArray(Gemm.F, v, in.index(b, iy, ix, c)));
      }
    }
    return acc;
  }

  /**
   * Whether the max-pooling {@link #grad} stores every element of dx rather than adding into it, so
   * that dx need not be cleared first: windows that do not overlap and leave no pixel out (each
   * starts where the one before it ended, the first at 0, the last ending at the border), and
   * channels in whole vectors (the scalar tail adds).
   */
  static boolean maxGradStoresEveryElement(Geometry g) {
    if (g.in().c() % Gemm.NR != 0
        || g.spec().strideH() < g.spec().windowH()
        || g.spec().strideW() < g.spec().windowW()) {
      return false;
    }
    int oh = g.out().h();
    int ow = g.out().w();
    boolean rows = PoolWindows.y0(g, 0) == 0 && PoolWindows.y1(g, oh - 1) == g.in().h();
    for (int oy = 0; rows && oy + 1 < oh; oy++) {
      rows = PoolWindows.y1(g, oy) == PoolWindows.y0(g, oy + 1);
    }
    boolean cols = PoolWindows.x0(g, 0) == 0 && PoolWindows.x1(g, ow - 1) == g.in().w();
    for (int ox = 0; cols && ox + 1 < ow; ox++) {
      cols = PoolWindows.x1(g, ox) == PoolWindows.x0(g, ox + 1);
    }
    return rows && cols && oh > 0 && ow > 0;
  }

  static void grad(float[] v, float[] dy, float[] dx, Geometry g, boolean max, KernelThreads t) {
    grad(v, dy, dx, g, max, false, t);
  }

  /**
   * The pooling gradient; with {@code positiveOnly} (max pooling only) a window's gradient is
   * dropped where its maximum is not above 0: the max-pool gradient followed by ReluGrad when
   * {@code v} is a ReLU's output, in one pass.
   */
  static void grad(
      float[] v,
      float[] dy,
      float[] dx,
      Geometry g,
      boolean max,
      boolean positiveOnly,
      KernelThreads t) {
    ImageLayout in = g.in();
    ImageLayout o = g.out();
    long work = (long) o.size() * g.spec().windowH() * g.spec().windowW();
    boolean quads = max && MaxPool2x2Rows.fits(g);
    int inside0 = MaxPool2x2Rows.firstInside(g);
    int inside1 = MaxPool2x2Rows.endInside(g);
    IntRange.split(
        in.n(),
        IntRange.tasksFor(work, t),
        t,
        (task, b0, b1) -> {
          int[] pixels = new int[g.spec().windowH() * g.spec().windowW()];
          float[] lanes = new float[Gemm.NR];
          float[] gated = new float[Gemm.NR];
          for (int b = b0; b < b1; b++) {
            for (int oy = 0; oy < o.h(); oy++) {
              int ox = 0;
              if (quads && MaxPool2x2Rows.rowInside(g, oy)) {
                for (; ox < inside0; ox++) {
                  maxGrad(v, dy, dx, g, b, oy, ox, pixels, lanes, gated, positiveOnly);
                }
                MaxPool2x2Rows.grad(v, dy, dx, g, b, oy, inside0, inside1, positiveOnly);
                ox = inside1;
              }
              for (; ox < o.w(); ox++) {
                if (max) {
                  maxGrad(v, dy, dx, g, b, oy, ox, pixels, lanes, gated, positiveOnly);
                } else {
                  avgGrad(dy, dx, g, b, oy, ox);
                }
              }
            }
          }
        });
  }

  /**
   * Adds the gradient of window (b, oy, ox) at each channel's first maximum: the maximum scan also
   * keeps, per lane, the window pixel that last replaced the maximum, and each lane then adds its
   * gradient there.
   */
  private static void maxGrad(
      float[] v,
      float[] dy,
      float[] dx,
      Geometry g,
      int b,
      int oy,
      int ox,
      int[] pixels,
      float[] lanes,
      float[] gated,
      boolean positiveOnly) {
    ImageLayout in = g.in();
    int y0 = PoolWindows.y0(g, oy);
    int y1 = PoolWindows.y1(g, oy);
    int x0 = PoolWindows.x0(g, ox);
    int x1 = PoolWindows.x1(g, ox);
    int count = 0;
    for (int iy = y0; iy < y1; iy++) {
      for (int ix = x0; ix < x1; ix++) {
        pixels[count++] = in.index(b, iy, ix, 0);
      }
    }
    int channels = in.c();
    int src = g.out().index(b, oy, ox, 0);
    int vc = channels / Gemm.NR * Gemm.NR;
    // Windows that do not overlap own their pixels: each pixel's gradient is stored, whole
    // vectors at a time, instead of added lane by lane.
    boolean disjoint =
        g.spec().strideH() >= g.spec().windowH() && g.spec().strideW() >= g.spec().windowW();
    for (int c = 0; c < vc; c += Gemm.NR) {
      FloatVector acc = FloatVector.fromArray(Gemm.F, v, pixels[0] + c);
      FloatVector best = FloatVector.zero(Gemm.F);
      for (int p = 1; p < count; p++) {
        FloatVector q = FloatVector.fromArray(Gemm.F, v, pixels[p] + c);
        VectorMask<Float> greater = q.compare(VectorOperators.GT, acc);
        acc = acc.blend(q, greater);
        best = best.blend(p, greater);
      }
      FloatVector grad = FloatVector.fromArray(Gemm.F, dy, src + c);
      FloatVector none = FloatVector.zero(Gemm.F);
      if (positiveOnly) {
        grad = none.blend(grad, acc.compare(VectorOperators.GT, 0f));
      }
      if (disjoint) {
        for (int p = 0; p < count; p++) {
          none.blend(grad, best.compare(VectorOperators.EQ, p)).intoArray(dx, pixels[p] + c);
        }
        continue;
      }
      grad.intoArray(gated, 0);
      best.intoArray(lanes, 0);
      for (int lane = 0; lane < Gemm.NR; lane++) {
        dx[pixels[(int) lanes[lane]] + c + lane] += gated[lane];
      }
    }
    for (int c = vc; c < channels; c++) {
      float d = dy[src + c];
      if (positiveOnly && !(PoolWindows.window(v, in, b, c, y0, y1, x0, x1, true) > 0f)) {
        d = 0f;
      }
      PoolWindows.windowGrad(v, dx, in, b, c, y0, y1, x0, x1, d, true);
    }
  }

  /** Adds an equal share of the gradient of window (b, oy, ox) to each of its pixels. */
  private static void avgGrad(float[] dy, float[] dx, Geometry g, int b, int oy, int ox) {
    ImageLayout in = g.in();
    int y0 = PoolWindows.y0(g, oy);
    int y1 = PoolWindows.y1(g, oy);
    int x0 = PoolWindows.x0(g, ox);
    int x1 = PoolWindows.x1(g, ox);
    int channels = in.c();
    int src = g.out().index(b, oy, ox, 0);
    int count = (y1 - y0) * (x1 - x0);
    int vc = channels / Gemm.NR * Gemm.NR;
    for (int c = 0; c < vc; c += Gemm.NR) {
      FloatVector share = FloatVector.fromArray(Gemm.F, dy, src + c).div(count);
      for (int iy = y0; iy < y1; iy++) {
        for (int ix = x0; ix < x1; ix++) {
          int i = in.index(b, iy, ix, c);
          FloatVector.fromArray(Gemm.F, dx, i).add(share).intoArray(dx, i);
        }
      }
    }
    for (int c = vc; c < channels; c++) {
      PoolWindows.windowGrad(null, dx, in, b, c, y0, y1, x0, x1, dy[src + c], false);
    }
  }
}
