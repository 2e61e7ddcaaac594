package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;
import static dev.millrace.kernels.internal.simd.Gemm.NR;

import jdk.incubator.vector.FloatVector;

/**
 * Input-stationary micro-kernels of the direct NHWC convolution for 3-wide, stride-1, undilated
 * filters whose output channels are one vector ({@link DirectConvNhwc}'s narrow panels: 16 channels
 * at 512 bits, 8 at 256). A tile is a run of output pixels of one output row × one vector of
 * channels. Each input value is broadcast once and multiplied by the three filter taps it meets
 * ({@code kx} = 0, 1, 2), into the accumulators of three neighbouring output pixels: {@code R + 2}
 * broadcasts per {@code 3R} FMAs, where the pixel-stationary tiles of {@link ConvMicroKernels}
 * broadcast once per FMA. Broadcasts are what bound those tiles (they take a load port each).
 *
 * <p>The input is read from a row-planar copy ({@code [row][channel][x]}, built by {@link
 * DirectConvNhwc}), so that the pixels of one input channel are adjacent: the broadcast offsets are
 * constants whatever the channel count. The loop runs over (filter row, input channel) pairs {@code
 * t}, whose plane offsets ({@code xs[t]}) and first filter vectors ({@code ws[t]}, in the packed
 * {@code [kh][kw][c][NR]} panel; the next taps are {@code tap = c · NR} further) are precomputed:
 * one loop, so that C2 keeps every accumulator in a register.
 */
final class TapRowKernels {
  private TapRowKernels() {}

  /**
   * Pixels per tile: 16, or 8 where a row (or its rest) is that short. Below 512 bits only 8: the
   * 16-pixel tile's 20 vectors do not fit AVX2's 16 registers.
   */
  static int[] heights(int width) {
    if (SimdWidth.CHOSEN.bits() < 512) {
      int[] h = new int[(width + 7) / 8];
      java.util.Arrays.fill(h, 8);
      return h;
    }
    int n16 = width / 16;
    int rest = width - 16 * n16;
    int n8 = (rest + 7) / 8;
    if (n8 == 2) {
      n16++;
      n8 = 0;
    }
    int[] h = new int[n16 + n8];
    java.util.Arrays.fill(h, 0, n16, 16);
    java.util.Arrays.fill(h, n16, h.length, 8);
    return h;
  }

  /**
   * The tile of {@code height} (16 or 8) pixels; its first {@code rows} pixels are stored at {@code
   * c[cAt + r * ldc + l]}, {@code l < cols}. {@code acc} holds {@code 16 · NR} floats.
   */
  static void tile(
      int height,
      float[] x,
      int at,
      int[] xs,
      float[] b,
      int bAt,
      int[] ws,
      int tap,
      float[] acc,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      int cols) {
    if (rows == height && cols == NR) {
      // Whole tile: straight into the output.
      if (height == 16) {
        tile16(x, at, xs, b, bAt, ws, tap, c, cAt, ldc);
      } else {
        tile8(x, at, xs, b, bAt, ws, tap, c, cAt, ldc);
      }
      return;
    }
    if (height == 16) {
      tile16(x, at, xs, b, bAt, ws, tap, acc, 0, NR);
    } else {
      tile8(x, at, xs, b, bAt, ws, tap, acc, 0, NR);
    }
    if (cols == NR) {
      for (int r = 0; r < rows; r++) {
        FloatVector.fromArray(F, acc, r * NR).intoArray(c, cAt + r * ldc);
      }
    } else {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(acc, r * NR, c, cAt + r * ldc, cols);
      }
    }
  }

  /**
   * 16 output pixels × one vector of channels: {@code dst[dAt + pixel · ld]} gets the sums over
   * every (filter row, input channel) pair {@code t}: 18 broadcasts of the input plane row at
   * {@code x[at + xs[t] + p]}, three filter vectors at {@code b[bAt + ws[t]]}, {@code + tap},
   * {@code + 2 · tap}, and 48 FMAs.
   */
  private static void tile16(
      float[] x,
      int at,
      int[] xs,
      float[] b,
      int bAt,
      int[] ws,
      int tap,
      float[] dst,
      int dAt,
      int ld) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = FloatVector.zero(F);
    FloatVector c2 = FloatVector.zero(F);
    FloatVector c3 = FloatVector.zero(F);
    FloatVector c4 = FloatVector.zero(F);
    FloatVector c5 = FloatVector.zero(F);
    FloatVector c6 = FloatVector.zero(F);
    FloatVector c7 = FloatVector.zero(F);
    FloatVector c8 = FloatVector.zero(F);
    FloatVector c9 = FloatVector.zero(F);
    FloatVector c10 = FloatVector.zero(F);
    FloatVector c11 = FloatVector.zero(F);
    FloatVector c12 = FloatVector.zero(F);
    FloatVector c13 = FloatVector.zero(F);
    FloatVector c14 = FloatVector.zero(F);
    FloatVector c15 = FloatVector.zero(F);
    for (int t = 0; t < xs.length; t++) {
      int p = at + xs[t];
      int w = bAt + ws[t];
      FloatVector w0 = FloatVector.fromArray(F, b, w);
      FloatVector w1 = FloatVector.fromArray(F, b, w + tap);
      FloatVector w2 = FloatVector.fromArray(F, b, w + 2 * tap);
      FloatVector x0 = FloatVector.broadcast(F, x[p]);
      c0 = x0.fma(w0, c0);
      FloatVector x1 = FloatVector.broadcast(F, x[p + 1]);
      c1 = x1.fma(w0, c1);
      c0 = x1.fma(w1, c0);
      FloatVector x2 = FloatVector.broadcast(F, x[p + 2]);
      c2 = x2.fma(w0, c2);
      c1 = x2.fma(w1, c1);
      c0 = x2.fma(w2, c0);
      FloatVector x3 = FloatVector.broadcast(F, x[p + 3]);
      c3 = x3.fma(w0, c3);
      c2 = x3.fma(w1, c2);
      c1 = x3.fma(w2, c1);
      FloatVector x4 = FloatVector.broadcast(F, x[p + 4]);
      c4 = x4.fma(w0, c4);
      c3 = x4.fma(w1, c3);
      c2 = x4.fma(w2, c2);
      FloatVector x5 = FloatVector.broadcast(F, x[p + 5]);
      c5 = x5.fma(w0, c5);
      c4 = x5.fma(w1, c4);
      c3 = x5.fma(w2, c3);
      FloatVector x6 = FloatVector.broadcast(F, x[p + 6]);
      c6 = x6.fma(w0, c6);
      c5 = x6.fma(w1, c5);
      c4 = x6.fma(w2, c4);
      FloatVector x7 = FloatVector.broadcast(F, x[p + 7]);
      c7 = x7.fma(w0, c7);
      c6 = x7.fma(w1, c6);
      c5 = x7.fma(w2, c5);
      FloatVector x8 = FloatVector.broadcast(F, x[p + 8]);
      c8 = x8.fma(w0, c8);
      c7 = x8.fma(w1, c7);
      c6 = x8.fma(w2, c6);
      FloatVector x9 = FloatVector.broadcast(F, x[p + 9]);
      c9 = x9.fma(w0, c9);
      c8 = x9.fma(w1, c8);
      c7 = x9.fma(w2, c7);
      FloatVector x10 = FloatVector.broadcast(F, x[p + 10]);
      c10 = x10.fma(w0, c10);
      c9 = x10.fma(w1, c9);
      c8 = x10.fma(w2, c8);
      FloatVector x11 = FloatVector.broadcast(F, x[p + 11]);
      c11 = x11.fma(w0, c11);
      c10 = x11.fma(w1, c10);
      c9 = x11.fma(w2, c9);
      FloatVector x12 = FloatVector.broadcast(F, x[p + 12]);
      c12 = x12.fma(w0, c12);
      c11 = x12.fma(w1, c11);
      c10 = x12.fma(w2, c10);
      FloatVector x13 = FloatVector.broadcast(F, x[p + 13]);
      c13 = x13.fma(w0, c13);
      c12 = x13.fma(w1, c12);
      c11 = x13.fma(w2, c11);
      FloatVector x14 = FloatVector.broadcast(F, x[p + 14]);
      c14 = x14.fma(w0, c14);
      c13 = x14.fma(w1, c13);
      c12 = x14.fma(w2, c12);
      FloatVector x15 = FloatVector.broadcast(F, x[p + 15]);
      c15 = x15.fma(w0, c15);
      c14 = x15.fma(w1, c14);
      c13 = x15.fma(w2, c13);
      FloatVector x16 = FloatVector.broadcast(F, x[p + 16]);
      c15 = x16.fma(w1, c15);
      c14 = x16.fma(w2, c14);
      FloatVector x17 = FloatVector.broadcast(F, x[p + 17]);
      c15 = x17.fma(w2, c15);
    }
    c0.intoArray(dst, dAt + 0 * ld);
    c1.intoArray(dst, dAt + 1 * ld);
    c2.intoArray(dst, dAt + 2 * ld);
    c3.intoArray(dst, dAt + 3 * ld);
    c4.intoArray(dst, dAt + 4 * ld);
    c5.intoArray(dst, dAt + 5 * ld);
    c6.intoArray(dst, dAt + 6 * ld);
    c7.intoArray(dst, dAt + 7 * ld);
    c8.intoArray(dst, dAt + 8 * ld);
    c9.intoArray(dst, dAt + 9 * ld);
    c10.intoArray(dst, dAt + 10 * ld);
    c11.intoArray(dst, dAt + 11 * ld);
    c12.intoArray(dst, dAt + 12 * ld);
    c13.intoArray(dst, dAt + 13 * ld);
    c14.intoArray(dst, dAt + 14 * ld);
    c15.intoArray(dst, dAt + 15 * ld);
  }

  /**
   * 8 output pixels × one vector of channels: {@code dst[dAt + pixel · ld]} gets the sums over
   * every (filter row, input channel) pair {@code t}: 10 broadcasts of the input plane row at
   * {@code x[at + xs[t] + p]}, three filter vectors at {@code b[bAt + ws[t]]}, {@code + tap},
   * {@code + 2 · tap}, and 24 FMAs.
   */
  private static void tile8(
      float[] x,
      int at,
      int[] xs,
      float[] b,
      int bAt,
      int[] ws,
      int tap,
      float[] dst,
      int dAt,
      int ld) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = FloatVector.zero(F);
    FloatVector c2 = FloatVector.zero(F);
    FloatVector c3 = FloatVector.zero(F);
    FloatVector c4 = FloatVector.zero(F);
    FloatVector c5 = FloatVector.zero(F);
    FloatVector c6 = FloatVector.zero(F);
    FloatVector c7 = FloatVector.zero(F);
    for (int t = 0; t < xs.length; t++) {
      int p = at + xs[t];
      int w = bAt + ws[t];
      FloatVector w0 = FloatVector.fromArray(F, b, w);
      FloatVector w1 = FloatVector.fromArray(F, b, w + tap);
      FloatVector w2 = FloatVector.fromArray(F, b, w + 2 * tap);
      FloatVector x0 = FloatVector.broadcast(F, x[p]);
      c0 = x0.fma(w0, c0);
      FloatVector x1 = FloatVector.broadcast(F, x[p + 1]);
      c1 = x1.fma(w0, c1);
      c0 = x1.fma(w1, c0);
      FloatVector x2 = FloatVector.broadcast(F, x[p + 2]);
      c2 = x2.fma(w0, c2);
      c1 = x2.fma(w1, c1);
      c0 = x2.fma(w2, c0);
      FloatVector x3 = FloatVector.broadcast(F, x[p + 3]);
      c3 = x3.fma(w0, c3);
      c2 = x3.fma(w1, c2);
      c1 = x3.fma(w2, c1);
      FloatVector x4 = FloatVector.broadcast(F, x[p + 4]);
      c4 = x4.fma(w0, c4);
      c3 = x4.fma(w1, c3);
      c2 = x4.fma(w2, c2);
      FloatVector x5 = FloatVector.broadcast(F, x[p + 5]);
      c5 = x5.fma(w0, c5);
      c4 = x5.fma(w1, c4);
      c3 = x5.fma(w2, c3);
      FloatVector x6 = FloatVector.broadcast(F, x[p + 6]);
      c6 = x6.fma(w0, c6);
      c5 = x6.fma(w1, c5);
      c4 = x6.fma(w2, c4);
      FloatVector x7 = FloatVector.broadcast(F, x[p + 7]);
      c7 = x7.fma(w0, c7);
      c6 = x7.fma(w1, c6);
      c5 = x7.fma(w2, c5);
      FloatVector x8 = FloatVector.broadcast(F, x[p + 8]);
      c7 = x8.fma(w1, c7);
      c6 = x8.fma(w2, c6);
      FloatVector x9 = FloatVector.broadcast(F, x[p + 9]);
      c7 = x9.fma(w2, c7);
    }
    c0.intoArray(dst, dAt + 0 * ld);
    c1.intoArray(dst, dAt + 1 * ld);
    c2.intoArray(dst, dAt + 2 * ld);
    c3.intoArray(dst, dAt + 3 * ld);
    c4.intoArray(dst, dAt + 4 * ld);
    c5.intoArray(dst, dAt + 5 * ld);
    c6.intoArray(dst, dAt + 6 * ld);
    c7.intoArray(dst, dAt + 7 * ld);
  }

  /**
   * Pixels per wide tile (two vectors of channels): 8 at 512 bits (23 of AVX-512's 32 registers), 4
   * below (15 of AVX2's 16).
   */
  static int wideHeight() {
    return SimdWidth.CHOSEN.bits() < 512 ? 4 : 8;
  }

  /**
   * The wide tile of {@link #wideHeight} pixels × {@code 2 · NR} channels; its first {@code rows}
   * pixels are stored at {@code c[cAt + r * ldc + l]}, {@code l < 2 · NR}. {@code acc} holds {@code
   * 16 · NR} floats.
   */
  static void wideTile(
      float[] x,
      int at,
      int[] xs,
      float[] b,
      int bAt,
      int[] ws,
      int tap,
      float[] acc,
      float[] c,
      int cAt,
      int ldc,
      int rows) {
    if (wideHeight() == 8) {
      wide8(x, at, xs, b, bAt, ws, tap, acc);
    } else {
      wide4(x, at, xs, b, bAt, ws, tap, acc);
    }
    for (int r = 0; r < rows; r++) {
      FloatVector.fromArray(F, acc, 2 * r * NR).intoArray(c, cAt + r * ldc);
      FloatVector.fromArray(F, acc, (2 * r + 1) * NR).intoArray(c, cAt + r * ldc + NR);
    }
  }

  /**
   * 8 output pixels × two vectors of channels (a wide panel): 10 broadcasts, six filter vectors and
   * 48 FMAs per (filter row, input channel) pair; {@code acc} is {@code [pixel][2 · NR]}.
   */
  private static void wide8(
      float[] x, int at, int[] xs, float[] b, int bAt, int[] ws, int tap, float[] acc) {
    FloatVector l0 = FloatVector.zero(F);
    FloatVector h0 = FloatVector.zero(F);
    FloatVector l1 = FloatVector.zero(F);
    FloatVector h1 = FloatVector.zero(F);
    FloatVector l2 = FloatVector.zero(F);
    FloatVector h2 = FloatVector.zero(F);
    FloatVector l3 = FloatVector.zero(F);
    FloatVector h3 = FloatVector.zero(F);
    FloatVector l4 = FloatVector.zero(F);
    FloatVector h4 = FloatVector.zero(F);
    FloatVector l5 = FloatVector.zero(F);
    FloatVector h5 = FloatVector.zero(F);
    FloatVector l6 = FloatVector.zero(F);
    FloatVector h6 = FloatVector.zero(F);
    FloatVector l7 = FloatVector.zero(F);
    FloatVector h7 = FloatVector.zero(F);
    for (int t = 0; t < xs.length; t++) {
      int p = at + xs[t];
      int w = bAt + ws[t];
      FloatVector w0l = FloatVector.fromArray(F, b, w);
      FloatVector w0h = FloatVector.fromArray(F, b, w + NR);
      FloatVector w1l = FloatVector.fromArray(F, b, w + tap);
      FloatVector w1h = FloatVector.fromArray(F, b, w + tap + NR);
      FloatVector w2l = FloatVector.fromArray(F, b, w + 2 * tap);
      FloatVector w2h = FloatVector.fromArray(F, b, w + 2 * tap + NR);
      FloatVector x0 = FloatVector.broadcast(F, x[p]);
      l0 = x0.fma(w0l, l0);
      h0 = x0.fma(w0h, h0);
      FloatVector x1 = FloatVector.broadcast(F, x[p + 1]);
      l1 = x1.fma(w0l, l1);
      h1 = x1.fma(w0h, h1);
      l0 = x1.fma(w1l, l0);
      h0 = x1.fma(w1h, h0);
      FloatVector x2 = FloatVector.broadcast(F, x[p + 2]);
      l2 = x2.fma(w0l, l2);
      h2 = x2.fma(w0h, h2);
      l1 = x2.fma(w1l, l1);
      h1 = x2.fma(w1h, h1);
      l0 = x2.fma(w2l, l0);
      h0 = x2.fma(w2h, h0);
      FloatVector x3 = FloatVector.broadcast(F, x[p + 3]);
      l3 = x3.fma(w0l, l3);
      h3 = x3.fma(w0h, h3);
      l2 = x3.fma(w1l, l2);
      h2 = x3.fma(w1h, h2);
      l1 = x3.fma(w2l, l1);
      h1 = x3.fma(w2h, h1);
      FloatVector x4 = FloatVector.broadcast(F, x[p + 4]);
      l4 = x4.fma(w0l, l4);
      h4 = x4.fma(w0h, h4);
      l3 = x4.fma(w1l, l3);
      h3 = x4.fma(w1h, h3);
      l2 = x4.fma(w2l, l2);
      h2 = x4.fma(w2h, h2);
      FloatVector x5 = FloatVector.broadcast(F, x[p + 5]);
      l5 = x5.fma(w0l, l5);
      h5 = x5.fma(w0h, h5);
      l4 = x5.fma(w1l, l4);
      h4 = x5.fma(w1h, h4);
      l3 = x5.fma(w2l, l3);
      h3 = x5.fma(w2h, h3);
      FloatVector x6 = FloatVector.broadcast(F, x[p + 6]);
      l6 = x6.fma(w0l, l6);
      h6 = x6.fma(w0h, h6);
      l5 = x6.fma(w1l, l5);
      h5 = x6.fma(w1h, h5);
      l4 = x6.fma(w2l, l4);
      h4 = x6.fma(w2h, h4);
      FloatVector x7 = FloatVector.broadcast(F, x[p + 7]);
      l7 = x7.fma(w0l, l7);
      h7 = x7.fma(w0h, h7);
      l6 = x7.fma(w1l, l6);
      h6 = x7.fma(w1h, h6);
      l5 = x7.fma(w2l, l5);
      h5 = x7.fma(w2h, h5);
      FloatVector x8 = FloatVector.broadcast(F, x[p + 8]);
      l7 = x8.fma(w1l, l7);
      h7 = x8.fma(w1h, h7);
      l6 = x8.fma(w2l, l6);
      h6 = x8.fma(w2h, h6);
      FloatVector x9 = FloatVector.broadcast(F, x[p + 9]);
      l7 = x9.fma(w2l, l7);
      h7 = x9.fma(w2h, h7);
    }
    l0.intoArray(acc, 0);
    h0.intoArray(acc, 1 * NR);
    l1.intoArray(acc, 2 * NR);
    h1.intoArray(acc, 3 * NR);
    l2.intoArray(acc, 4 * NR);
    h2.intoArray(acc, 5 * NR);
    l3.intoArray(acc, 6 * NR);
    h3.intoArray(acc, 7 * NR);
    l4.intoArray(acc, 8 * NR);
    h4.intoArray(acc, 9 * NR);
    l5.intoArray(acc, 10 * NR);
    h5.intoArray(acc, 11 * NR);
    l6.intoArray(acc, 12 * NR);
    h6.intoArray(acc, 13 * NR);
    l7.intoArray(acc, 14 * NR);
    h7.intoArray(acc, 15 * NR);
  }

  /**
   * 4 output pixels × two vectors of channels (a wide panel): 6 broadcasts, six filter vectors and
   * 24 FMAs per (filter row, input channel) pair; {@code acc} is {@code [pixel][2 · NR]}.
   */
  private static void wide4(
      float[] x, int at, int[] xs, float[] b, int bAt, int[] ws, int tap, float[] acc) {
    FloatVector l0 = FloatVector.zero(F);
    FloatVector h0 = FloatVector.zero(F);
    FloatVector l1 = FloatVector.zero(F);
    FloatVector h1 = FloatVector.zero(F);
    FloatVector l2 = FloatVector.zero(F);
    FloatVector h2 = FloatVector.zero(F);
    FloatVector l3 = FloatVector.zero(F);
    FloatVector h3 = FloatVector.zero(F);
    for (int t = 0; t < xs.length; t++) {
      int p = at + xs[t];
      int w = bAt + ws[t];
      FloatVector w0l = FloatVector.fromArray(F, b, w);
      FloatVector w0h = FloatVector.fromArray(F, b, w + NR);
      FloatVector w1l = FloatVector.fromArray(F, b, w + tap);
      FloatVector w1h = FloatVector.fromArray(F, b, w + tap + NR);
      FloatVector w2l = FloatVector.fromArray(F, b, w + 2 * tap);
      FloatVector w2h = FloatVector.fromArray(F, b, w + 2 * tap + NR);
      FloatVector x0 = FloatVector.broadcast(F, x[p]);
      l0 = x0.fma(w0l, l0);
      h0 = x0.fma(w0h, h0);
      FloatVector x1 = FloatVector.broadcast(F, x[p + 1]);
      l1 = x1.fma(w0l, l1);
      h1 = x1.fma(w0h, h1);
      l0 = x1.fma(w1l, l0);
      h0 = x1.fma(w1h, h0);
      FloatVector x2 = FloatVector.broadcast(F, x[p + 2]);
      l2 = x2.fma(w0l, l2);
      h2 = x2.fma(w0h, h2);
      l1 = x2.fma(w1l, l1);
      h1 = x2.fma(w1h, h1);
      l0 = x2.fma(w2l, l0);
      h0 = x2.fma(w2h, h0);
      FloatVector x3 = FloatVector.broadcast(F, x[p + 3]);
      l3 = x3.fma(w0l, l3);
      h3 = x3.fma(w0h, h3);
      l2 = x3.fma(w1l, l2);
      h2 = x3.fma(w1h, h2);
      l1 = x3.fma(w2l, l1);
      h1 = x3.fma(w2h, h1);
      FloatVector x4 = FloatVector.broadcast(F, x[p + 4]);
      l3 = x4.fma(w1l, l3);
      h3 = x4.fma(w1h, h3);
      l2 = x4.fma(w2l, l2);
      h2 = x4.fma(w2h, h2);
      FloatVector x5 = FloatVector.broadcast(F, x[p + 5]);
      l3 = x5.fma(w2l, l3);
      h3 = x5.fma(w2h, h3);
    }
    l0.intoArray(acc, 0);
    h0.intoArray(acc, 1 * NR);
    l1.intoArray(acc, 2 * NR);
    h1.intoArray(acc, 3 * NR);
    l2.intoArray(acc, 4 * NR);
    h2.intoArray(acc, 5 * NR);
    l3.intoArray(acc, 6 * NR);
    h3.intoArray(acc, 7 * NR);
  }
}
