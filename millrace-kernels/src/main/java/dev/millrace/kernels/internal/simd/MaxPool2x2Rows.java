package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;
import static dev.millrace.kernels.internal.simd.Gemm.NR;

import dev.millrace.kernels.internal.PoolKernels.Geometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * NHWC max pooling over 2×2 windows at stride 2 (a convolution layer's usual pooling), for the
 * windows of an output row that lie wholly inside the image and channels in whole vectors: the four
 * pixels of a window are at fixed offsets, so a row runs with no per-window set-up. {@link
 * PoolNhwc}'s general window computes its clipped bounds and the indices of its pixels for every
 * window, which for 2 × 16 channels costs more than the window's eight loads. Results are those of
 * the general path bit for bit: the same pixel order and the same comparisons.
 */
final class MaxPool2x2Rows {
  private MaxPool2x2Rows() {}

  /** Whether {@code g} is max-pooling shaped for these rows: 2×2, stride 2, whole vectors. */
  static boolean fits(Geometry g) {
    return g.spec().windowH() == 2
        && g.spec().windowW() == 2
        && g.spec().strideH() == 2
        && g.spec().strideW() == 2
        && g.in().c() % NR == 0;
  }

  /** Whether output row {@code oy}'s windows have both their input rows inside the image. */
  static boolean rowInside(Geometry g, int oy) {
    int iy = PoolWindows.rowStart(g, oy);
    return iy >= 0 && iy + 2 <= g.in().h();
  }

  /** The first output column whose window lies inside the image. */
  static int firstInside(Geometry g) {
    return InsideRange.from(-(int) g.cols().padBefore(), 2, g.out().w());
  }

  /** One past the last output column whose window lies inside the image (at least firstInside). */
  static int endInside(Geometry g) {
    // The window's second column, 1 - padBefore + 2 · ox, must be inside too.
    int second = InsideRange.to(1 - (int) g.cols().padBefore(), 2, g.in().w(), g.out().w());
    return Math.max(firstInside(g), second);
  }

  /** Maxima of windows {@code [ox0, ox1)} of output row {@code oy} of image {@code b} into y. */
  static void pool(float[] v, float[] y, Geometry g, int b, int oy, int ox0, int ox1) {
    int c = g.in().c();
    int rowFloats = g.in().w() * c;
    int src = g.in().index(b, PoolWindows.rowStart(g, oy), PoolWindows.colStart(g, ox0), 0);
    int dst = g.out().index(b, oy, ox0, 0);
    for (int ox = ox0; ox < ox1; ox++, src += 2 * c, dst += c) {
      for (int ch = 0; ch < c; ch += NR) {
        int p = src + ch;
        FloatVector acc = FloatVector.fromArray(F, v, p);
        acc = PoolWindows.maxStep(acc, FloatVector.fromArray(F, v, p + c));
        acc = PoolWindows.maxStep(acc, FloatVector.fromArray(F, v, p + rowFloats));
        acc = PoolWindows.maxStep(acc, FloatVector.fromArray(F, v, p + rowFloats + c));
        acc.intoArray(y, dst + ch);
      }
    }
  }

  /**
   * The gradient of windows {@code [ox0, ox1)} of output row {@code oy}: each window's dy stored at
   * its first maximum and zero at its other three pixels (windows at stride 2 do not overlap); with
   * {@code positiveOnly}, zero throughout where the maximum is not above 0 (ReluGrad of the ReLU
   * output v).
   */
  static void grad(
      float[] v,
      float[] dy,
      float[] dx,
      Geometry g,
      int b,
      int oy,
      int ox0,
      int ox1,
      boolean positiveOnly) {
    int c = g.in().c();
    int rowFloats = g.in().w() * c;
    int at = g.in().index(b, PoolWindows.rowStart(g, oy), PoolWindows.colStart(g, ox0), 0);
    int src = g.out().index(b, oy, ox0, 0);
    FloatVector none = FloatVector.zero(F);
    for (int ox = ox0; ox < ox1; ox++, at += 2 * c, src += c) {
      for (int ch = 0; ch < c; ch += NR) {
        int p0 = at + ch;
        int p1 = p0 + c;
        int p2 = p0 + rowFloats;
        int p3 = p2 + c;
        FloatVector acc = FloatVector.fromArray(F, v, p0);
        FloatVector q1 = FloatVector.fromArray(F, v, p1);
        FloatVector q2 = FloatVector.fromArray(F, v, p2);
        FloatVector q3 = FloatVector.fromArray(F, v, p3);
        // The first maximum, as the general scan finds it: a later pixel wins only if greater.
        var at1 = q1.compare(VectorOperators.GT, acc);
        acc = acc.blend(q1, at1);
        var at2 = q2.compare(VectorOperators.GT, acc);
        acc = acc.blend(q2, at2);
        var at3 = q3.compare(VectorOperators.GT, acc);
        acc = acc.blend(q3, at3);
        FloatVector d = FloatVector.fromArray(F, dy, src + ch);
        if (positiveOnly) {
          d = none.blend(d, acc.compare(VectorOperators.GT, 0f));
        }
        // Pixel k keeps d where it is the first maximum: chosen at k and not replaced later.
        var keep2 = at2.andNot(at3);
        var keep1 = at1.andNot(at2).andNot(at3);
        var keep0 = at1.or(at2).or(at3).not();
        none.blend(d, keep0).intoArray(dx, p0);
        none.blend(d, keep1).intoArray(dx, p1);
        none.blend(d, keep2).intoArray(dx, p2);
        none.blend(d, at3).intoArray(dx, p3);
      }
    }
  }
}
