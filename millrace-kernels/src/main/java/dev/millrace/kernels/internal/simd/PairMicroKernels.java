package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;
import static dev.millrace.kernels.internal.simd.Gemm.KCS;
import static dev.millrace.kernels.internal.simd.Gemm.NR;

import jdk.incubator.vector.FloatVector;

/**
 * The GEMM's micro-kernels two B panels wide: a tile of 6 (or 4) rows × {@code 2 * NR} columns, per
 * step of k two vector loads of B, one broadcast of A per row and two FMAs per broadcast.
 *
 * <p>Why: a broadcast of A costs as much issue bandwidth as a load, and {@link MicroKernels}'
 * one-panel tiles do one per FMA (13 loads per 12 FMAs). Measured on a Zen 4 in a loop over
 * L1-resident panels, 12 × 1 vectors ran at 86 GFLOP/s with 512-bit vectors and 6 × 2 at 116 (99
 * and 115 with 256-bit vectors). Six rows keep 12 accumulators, two B vectors and a broadcast in 15
 * registers, so the same kernel fits AVX2's 16 and AVX-512's 32 without a spill; a 12-row A
 * micro-panel is run as two 6-row halves and an 8-row one as two 4-row halves.
 *
 * <p>The two B panels are {@code panelStride} floats apart ({@code [k][NR]} each); A is k-major
 * ({@code a[aOff + kk * aStep + r]}) or row-major ({@code a[aOff + r * KCS + kk]}), as in {@link
 * MicroKernels}. Full tiles are stored straight into C, edge tiles through {@code tmp} (rows {@code
 * 2 * NR} apart); the filter gradient's tiles measured a third slower in some JVMs when every tile
 * went through a scratch buffer.
 */
final class PairMicroKernels {
  /** Columns of a tile: two B panels. */
  static final int WIDTH = 2 * NR;

  private PairMicroKernels() {}

  /**
   * The tile of A micro-panel {@code [aOff, mr rows)} (12 or 8 rows; {@code rows} of them real)
   * against the two B panels at {@code bOff} and {@code bOff + panelStride}: {@code cols} columns
   * (at most {@link #WIDTH}) of C from {@code cAt}.
   */
  static void run(
      int mr,
      Gemm.Layout layout,
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      int panelStride,
      int kc,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      int cols,
      boolean overwrite,
      float[] tmp) {
    int half = mr / 2;
    boolean rowMajor = layout == Gemm.Layout.ROW_MAJOR;
    for (int r0 = 0; r0 < rows; r0 += half) {
      int h = Math.min(half, rows - r0);
      int at = cAt + r0 * ldc;
      if (half == 6) {
        if (rowMajor) {
          pair6r(a, aOff + r0 * KCS, b, bOff, panelStride, kc, c, at, ldc, h, cols, overwrite, tmp);
        } else {
          pair6(a, aOff + r0, mr, b, bOff, panelStride, kc, c, at, ldc, h, cols, overwrite, tmp);
        }
      } else if (rowMajor) {
        pair4r(a, aOff + r0 * KCS, b, bOff, panelStride, kc, c, at, ldc, h, cols, overwrite, tmp);
      } else {
        pair4(a, aOff + r0, mr, b, bOff, panelStride, kc, c, at, ldc, h, cols, overwrite, tmp);
      }
    }
  }

  /** 6 rows of a k-major A panel whose rows are {@code aStep} floats per k. */
  static void pair6(
      float[] a,
      int aOff,
      int aStep,
      float[] b,
      int bOff,
      int panelStride,
      int kc,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      int cols,
      boolean overwrite,
      float[] tmp) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector d0 = c0;
    FloatVector d1 = c0;
    FloatVector d2 = c0;
    FloatVector d3 = c0;
    FloatVector d4 = c0;
    FloatVector d5 = c0;
    int b1Off = bOff + panelStride;
    for (int kk = 0; kk < kc; kk++) {
      FloatVector b0 = FloatVector.fromArray(F, b, bOff + kk * NR);
      FloatVector b1 = FloatVector.fromArray(F, b, b1Off + kk * NR);
      int p = aOff + kk * aStep;
      FloatVector x = FloatVector.broadcast(F, a[p]);
      c0 = x.fma(b0, c0);
      d0 = x.fma(b1, d0);
      x = FloatVector.broadcast(F, a[p + 1]);
      c1 = x.fma(b0, c1);
      d1 = x.fma(b1, d1);
      x = FloatVector.broadcast(F, a[p + 2]);
      c2 = x.fma(b0, c2);
      d2 = x.fma(b1, d2);
      x = FloatVector.broadcast(F, a[p + 3]);
      c3 = x.fma(b0, c3);
      d3 = x.fma(b1, d3);
      x = FloatVector.broadcast(F, a[p + 4]);
      c4 = x.fma(b0, c4);
      d4 = x.fma(b1, d4);
      x = FloatVector.broadcast(F, a[p + 5]);
      c5 = x.fma(b0, c5);
      d5 = x.fma(b1, d5);
    }
    if (rows == 6 && cols == WIDTH) {
      (overwrite ? c0 : c0.add(FloatVector.fromArray(F, c, cAt))).intoArray(c, cAt);
      (overwrite ? d0 : d0.add(FloatVector.fromArray(F, c, cAt + NR))).intoArray(c, cAt + NR);
      (overwrite ? c1 : c1.add(FloatVector.fromArray(F, c, cAt + ldc))).intoArray(c, cAt + ldc);
      (overwrite ? d1 : d1.add(FloatVector.fromArray(F, c, cAt + ldc + NR)))
          .intoArray(c, cAt + ldc + NR);
      (overwrite ? c2 : c2.add(FloatVector.fromArray(F, c, cAt + 2 * ldc)))
          .intoArray(c, cAt + 2 * ldc);
      (overwrite ? d2 : d2.add(FloatVector.fromArray(F, c, cAt + 2 * ldc + NR)))
          .intoArray(c, cAt + 2 * ldc + NR);
      (overwrite ? c3 : c3.add(FloatVector.fromArray(F, c, cAt + 3 * ldc)))
          .intoArray(c, cAt + 3 * ldc);
      (overwrite ? d3 : d3.add(FloatVector.fromArray(F, c, cAt + 3 * ldc + NR)))
          .intoArray(c, cAt + 3 * ldc + NR);
      (overwrite ? c4 : c4.add(FloatVector.fromArray(F, c, cAt + 4 * ldc)))
          .intoArray(c, cAt + 4 * ldc);
      (overwrite ? d4 : d4.add(FloatVector.fromArray(F, c, cAt + 4 * ldc + NR)))
          .intoArray(c, cAt + 4 * ldc + NR);
      (overwrite ? c5 : c5.add(FloatVector.fromArray(F, c, cAt + 5 * ldc)))
          .intoArray(c, cAt + 5 * ldc);
      (overwrite ? d5 : d5.add(FloatVector.fromArray(F, c, cAt + 5 * ldc + NR)))
          .intoArray(c, cAt + 5 * ldc + NR);
      return;
    }
    c0.intoArray(tmp, 0);
    d0.intoArray(tmp, NR);
    c1.intoArray(tmp, WIDTH);
    d1.intoArray(tmp, WIDTH + NR);
    c2.intoArray(tmp, 2 * WIDTH);
    d2.intoArray(tmp, 2 * WIDTH + NR);
    c3.intoArray(tmp, 3 * WIDTH);
    d3.intoArray(tmp, 3 * WIDTH + NR);
    c4.intoArray(tmp, 4 * WIDTH);
    d4.intoArray(tmp, 4 * WIDTH + NR);
    c5.intoArray(tmp, 5 * WIDTH);
    d5.intoArray(tmp, 5 * WIDTH + NR);
    storeTile(tmp, c, cAt, ldc, rows, cols, overwrite);
  }

  /** 6 rows of a row-major A panel (rows {@link Gemm#KCS} apart). */
  static void pair6r(
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      int panelStride,
      int kc,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      int cols,
      boolean overwrite,
      float[] tmp) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector d0 = c0;
    FloatVector d1 = c0;
    FloatVector d2 = c0;
    FloatVector d3 = c0;
    FloatVector d4 = c0;
    FloatVector d5 = c0;
    int b1Off = bOff + panelStride;
    for (int kk = 0; kk < kc; kk++) {
      FloatVector b0 = FloatVector.fromArray(F, b, bOff + kk * NR);
      FloatVector b1 = FloatVector.fromArray(F, b, b1Off + kk * NR);
      int p = aOff + kk;
      FloatVector x = FloatVector.broadcast(F, a[p]);
      c0 = x.fma(b0, c0);
      d0 = x.fma(b1, d0);
      x = FloatVector.broadcast(F, a[p + KCS]);
      c1 = x.fma(b0, c1);
      d1 = x.fma(b1, d1);
      x = FloatVector.broadcast(F, a[p + 2 * KCS]);
      c2 = x.fma(b0, c2);
      d2 = x.fma(b1, d2);
      x = FloatVector.broadcast(F, a[p + 3 * KCS]);
      c3 = x.fma(b0, c3);
      d3 = x.fma(b1, d3);
      x = FloatVector.broadcast(F, a[p + 4 * KCS]);
      c4 = x.fma(b0, c4);
      d4 = x.fma(b1, d4);
      x = FloatVector.broadcast(F, a[p + 5 * KCS]);
      c5 = x.fma(b0, c5);
      d5 = x.fma(b1, d5);
    }
    if (rows == 6 && cols == WIDTH) {
      (overwrite ? c0 : c0.add(FloatVector.fromArray(F, c, cAt))).intoArray(c, cAt);
      (overwrite ? d0 : d0.add(FloatVector.fromArray(F, c, cAt + NR))).intoArray(c, cAt + NR);
      (overwrite ? c1 : c1.add(FloatVector.fromArray(F, c, cAt + ldc))).intoArray(c, cAt + ldc);
      (overwrite ? d1 : d1.add(FloatVector.fromArray(F, c, cAt + ldc + NR)))
          .intoArray(c, cAt + ldc + NR);
      (overwrite ? c2 : c2.add(FloatVector.fromArray(F, c, cAt + 2 * ldc)))
          .intoArray(c, cAt + 2 * ldc);
      (overwrite ? d2 : d2.add(FloatVector.fromArray(F, c, cAt + 2 * ldc + NR)))
          .intoArray(c, cAt + 2 * ldc + NR);
      (overwrite ? c3 : c3.add(FloatVector.fromArray(F, c, cAt + 3 * ldc)))
          .intoArray(c, cAt + 3 * ldc);
      (overwrite ? d3 : d3.add(FloatVector.fromArray(F, c, cAt + 3 * ldc + NR)))
          .intoArray(c, cAt + 3 * ldc + NR);
      (overwrite ? c4 : c4.add(FloatVector.fromArray(F, c, cAt + 4 * ldc)))
          .intoArray(c, cAt + 4 * ldc);
      (overwrite ? d4 : d4.add(FloatVector.fromArray(F, c, cAt + 4 * ldc + NR)))
          .intoArray(c, cAt + 4 * ldc + NR);
      (overwrite ? c5 : c5.add(FloatVector.fromArray(F, c, cAt + 5 * ldc)))
          .intoArray(c, cAt + 5 * ldc);
      (overwrite ? d5 : d5.add(FloatVector.fromArray(F, c, cAt + 5 * ldc + NR)))
          .intoArray(c, cAt + 5 * ldc + NR);
      return;
    }
    c0.intoArray(tmp, 0);
    d0.intoArray(tmp, NR);
    c1.intoArray(tmp, WIDTH);
    d1.intoArray(tmp, WIDTH + NR);
    c2.intoArray(tmp, 2 * WIDTH);
    d2.intoArray(tmp, 2 * WIDTH + NR);
    c3.intoArray(tmp, 3 * WIDTH);
    d3.intoArray(tmp, 3 * WIDTH + NR);
    c4.intoArray(tmp, 4 * WIDTH);
    d4.intoArray(tmp, 4 * WIDTH + NR);
    c5.intoArray(tmp, 5 * WIDTH);
    d5.intoArray(tmp, 5 * WIDTH + NR);
    storeTile(tmp, c, cAt, ldc, rows, cols, overwrite);
  }

  /** 4 rows of a k-major A panel whose rows are {@code aStep} floats per k. */
  static void pair4(
      float[] a,
      int aOff,
      int aStep,
      float[] b,
      int bOff,
      int panelStride,
      int kc,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      int cols,
      boolean overwrite,
      float[] tmp) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector d0 = c0;
    FloatVector d1 = c0;
    FloatVector d2 = c0;
    FloatVector d3 = c0;
    int b1Off = bOff + panelStride;
    for (int kk = 0; kk < kc; kk++) {
      FloatVector b0 = FloatVector.fromArray(F, b, bOff + kk * NR);
      FloatVector b1 = FloatVector.fromArray(F, b, b1Off + kk * NR);
      int p = aOff + kk * aStep;
      FloatVector x = FloatVector.broadcast(F, a[p]);
      c0 = x.fma(b0, c0);
      d0 = x.fma(b1, d0);
      x = FloatVector.broadcast(F, a[p + 1]);
      c1 = x.fma(b0, c1);
      d1 = x.fma(b1, d1);
      x = FloatVector.broadcast(F, a[p + 2]);
      c2 = x.fma(b0, c2);
      d2 = x.fma(b1, d2);
      x = FloatVector.broadcast(F, a[p + 3]);
      c3 = x.fma(b0, c3);
      d3 = x.fma(b1, d3);
    }
    if (rows == 4 && cols == WIDTH) {
      (overwrite ? c0 : c0.add(FloatVector.fromArray(F, c, cAt))).intoArray(c, cAt);
      (overwrite ? d0 : d0.add(FloatVector.fromArray(F, c, cAt + NR))).intoArray(c, cAt + NR);
      (overwrite ? c1 : c1.add(FloatVector.fromArray(F, c, cAt + ldc))).intoArray(c, cAt + ldc);
      (overwrite ? d1 : d1.add(FloatVector.fromArray(F, c, cAt + ldc + NR)))
          .intoArray(c, cAt + ldc + NR);
      (overwrite ? c2 : c2.add(FloatVector.fromArray(F, c, cAt + 2 * ldc)))
          .intoArray(c, cAt + 2 * ldc);
      (overwrite ? d2 : d2.add(FloatVector.fromArray(F, c, cAt + 2 * ldc + NR)))
          .intoArray(c, cAt + 2 * ldc + NR);
      (overwrite ? c3 : c3.add(FloatVector.fromArray(F, c, cAt + 3 * ldc)))
          .intoArray(c, cAt + 3 * ldc);
      (overwrite ? d3 : d3.add(FloatVector.fromArray(F, c, cAt + 3 * ldc + NR)))
          .intoArray(c, cAt + 3 * ldc + NR);
      return;
    }
    c0.intoArray(tmp, 0);
    d0.intoArray(tmp, NR);
    c1.intoArray(tmp, WIDTH);
    d1.intoArray(tmp, WIDTH + NR);
    c2.intoArray(tmp, 2 * WIDTH);
    d2.intoArray(tmp, 2 * WIDTH + NR);
    c3.intoArray(tmp, 3 * WIDTH);
    d3.intoArray(tmp, 3 * WIDTH + NR);
    storeTile(tmp, c, cAt, ldc, rows, cols, overwrite);
  }

  /** 4 rows of a row-major A panel (rows {@link Gemm#KCS} apart). */
  static void pair4r(
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      int panelStride,
      int kc,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      int cols,
      boolean overwrite,
      float[] tmp) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector d0 = c0;
    FloatVector d1 = c0;
    FloatVector d2 = c0;
    FloatVector d3 = c0;
    int b1Off = bOff + panelStride;
    for (int kk = 0; kk < kc; kk++) {
      FloatVector b0 = FloatVector.fromArray(F, b, bOff + kk * NR);
      FloatVector b1 = FloatVector.fromArray(F, b, b1Off + kk * NR);
      int p = aOff + kk;
      FloatVector x = FloatVector.broadcast(F, a[p]);
      c0 = x.fma(b0, c0);
      d0 = x.fma(b1, d0);
      x = FloatVector.broadcast(F, a[p + KCS]);
      c1 = x.fma(b0, c1);
      d1 = x.fma(b1, d1);
      x = FloatVector.broadcast(F, a[p + 2 * KCS]);
      c2 = x.fma(b0, c2);
      d2 = x.fma(b1, d2);
      x = FloatVector.broadcast(F, a[p + 3 * KCS]);
      c3 = x.fma(b0, c3);
      d3 = x.fma(b1, d3);
    }
    if (rows == 4 && cols == WIDTH) {
      (overwrite ? c0 : c0.add(FloatVector.fromArray(F, c, cAt))).intoArray(c, cAt);
      (overwrite ? d0 : d0.add(FloatVector.fromArray(F, c, cAt + NR))).intoArray(c, cAt + NR);
      (overwrite ? c1 : c1.add(FloatVector.fromArray(F, c, cAt + ldc))).intoArray(c, cAt + ldc);
      (overwrite ? d1 : d1.add(FloatVector.fromArray(F, c, cAt + ldc + NR)))
          .intoArray(c, cAt + ldc + NR);
      (overwrite ? c2 : c2.add(FloatVector.fromArray(F, c, cAt + 2 * ldc)))
          .intoArray(c, cAt + 2 * ldc);
      (overwrite ? d2 : d2.add(FloatVector.fromArray(F, c, cAt + 2 * ldc + NR)))
          .intoArray(c, cAt + 2 * ldc + NR);
      (overwrite ? c3 : c3.add(FloatVector.fromArray(F, c, cAt + 3 * ldc)))
          .intoArray(c, cAt + 3 * ldc);
      (overwrite ? d3 : d3.add(FloatVector.fromArray(F, c, cAt + 3 * ldc + NR)))
          .intoArray(c, cAt + 3 * ldc + NR);
      return;
    }
    c0.intoArray(tmp, 0);
    d0.intoArray(tmp, NR);
    c1.intoArray(tmp, WIDTH);
    d1.intoArray(tmp, WIDTH + NR);
    c2.intoArray(tmp, 2 * WIDTH);
    d2.intoArray(tmp, 2 * WIDTH + NR);
    c3.intoArray(tmp, 3 * WIDTH);
    d3.intoArray(tmp, 3 * WIDTH + NR);
    storeTile(tmp, c, cAt, ldc, rows, cols, overwrite);
  }

  /**
   * Moves the tile from {@code tmp} (rows {@link #WIDTH} apart) into C. The accumulators go through
   * {@code tmp} even for a full tile: handing twelve vectors to a store method that C2 does not
   * inline would box them, and the round trip costs a few stores per {@code kc} steps.
   */
  private static void storeTile(
      float[] tmp, float[] c, int cAt, int ldc, int rows, int cols, boolean overwrite) {
    if (cols == WIDTH) {
      for (int r = 0; r < rows; r++) {
        int at = cAt + r * ldc;
        FloatVector left = FloatVector.fromArray(F, tmp, r * WIDTH);
        FloatVector right = FloatVector.fromArray(F, tmp, r * WIDTH + NR);
        if (!overwrite) {
          left = left.add(FloatVector.fromArray(F, c, at));
          right = right.add(FloatVector.fromArray(F, c, at + NR));
        }
        left.intoArray(c, at);
        right.intoArray(c, at + NR);
      }
      return;
    }
    for (int r = 0; r < rows; r++) {
      int at = cAt + r * ldc;
      for (int j = 0; j < cols; j++) {
        c[at + j] = overwrite ? tmp[r * WIDTH + j] : c[at + j] + tmp[r * WIDTH + j];
      }
    }
  }
}
