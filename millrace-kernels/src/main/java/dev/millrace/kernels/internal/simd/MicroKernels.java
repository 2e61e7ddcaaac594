package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;
import static dev.millrace.kernels.internal.simd.Gemm.KCS;
import static dev.millrace.kernels.internal.simd.Gemm.NR;

import jdk.incubator.vector.FloatVector;

/**
 * The GEMM's register-blocked micro-kernels: {@code mr} accumulators of one 8-lane vector (12 or 8
 * rows × 8 columns), per step of k one vector load of B, {@code mr} broadcasts of A and {@code mr}
 * FMAs; with 12 rows, 14 of AVX2's 16 vector registers are live and nothing spills. The GEMM uses
 * them for a last, odd B panel; pairs of panels go to {@link PairMicroKernels}. A is packed k-major
 * ({@code a[aOff + kk * mr + r]}) or row-major ({@code a[aOff + r * KCS + kk]}); in both the index
 * is linear in k with constant row offsets, so C2 hoists every bounds check out of the loop. Full
 * tiles are stored straight into C, edge tiles through {@code tmp}. One method per shape and layout
 * keeps each call site monomorphic.
 */
final class MicroKernels {
  private MicroKernels() {}

  /** The micro-kernel of height {@code mr} (12 or 8) for k-major or row-major A panels. */
  static void run(
      int mr,
      Gemm.Layout layout,
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      int kc,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      int cols,
      boolean overwrite,
      float[] tmp) {
    if (mr == 12) {
      if (layout == Gemm.Layout.ROW_MAJOR) {
        micro12r(a, aOff, b, bOff, kc, c, cAt, ldc, rows, cols, overwrite, tmp);
      } else {
        micro12(a, aOff, b, bOff, kc, c, cAt, ldc, rows, cols, overwrite, tmp);
      }
    } else {
      if (layout == Gemm.Layout.ROW_MAJOR) {
        micro8r(a, aOff, b, bOff, kc, c, cAt, ldc, rows, cols, overwrite, tmp);
      } else {
        micro8(a, aOff, b, bOff, kc, c, cAt, ldc, rows, cols, overwrite, tmp);
      }
    }
  }

  /**
   * 12×8 micro-kernel: C tile at {@code c[cAt]} (row stride ldc) {@code (+)=} A panel · B panel.
   */
  static void micro12(
      float[] a,
      int aOff,
      float[] b,
      int bOff,
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
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    FloatVector c8 = c0;
    FloatVector c9 = c0;
    FloatVector c10 = c0;
    FloatVector c11 = c0;
    for (int kk = 0; kk < kc; kk++) {
      FloatVector bv = FloatVector.fromArray(F, b, bOff + kk * NR);
      int p = aOff + kk * 12;
      c0 = FloatVector.broadcast(F, a[p]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[p + 1]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[p + 2]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[p + 3]).fma(bv, c3);
      c4 = FloatVector.broadcast(F, a[p + 4]).fma(bv, c4);
      c5 = FloatVector.broadcast(F, a[p + 5]).fma(bv, c5);
      c6 = FloatVector.broadcast(F, a[p + 6]).fma(bv, c6);
      c7 = FloatVector.broadcast(F, a[p + 7]).fma(bv, c7);
      c8 = FloatVector.broadcast(F, a[p + 8]).fma(bv, c8);
      c9 = FloatVector.broadcast(F, a[p + 9]).fma(bv, c9);
      c10 = FloatVector.broadcast(F, a[p + 10]).fma(bv, c10);
      c11 = FloatVector.broadcast(F, a[p + 11]).fma(bv, c11);
    }
    if (rows == 12 && cols == NR) {
      store(c0, c, cAt, overwrite);
      store(c1, c, cAt + ldc, overwrite);
      store(c2, c, cAt + 2 * ldc, overwrite);
      store(c3, c, cAt + 3 * ldc, overwrite);
      store(c4, c, cAt + 4 * ldc, overwrite);
      store(c5, c, cAt + 5 * ldc, overwrite);
      store(c6, c, cAt + 6 * ldc, overwrite);
      store(c7, c, cAt + 7 * ldc, overwrite);
      store(c8, c, cAt + 8 * ldc, overwrite);
      store(c9, c, cAt + 9 * ldc, overwrite);
      store(c10, c, cAt + 10 * ldc, overwrite);
      store(c11, c, cAt + 11 * ldc, overwrite);
      return;
    }
    c0.intoArray(tmp, 0);
    c1.intoArray(tmp, NR);
    c2.intoArray(tmp, 2 * NR);
    c3.intoArray(tmp, 3 * NR);
    c4.intoArray(tmp, 4 * NR);
    c5.intoArray(tmp, 5 * NR);
    c6.intoArray(tmp, 6 * NR);
    c7.intoArray(tmp, 7 * NR);
    c8.intoArray(tmp, 8 * NR);
    c9.intoArray(tmp, 9 * NR);
    c10.intoArray(tmp, 10 * NR);
    c11.intoArray(tmp, 11 * NR);
    storePartial(tmp, c, cAt, ldc, rows, cols, overwrite);
  }

  /** 8×8 micro-kernel, for row counts such as 16, 32 or 64 that 12 would pad. */
  static void micro8(
      float[] a,
      int aOff,
      float[] b,
      int bOff,
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
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    for (int kk = 0; kk < kc; kk++) {
      FloatVector bv = FloatVector.fromArray(F, b, bOff + kk * NR);
      int p = aOff + kk * 8;
      c0 = FloatVector.broadcast(F, a[p]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[p + 1]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[p + 2]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[p + 3]).fma(bv, c3);
      c4 = FloatVector.broadcast(F, a[p + 4]).fma(bv, c4);
      c5 = FloatVector.broadcast(F, a[p + 5]).fma(bv, c5);
      c6 = FloatVector.broadcast(F, a[p + 6]).fma(bv, c6);
      c7 = FloatVector.broadcast(F, a[p + 7]).fma(bv, c7);
    }
    if (rows == 8 && cols == NR) {
      store(c0, c, cAt, overwrite);
      store(c1, c, cAt + ldc, overwrite);
      store(c2, c, cAt + 2 * ldc, overwrite);
      store(c3, c, cAt + 3 * ldc, overwrite);
      store(c4, c, cAt + 4 * ldc, overwrite);
      store(c5, c, cAt + 5 * ldc, overwrite);
      store(c6, c, cAt + 6 * ldc, overwrite);
      store(c7, c, cAt + 7 * ldc, overwrite);
      return;
    }
    c0.intoArray(tmp, 0);
    c1.intoArray(tmp, NR);
    c2.intoArray(tmp, 2 * NR);
    c3.intoArray(tmp, 3 * NR);
    c4.intoArray(tmp, 4 * NR);
    c5.intoArray(tmp, 5 * NR);
    c6.intoArray(tmp, 6 * NR);
    c7.intoArray(tmp, 7 * NR);
    storePartial(tmp, c, cAt, ldc, rows, cols, overwrite);
  }

  /**
   * 12×8 micro-kernel over a row-major A panel ({@code a[aOff + r * KCS + kk]}): the same
   * instructions as {@link #micro12}, the row offsets being constant displacements. Packers whose
   * source rows are contiguous (NHWC patches) fill this layout with block copies.
   */
  static void micro12r(
      float[] a,
      int aOff,
      float[] b,
      int bOff,
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
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    FloatVector c8 = c0;
    FloatVector c9 = c0;
    FloatVector c10 = c0;
    FloatVector c11 = c0;
    for (int kk = 0; kk < kc; kk++) {
      FloatVector bv = FloatVector.fromArray(F, b, bOff + kk * NR);
      int p = aOff + kk;
      c0 = FloatVector.broadcast(F, a[p]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[p + 1 * KCS]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[p + 2 * KCS]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[p + 3 * KCS]).fma(bv, c3);
      c4 = FloatVector.broadcast(F, a[p + 4 * KCS]).fma(bv, c4);
      c5 = FloatVector.broadcast(F, a[p + 5 * KCS]).fma(bv, c5);
      c6 = FloatVector.broadcast(F, a[p + 6 * KCS]).fma(bv, c6);
      c7 = FloatVector.broadcast(F, a[p + 7 * KCS]).fma(bv, c7);
      c8 = FloatVector.broadcast(F, a[p + 8 * KCS]).fma(bv, c8);
      c9 = FloatVector.broadcast(F, a[p + 9 * KCS]).fma(bv, c9);
      c10 = FloatVector.broadcast(F, a[p + 10 * KCS]).fma(bv, c10);
      c11 = FloatVector.broadcast(F, a[p + 11 * KCS]).fma(bv, c11);
    }
    if (rows == 12 && cols == NR) {
      store(c0, c, cAt, overwrite);
      store(c1, c, cAt + ldc, overwrite);
      store(c2, c, cAt + 2 * ldc, overwrite);
      store(c3, c, cAt + 3 * ldc, overwrite);
      store(c4, c, cAt + 4 * ldc, overwrite);
      store(c5, c, cAt + 5 * ldc, overwrite);
      store(c6, c, cAt + 6 * ldc, overwrite);
      store(c7, c, cAt + 7 * ldc, overwrite);
      store(c8, c, cAt + 8 * ldc, overwrite);
      store(c9, c, cAt + 9 * ldc, overwrite);
      store(c10, c, cAt + 10 * ldc, overwrite);
      store(c11, c, cAt + 11 * ldc, overwrite);
      return;
    }
    c0.intoArray(tmp, 0);
    c1.intoArray(tmp, NR);
    c2.intoArray(tmp, 2 * NR);
    c3.intoArray(tmp, 3 * NR);
    c4.intoArray(tmp, 4 * NR);
    c5.intoArray(tmp, 5 * NR);
    c6.intoArray(tmp, 6 * NR);
    c7.intoArray(tmp, 7 * NR);
    c8.intoArray(tmp, 8 * NR);
    c9.intoArray(tmp, 9 * NR);
    c10.intoArray(tmp, 10 * NR);
    c11.intoArray(tmp, 11 * NR);
    storePartial(tmp, c, cAt, ldc, rows, cols, overwrite);
  }

  /** 8×8 micro-kernel over a row-major A panel, as {@link #micro12r}. */
  static void micro8r(
      float[] a,
      int aOff,
      float[] b,
      int bOff,
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
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    for (int kk = 0; kk < kc; kk++) {
      FloatVector bv = FloatVector.fromArray(F, b, bOff + kk * NR);
      int p = aOff + kk;
      c0 = FloatVector.broadcast(F, a[p]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[p + 1 * KCS]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[p + 2 * KCS]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[p + 3 * KCS]).fma(bv, c3);
      c4 = FloatVector.broadcast(F, a[p + 4 * KCS]).fma(bv, c4);
      c5 = FloatVector.broadcast(F, a[p + 5 * KCS]).fma(bv, c5);
      c6 = FloatVector.broadcast(F, a[p + 6 * KCS]).fma(bv, c6);
      c7 = FloatVector.broadcast(F, a[p + 7 * KCS]).fma(bv, c7);
    }
    if (rows == 8 && cols == NR) {
      store(c0, c, cAt, overwrite);
      store(c1, c, cAt + ldc, overwrite);
      store(c2, c, cAt + 2 * ldc, overwrite);
      store(c3, c, cAt + 3 * ldc, overwrite);
      store(c4, c, cAt + 4 * ldc, overwrite);
      store(c5, c, cAt + 5 * ldc, overwrite);
      store(c6, c, cAt + 6 * ldc, overwrite);
      store(c7, c, cAt + 7 * ldc, overwrite);
      return;
    }
    c0.intoArray(tmp, 0);
    c1.intoArray(tmp, NR);
    c2.intoArray(tmp, 2 * NR);
    c3.intoArray(tmp, 3 * NR);
    c4.intoArray(tmp, 4 * NR);
    c5.intoArray(tmp, 5 * NR);
    c6.intoArray(tmp, 6 * NR);
    c7.intoArray(tmp, 7 * NR);
    storePartial(tmp, c, cAt, ldc, rows, cols, overwrite);
  }

  private static void store(FloatVector v, float[] c, int at, boolean overwrite) {
    (overwrite ? v : v.add(FloatVector.fromArray(F, c, at))).intoArray(c, at);
  }

  private static void storePartial(
      float[] tmp, float[] c, int cAt, int ldc, int rows, int cols, boolean overwrite) {
    for (int r = 0; r < rows; r++) {
      int at = cAt + r * ldc;
      for (int j = 0; j < cols; j++) {
        c[at + j] = overwrite ? tmp[r * NR + j] : c[at + j] + tmp[r * NR + j];
      }
    }
  }
}
