package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.internal.ImageLayout;
import dev.millrace.kernels.internal.PoolKernels.Geometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * What the pooling kernels share: window bounds, one window in scalar (for windows clipped by the
 * border) and the max rules. A maximum is replaced only by a strictly greater value, scanning the
 * window row by row, so NaN never wins over an earlier value and the first maximum of a window is
 * the one the gradient is routed to, as in the reference kernels.
 */
final class PoolWindows {
  private PoolWindows() {}

  /** First input row of output row {@code oy}'s window (may be negative: padding). */
  static int rowStart(Geometry g, int oy) {
    return oy * g.spec().strideH() - (int) g.rows().padBefore();
  }

  /** First input column of output column {@code ox}'s window (may be negative: padding). */
  static int colStart(Geometry g, int ox) {
    return ox * g.spec().strideW() - (int) g.cols().padBefore();
  }

  /**
   * The window of output (oy, ox) clipped to the input: rows {@code [y0, y1)}, columns {@code [x0,
   * x1)}.
   */
  static int y0(Geometry g, int oy) {
    return Math.max(rowStart(g, oy), 0);
  }

  static int y1(Geometry g, int oy) {
    return Math.min(rowStart(g, oy) + g.spec().windowH(), g.in().h());
  }

  static int x0(Geometry g, int ox) {
    return Math.max(colStart(g, ox), 0);
  }

  static int x1(Geometry g, int ox) {
    return Math.min(colStart(g, ox) + g.spec().windowW(), g.in().w());
  }

  /** The first output column whose window starts inside the input. */
  static int interiorFrom(Geometry g) {
    return Math.min(g.out().w(), Math.ceilDiv((int) g.cols().padBefore(), g.spec().strideW()));
  }

  /** The end of the output columns whose windows lie wholly inside the input. */
  static int interiorTo(Geometry g) {
    int last =
        Math.floorDiv(
            g.in().w() - g.spec().windowW() + (int) g.cols().padBefore(), g.spec().strideW());
    return Math.max(interiorFrom(g), Math.min(g.out().w(), last + 1));
  }

  /** Max pooling's step: {@code p} replaces the running maximum only if strictly greater. */
  static FloatVector maxStep(FloatVector acc, FloatVector p) {
    return acc.blend(p, p.compare(VectorOperators.GT, acc));
  }

  /** The max or average of one clipped window of channel c, scanning as the reference does. */
  static float window(
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

  /**
   * Routes output gradient {@code d} of one clipped window of channel c into {@code dx}: all of it
   * to the window's first maximum ({@code max}), or an equal share to every pixel.
   */
  static void windowGrad(
      float[] v,
      float[] dx,
      ImageLayout in,
      int b,
      int c,
      int y0,
      int y1,
      int x0,
      int x1,
      float d,
      boolean max) {
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
      return;
    }
    float share = d / ((y1 - y0) * (x1 - x0));
    for (int iy = y0; iy < y1; iy++) {
      for (int ix = x0; ix < x1; ix++) {
        dx[in.index(b, iy, ix, c)] += share;
      }
    }
  }
}
