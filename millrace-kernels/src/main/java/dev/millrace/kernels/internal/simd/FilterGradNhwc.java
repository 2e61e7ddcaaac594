package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;
import static dev.millrace.kernels.internal.simd.Gemm.NR;

import dev.millrace.kernels.internal.ConvKernels.Geometry;
import dev.millrace.tensor.DataFormat;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The NHWC filter gradient without patch matrices, for filters undilated along W: {@code dF[ky]
 * [kx][ci][co] = Σ x[iy][ix + kx][ci] · dy[oy][ox][co]}. For one filter row {@code ky} the taps
 * {@code (kx, ci)} of an output pixel are one contiguous run of {@code kw · c} input floats, so
 * {@code dF[ky]} is a sum of outer products (that run × the pixel's {@code dy} vector) over every
 * output pixel. Register tiles of 6 run entries × 1, 2 or 4 vectors of output channels keep their
 * sums in registers across all of an image's pixels; each step is 6 broadcasts and one load per
 * vector for 6 FMAs per vector.
 *
 * <p>Why not im2col + GEMM: with few input channels the patch matrix is mostly copies (one input
 * float becomes {@code kh · kw} patch floats), and the GEMM's depth is one image's pixels, so its
 * output block was loaded and stored for every image. Here the image is copied once, into a
 * zero-bordered buffer that removes every bounds test from the loop. A tile's 6 entries may run
 * past the end of a run (into the next pixel's floats, or the buffer's slack); those sums are
 * dropped, which is cheaper than a narrower tile.
 *
 * <p>A tile's sums start from zero and are added straight into {@code df} at its end. They used to
 * leave through a scratch tile and be added to {@code df} in a second pass: a 5×5 32→64 layer at
 * 14×14 then ran at 103 GFLOP/s in some JVMs and 78 in others (or switched mid-run, with no GC or
 * compilation between); added straight, it ran at 99–106 in every JVM (ConvGradientBenchmark, 1
 * thread, Zen 4; docs/benchmarks-kernels.md). Every vector stays inside the tile method, with no
 * vector chosen by a condition: tiles that loaded their starting sums from {@code df} (rows past
 * {@code rows} zero) ran at 94 through a {@code ?:} and, through a helper method that C2 left out
 * of line in a training step, took 1.5× as long there.
 */
final class FilterGradNhwc {
  private static final int ROWS = 6;

  /** Output pixels per image below which the GEMM's filter gradient is faster. */
  private static final int MIN_PIXELS = 64;

  /** Four-vector tiles need 24 accumulators + 4 + 1 registers: AVX-512's 32, not AVX2's 16. */
  private static final boolean FOUR_WIDE = SimdWidth.CHOSEN.bits() >= 512;

  private FilterGradNhwc() {}

  /**
   * NHWC, undilated along W (so a filter row's taps are adjacent input pixels), with at least 64
   * output pixels per image. A tile's sums are stored once per image, so with few pixels the stores
   * and the tile's set-up weigh more: 64→128 at 7×7 (49 pixels) took 14.0 ms here against the
   * GEMM's 11.3, while 64→64 at 8×8 was even (7.4 against 7.9) and 14×14 and larger won clearly
   * (ConvGradientBenchmark, batch 128, 1 thread; docs/benchmarks-kernels.md).
   */
  static boolean handles(Geometry g) {
    return g.in().format() == DataFormat.NHWC
        && g.spec().dilationW() == 1
        && g.out().h() * g.out().w() >= MIN_PIXELS;
  }

  /** Floats of the zero-bordered copy of one image, plus the slack a tile may read past it. */
  static int paddedSize(Geometry g) {
    return isEmpty(g) ? 0 : paddedRows(g) * paddedWidth(g) * g.in().c() + ROWS;
  }

  /** No output pixels (an input smaller than a VALID filter): nothing to add. */
  private static boolean isEmpty(Geometry g) {
    return g.out().h() == 0 || g.out().w() == 0;
  }

  /**
   * Adds image {@code b}'s contribution to {@code df} ({@code [kh][kw][c][oc]}, row-major), using
   * {@code padded} ({@link #paddedSize} floats) as scratch.
   */
  static void accumulate(float[] x, float[] dy, int b, Geometry g, float[] padded, float[] df) {
    if (isEmpty(g)) {
      return;
    }
    int c = g.in().c();
    int oc = g.filterOut();
    int oh = g.out().h();
    int ow = g.out().w();
    int wp = paddedWidth(g);
    int run = g.kw() * c;
    int rowStride = g.spec().strideH() * wp * c;
    int pixelStride = g.spec().strideW() * c;
    int dyAt = b * oh * ow * oc;
    copyPadded(x, b, g, padded);
    int sh = g.spec().strideH();
    int top = (int) g.rows().padBefore();
    int h = g.in().h();
    int sw = g.spec().strideW();
    int left = (int) g.cols().padBefore();
    int w = g.in().w();
    for (int ky = 0; ky < g.kh(); ky++) {
      int rowAt = ky * g.spec().dilationH() * wp * c;
      // Only the output rows whose input row for this filter row is in the image, not the zero
      // border: 8.6 % fewer multiply-adds for a 5×5 filter at 14×14, the same sums otherwise.
      int first = ky * g.spec().dilationH() - top; // input row of output row 0
      int oyFrom = InsideRange.from(first, sh, oh);
      int oyTo = InsideRange.to(first, sh, h, oh);
      if (oyFrom >= oyTo) {
        continue;
      }
      for (int j0 = 0; j0 < run; j0 += ROWS) {
        int rows = Math.min(ROWS, run - j0);
        int dfAt = (ky * run + j0) * oc;
        // Likewise the output columns where every entry of the tile (taps kxLo..kxHi) reads the
        // border: 8 % fewer again at 14×14 where a tile's entries share one tap (c >= 6).
        int kxLo = j0 / c;
        int kxHi = (j0 + rows - 1) / c;
        int oxFrom = InsideRange.from(kxHi - left, sw, ow);
        int oxTo = InsideRange.to(kxLo - left, sw, w, ow);
        if (oxFrom >= oxTo) {
          continue;
        }
        int co = 0;
        if (FOUR_WIDE) {
          for (; co + 4 * NR <= oc; co += 4 * NR) {
            tile6x4(
                padded,
                rowAt + j0,
                rowStride,
                pixelStride,
                oyFrom,
                oyTo,
                ow,
                oxFrom,
                oxTo,
                dy,
                dyAt + co,
                oc,
                df,
                dfAt + co,
                rows);
          }
        }
        for (; co + 2 * NR <= oc; co += 2 * NR) {
          tile6x2(
              padded,
              rowAt + j0,
              rowStride,
              pixelStride,
              oyFrom,
              oyTo,
              ow,
              oxFrom,
              oxTo,
              dy,
              dyAt + co,
              oc,
              df,
              dfAt + co,
              rows);
        }
        for (; co < oc; co += NR) {
          VectorMask<Float> lanes = F.indexInRange(co, oc);
          tile6x1(
              padded,
              rowAt + j0,
              rowStride,
              pixelStride,
              oyFrom,
              oyTo,
              ow,
              oxFrom,
              oxTo,
              dy,
              dyAt + co,
              oc,
              lanes,
              df,
              dfAt + co,
              rows);
        }
      }
    }
  }

  /** Input rows read by the filter: {@code (oh - 1) · sh + (kh - 1) · dh + 1}. */
  private static int paddedRows(Geometry g) {
    return (g.out().h() - 1) * g.spec().strideH() + (g.kh() - 1) * g.spec().dilationH() + 1;
  }

  /**
   * Columns of the bordered copy: those the filter reads, {@code (ow - 1) · sw + kw}, and at least
   * the left border and the whole row (a VALID filter may leave the right of the image unread).
   */
  private static int paddedWidth(Geometry g) {
    int left = (int) g.cols().padBefore();
    return Math.max(left + g.in().w(), (g.out().w() - 1) * g.spec().strideW() + g.kw());
  }

  /** {@code padded[py][px][ci] = x[b][py - top][px - left][ci]}, zero outside the image. */
  private static void copyPadded(float[] x, int b, Geometry g, float[] padded) {
    int c = g.in().c();
    int h = g.in().h();
    int w = g.in().w();
    PaddedRows.copy(
        x,
        b * h * w * c,
        h,
        w,
        c,
        -(int) g.rows().padBefore(),
        paddedRows(g),
        (int) g.cols().padBefore(),
        paddedWidth(g) * c,
        padded,
        ROWS);
  }

  /**
   * 6 run entries × 4 vectors of output channels, summed over the image's pixels and added to rows
   * {@code [0, rows)} of {@code df} from {@code dfAt}.
   */
  private static void tile6x4(
      float[] p,
      int at,
      int rowStride,
      int pixelStride,
      int oyFrom,
      int oyTo,
      int ow,
      int oxFrom,
      int oxTo,
      float[] dy,
      int dyAt,
      int oc,
      float[] df,
      int dfAt,
      int rows) {
    FloatVector c00 = FloatVector.zero(F);
    FloatVector c01 = FloatVector.zero(F);
    FloatVector c02 = FloatVector.zero(F);
    FloatVector c03 = FloatVector.zero(F);
    FloatVector c10 = FloatVector.zero(F);
    FloatVector c11 = FloatVector.zero(F);
    FloatVector c12 = FloatVector.zero(F);
    FloatVector c13 = FloatVector.zero(F);
    FloatVector c20 = FloatVector.zero(F);
    FloatVector c21 = FloatVector.zero(F);
    FloatVector c22 = FloatVector.zero(F);
    FloatVector c23 = FloatVector.zero(F);
    FloatVector c30 = FloatVector.zero(F);
    FloatVector c31 = FloatVector.zero(F);
    FloatVector c32 = FloatVector.zero(F);
    FloatVector c33 = FloatVector.zero(F);
    FloatVector c40 = FloatVector.zero(F);
    FloatVector c41 = FloatVector.zero(F);
    FloatVector c42 = FloatVector.zero(F);
    FloatVector c43 = FloatVector.zero(F);
    FloatVector c50 = FloatVector.zero(F);
    FloatVector c51 = FloatVector.zero(F);
    FloatVector c52 = FloatVector.zero(F);
    FloatVector c53 = FloatVector.zero(F);
    for (int oy = oyFrom; oy < oyTo; oy++) {
      int rowA = at + oy * rowStride;
      int rowD = dyAt + oy * ow * oc;
      for (int ox = oxFrom; ox < oxTo; ox++) {
        int a = rowA + ox * pixelStride;
        int d = rowD + ox * oc;
        FloatVector d0 = FloatVector.fromArray(F, dy, d);
        FloatVector d1 = FloatVector.fromArray(F, dy, d + NR);
        FloatVector d2 = FloatVector.fromArray(F, dy, d + 2 * NR);
        FloatVector d3 = FloatVector.fromArray(F, dy, d + 3 * NR);
        FloatVector v = FloatVector.broadcast(F, p[a]);
        c00 = v.fma(d0, c00);
        c01 = v.fma(d1, c01);
        c02 = v.fma(d2, c02);
        c03 = v.fma(d3, c03);
        v = FloatVector.broadcast(F, p[a + 1]);
        c10 = v.fma(d0, c10);
        c11 = v.fma(d1, c11);
        c12 = v.fma(d2, c12);
        c13 = v.fma(d3, c13);
        v = FloatVector.broadcast(F, p[a + 2]);
        c20 = v.fma(d0, c20);
        c21 = v.fma(d1, c21);
        c22 = v.fma(d2, c22);
        c23 = v.fma(d3, c23);
        v = FloatVector.broadcast(F, p[a + 3]);
        c30 = v.fma(d0, c30);
        c31 = v.fma(d1, c31);
        c32 = v.fma(d2, c32);
        c33 = v.fma(d3, c33);
        v = FloatVector.broadcast(F, p[a + 4]);
        c40 = v.fma(d0, c40);
        c41 = v.fma(d1, c41);
        c42 = v.fma(d2, c42);
        c43 = v.fma(d3, c43);
        v = FloatVector.broadcast(F, p[a + 5]);
        c50 = v.fma(d0, c50);
        c51 = v.fma(d1, c51);
        c52 = v.fma(d2, c52);
        c53 = v.fma(d3, c53);
      }
    }
    c00.add(FloatVector.fromArray(F, df, dfAt)).intoArray(df, dfAt);
    c01.add(FloatVector.fromArray(F, df, dfAt + NR)).intoArray(df, dfAt + NR);
    c02.add(FloatVector.fromArray(F, df, dfAt + 2 * NR)).intoArray(df, dfAt + 2 * NR);
    c03.add(FloatVector.fromArray(F, df, dfAt + 3 * NR)).intoArray(df, dfAt + 3 * NR);
    if (1 < rows) {
      c10.add(FloatVector.fromArray(F, df, dfAt + oc)).intoArray(df, dfAt + oc);
      c11.add(FloatVector.fromArray(F, df, dfAt + oc + NR)).intoArray(df, dfAt + oc + NR);
      c12.add(FloatVector.fromArray(F, df, dfAt + oc + 2 * NR)).intoArray(df, dfAt + oc + 2 * NR);
      c13.add(FloatVector.fromArray(F, df, dfAt + oc + 3 * NR)).intoArray(df, dfAt + oc + 3 * NR);
    }
    if (2 < rows) {
      c20.add(FloatVector.fromArray(F, df, dfAt + 2 * oc)).intoArray(df, dfAt + 2 * oc);
      c21.add(FloatVector.fromArray(F, df, dfAt + 2 * oc + NR)).intoArray(df, dfAt + 2 * oc + NR);
      c22.add(FloatVector.fromArray(F, df, dfAt + 2 * oc + 2 * NR))
          .intoArray(df, dfAt + 2 * oc + 2 * NR);
      c23.add(FloatVector.fromArray(F, df, dfAt + 2 * oc + 3 * NR))
          .intoArray(df, dfAt + 2 * oc + 3 * NR);
    }
    if (3 < rows) {
      c30.add(FloatVector.fromArray(F, df, dfAt + 3 * oc)).intoArray(df, dfAt + 3 * oc);
      c31.add(FloatVector.fromArray(F, df, dfAt + 3 * oc + NR)).intoArray(df, dfAt + 3 * oc + NR);
      c32.add(FloatVector.fromArray(F, df, dfAt + 3 * oc + 2 * NR))
          .intoArray(df, dfAt + 3 * oc + 2 * NR);
      c33.add(FloatVector.fromArray(F, df, dfAt + 3 * oc + 3 * NR))
          .intoArray(df, dfAt + 3 * oc + 3 * NR);
    }
    if (4 < rows) {
      c40.add(FloatVector.fromArray(F, df, dfAt + 4 * oc)).intoArray(df, dfAt + 4 * oc);
      c41.add(FloatVector.fromArray(F, df, dfAt + 4 * oc + NR)).intoArray(df, dfAt + 4 * oc + NR);
      c42.add(FloatVector.fromArray(F, df, dfAt + 4 * oc + 2 * NR))
          .intoArray(df, dfAt + 4 * oc + 2 * NR);
      c43.add(FloatVector.fromArray(F, df, dfAt + 4 * oc + 3 * NR))
          .intoArray(df, dfAt + 4 * oc + 3 * NR);
    }
    if (5 < rows) {
      c50.add(FloatVector.fromArray(F, df, dfAt + 5 * oc)).intoArray(df, dfAt + 5 * oc);
      c51.add(FloatVector.fromArray(F, df, dfAt + 5 * oc + NR)).intoArray(df, dfAt + 5 * oc + NR);
      c52.add(FloatVector.fromArray(F, df, dfAt + 5 * oc + 2 * NR))
          .intoArray(df, dfAt + 5 * oc + 2 * NR);
      c53.add(FloatVector.fromArray(F, df, dfAt + 5 * oc + 3 * NR))
          .intoArray(df, dfAt + 5 * oc + 3 * NR);
    }
  }

  /** 6 run entries × 2 vectors of output channels, as {@link #tile6x4}. */
  private static void tile6x2(
      float[] p,
      int at,
      int rowStride,
      int pixelStride,
      int oyFrom,
      int oyTo,
      int ow,
      int oxFrom,
      int oxTo,
      float[] dy,
      int dyAt,
      int oc,
      float[] df,
      int dfAt,
      int rows) {
    FloatVector c00 = FloatVector.zero(F);
    FloatVector c01 = FloatVector.zero(F);
    FloatVector c10 = FloatVector.zero(F);
    FloatVector c11 = FloatVector.zero(F);
    FloatVector c20 = FloatVector.zero(F);
    FloatVector c21 = FloatVector.zero(F);
    FloatVector c30 = FloatVector.zero(F);
    FloatVector c31 = FloatVector.zero(F);
    FloatVector c40 = FloatVector.zero(F);
    FloatVector c41 = FloatVector.zero(F);
    FloatVector c50 = FloatVector.zero(F);
    FloatVector c51 = FloatVector.zero(F);
    for (int oy = oyFrom; oy < oyTo; oy++) {
      int rowA = at + oy * rowStride;
      int rowD = dyAt + oy * ow * oc;
      for (int ox = oxFrom; ox < oxTo; ox++) {
        int a = rowA + ox * pixelStride;
        int d = rowD + ox * oc;
        FloatVector d0 = FloatVector.fromArray(F, dy, d);
        FloatVector d1 = FloatVector.fromArray(F, dy, d + NR);
        FloatVector v = FloatVector.broadcast(F, p[a]);
        c00 = v.fma(d0, c00);
        c01 = v.fma(d1, c01);
        v = FloatVector.broadcast(F, p[a + 1]);
        c10 = v.fma(d0, c10);
        c11 = v.fma(d1, c11);
        v = FloatVector.broadcast(F, p[a + 2]);
        c20 = v.fma(d0, c20);
        c21 = v.fma(d1, c21);
        v = FloatVector.broadcast(F, p[a + 3]);
        c30 = v.fma(d0, c30);
        c31 = v.fma(d1, c31);
        v = FloatVector.broadcast(F, p[a + 4]);
        c40 = v.fma(d0, c40);
        c41 = v.fma(d1, c41);
        v = FloatVector.broadcast(F, p[a + 5]);
        c50 = v.fma(d0, c50);
        c51 = v.fma(d1, c51);
      }
    }
    c00.add(FloatVector.fromArray(F, df, dfAt)).intoArray(df, dfAt);
    c01.add(FloatVector.fromArray(F, df, dfAt + NR)).intoArray(df, dfAt + NR);
    if (1 < rows) {
      c10.add(FloatVector.fromArray(F, df, dfAt + oc)).intoArray(df, dfAt + oc);
      c11.add(FloatVector.fromArray(F, df, dfAt + oc + NR)).intoArray(df, dfAt + oc + NR);
    }
    if (2 < rows) {
      c20.add(FloatVector.fromArray(F, df, dfAt + 2 * oc)).intoArray(df, dfAt + 2 * oc);
      c21.add(FloatVector.fromArray(F, df, dfAt + 2 * oc + NR)).intoArray(df, dfAt + 2 * oc + NR);
    }
    if (3 < rows) {
      c30.add(FloatVector.fromArray(F, df, dfAt + 3 * oc)).intoArray(df, dfAt + 3 * oc);
      c31.add(FloatVector.fromArray(F, df, dfAt + 3 * oc + NR)).intoArray(df, dfAt + 3 * oc + NR);
    }
    if (4 < rows) {
      c40.add(FloatVector.fromArray(F, df, dfAt + 4 * oc)).intoArray(df, dfAt + 4 * oc);
      c41.add(FloatVector.fromArray(F, df, dfAt + 4 * oc + NR)).intoArray(df, dfAt + 4 * oc + NR);
    }
    if (5 < rows) {
      c50.add(FloatVector.fromArray(F, df, dfAt + 5 * oc)).intoArray(df, dfAt + 5 * oc);
      c51.add(FloatVector.fromArray(F, df, dfAt + 5 * oc + NR)).intoArray(df, dfAt + 5 * oc + NR);
    }
  }

  /** 6 run entries × 1 vector of output channels, of which {@code lanes} exist. */
  private static void tile6x1(
      float[] p,
      int at,
      int rowStride,
      int pixelStride,
      int oyFrom,
      int oyTo,
      int ow,
      int oxFrom,
      int oxTo,
      float[] dy,
      int dyAt,
      int oc,
      VectorMask<Float> lanes,
      float[] df,
      int dfAt,
      int rows) {
    boolean full = lanes.allTrue(); // a masked load is slower: only the last vector needs one
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = FloatVector.zero(F);
    FloatVector c2 = FloatVector.zero(F);
    FloatVector c3 = FloatVector.zero(F);
    FloatVector c4 = FloatVector.zero(F);
    FloatVector c5 = FloatVector.zero(F);
    for (int oy = oyFrom; oy < oyTo; oy++) {
      int rowA = at + oy * rowStride;
      int rowD = dyAt + oy * ow * oc;
      for (int ox = oxFrom; ox < oxTo; ox++) {
        int a = rowA + ox * pixelStride;
        int d = rowD + ox * oc;
        FloatVector d0 =
            full ? FloatVector.fromArray(F, dy, d) : FloatVector.fromArray(F, dy, d, lanes);
        c0 = FloatVector.broadcast(F, p[a]).fma(d0, c0);
        c1 = FloatVector.broadcast(F, p[a + 1]).fma(d0, c1);
        c2 = FloatVector.broadcast(F, p[a + 2]).fma(d0, c2);
        c3 = FloatVector.broadcast(F, p[a + 3]).fma(d0, c3);
        c4 = FloatVector.broadcast(F, p[a + 4]).fma(d0, c4);
        c5 = FloatVector.broadcast(F, p[a + 5]).fma(d0, c5);
      }
    }
    c0.add(FloatVector.fromArray(F, df, dfAt, lanes)).intoArray(df, dfAt, lanes);
    if (1 < rows) {
      c1.add(FloatVector.fromArray(F, df, dfAt + oc, lanes)).intoArray(df, dfAt + oc, lanes);
    }
    if (2 < rows) {
      c2.add(FloatVector.fromArray(F, df, dfAt + 2 * oc, lanes))
          .intoArray(df, dfAt + 2 * oc, lanes);
    }
    if (3 < rows) {
      c3.add(FloatVector.fromArray(F, df, dfAt + 3 * oc, lanes))
          .intoArray(df, dfAt + 3 * oc, lanes);
    }
    if (4 < rows) {
      c4.add(FloatVector.fromArray(F, df, dfAt + 4 * oc, lanes))
          .intoArray(df, dfAt + 4 * oc, lanes);
    }
    if (5 < rows) {
      c5.add(FloatVector.fromArray(F, df, dfAt + 5 * oc, lanes))
          .intoArray(df, dfAt + 5 * oc, lanes);
    }
  }
}
