package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;
import static dev.millrace.kernels.internal.simd.Gemm.NR;

import jdk.incubator.vector.FloatVector;

/**
 * The {@link TapRowKernels} for 5-wide filters: each input value broadcast once meets taps {@code
 * kx} = 0 to 4 of five neighbouring output pixels, so {@code R} pixels cost {@code R + 4}
 * broadcasts and 5 filter vectors per {@code 5R} FMAs. The shapes of {@link ThreeTapTiles}, with
 * two more filter vectors live: 16 pixels take 22 of AVX-512's 32 registers, 8 pixels 14 of AVX2's
 * 16, and the wide tile of 8 pixels × two vectors 27 (16 accumulators, 10 filter vectors, a
 * broadcast). Its 4-pixel version would need 19 and has no place below 512 bits: there the wide
 * panels run as narrow ones. kw is a constant of each method, one loop each, for the reason given
 * in {@link TapRowKernels}.
 */
final class FiveTapTiles {
  private FiveTapTiles() {}

  /**
   * 16 output pixels × one vector of channels: {@code dst[dAt + pixel · ld]} gets the sums over
   * every (filter row, input channel) pair {@code t}: 20 broadcasts of the input plane row at
   * {@code x[at + xs[t] + p]}, five filter vectors at {@code b[bAt + ws[t] + kx · tap]}, and 80
   * FMAs.
   */
  static void tile16(
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
      FloatVector w3 = FloatVector.fromArray(F, b, w + 3 * tap);
      FloatVector w4 = FloatVector.fromArray(F, b, w + 4 * tap);
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
      c0 = x3.fma(w3, c0);
      FloatVector x4 = FloatVector.broadcast(F, x[p + 4]);
      c4 = x4.fma(w0, c4);
      c3 = x4.fma(w1, c3);
      c2 = x4.fma(w2, c2);
      c1 = x4.fma(w3, c1);
      c0 = x4.fma(w4, c0);
      FloatVector x5 = FloatVector.broadcast(F, x[p + 5]);
      c5 = x5.fma(w0, c5);
      c4 = x5.fma(w1, c4);
      c3 = x5.fma(w2, c3);
      c2 = x5.fma(w3, c2);
      c1 = x5.fma(w4, c1);
      FloatVector x6 = FloatVector.broadcast(F, x[p + 6]);
      c6 = x6.fma(w0, c6);
      c5 = x6.fma(w1, c5);
      c4 = x6.fma(w2, c4);
      c3 = x6.fma(w3, c3);
      c2 = x6.fma(w4, c2);
      FloatVector x7 = FloatVector.broadcast(F, x[p + 7]);
      c7 = x7.fma(w0, c7);
      c6 = x7.fma(w1, c6);
      c5 = x7.fma(w2, c5);
      c4 = x7.fma(w3, c4);
      c3 = x7.fma(w4, c3);
      FloatVector x8 = FloatVector.broadcast(F, x[p + 8]);
      c8 = x8.fma(w0, c8);
      c7 = x8.fma(w1, c7);
      c6 = x8.fma(w2, c6);
      c5 = x8.fma(w3, c5);
      c4 = x8.fma(w4, c4);
      FloatVector x9 = FloatVector.broadcast(F, x[p + 9]);
      c9 = x9.fma(w0, c9);
      c8 = x9.fma(w1, c8);
      c7 = x9.fma(w2, c7);
      c6 = x9.fma(w3, c6);
      c5 = x9.fma(w4, c5);
      FloatVector x10 = FloatVector.broadcast(F, x[p + 10]);
      c10 = x10.fma(w0, c10);
      c9 = x10.fma(w1, c9);
      c8 = x10.fma(w2, c8);
      c7 = x10.fma(w3, c7);
      c6 = x10.fma(w4, c6);
      FloatVector x11 = FloatVector.broadcast(F, x[p + 11]);
      c11 = x11.fma(w0, c11);
      c10 = x11.fma(w1, c10);
      c9 = x11.fma(w2, c9);
      c8 = x11.fma(w3, c8);
      c7 = x11.fma(w4, c7);
      FloatVector x12 = FloatVector.broadcast(F, x[p + 12]);
      c12 = x12.fma(w0, c12);
      c11 = x12.fma(w1, c11);
      c10 = x12.fma(w2, c10);
      c9 = x12.fma(w3, c9);
      c8 = x12.fma(w4, c8);
      FloatVector x13 = FloatVector.broadcast(F, x[p + 13]);
      c13 = x13.fma(w0, c13);
      c12 = x13.fma(w1, c12);
      c11 = x13.fma(w2, c11);
      c10 = x13.fma(w3, c10);
      c9 = x13.fma(w4, c9);
      FloatVector x14 = FloatVector.broadcast(F, x[p + 14]);
      c14 = x14.fma(w0, c14);
      c13 = x14.fma(w1, c13);
      c12 = x14.fma(w2, c12);
      c11 = x14.fma(w3, c11);
      c10 = x14.fma(w4, c10);
      FloatVector x15 = FloatVector.broadcast(F, x[p + 15]);
      c15 = x15.fma(w0, c15);
      c14 = x15.fma(w1, c14);
      c13 = x15.fma(w2, c13);
      c12 = x15.fma(w3, c12);
      c11 = x15.fma(w4, c11);
      FloatVector x16 = FloatVector.broadcast(F, x[p + 16]);
      c15 = x16.fma(w1, c15);
      c14 = x16.fma(w2, c14);
      c13 = x16.fma(w3, c13);
      c12 = x16.fma(w4, c12);
      FloatVector x17 = FloatVector.broadcast(F, x[p + 17]);
      c15 = x17.fma(w2, c15);
      c14 = x17.fma(w3, c14);
      c13 = x17.fma(w4, c13);
      FloatVector x18 = FloatVector.broadcast(F, x[p + 18]);
      c15 = x18.fma(w3, c15);
      c14 = x18.fma(w4, c14);
      FloatVector x19 = FloatVector.broadcast(F, x[p + 19]);
      c15 = x19.fma(w4, c15);
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
   * 8 output pixels × one vector of channels: as {@link #tile16}, with 12 broadcasts and 40 FMAs
   * per pair.
   */
  static void tile8(
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
      FloatVector w3 = FloatVector.fromArray(F, b, w + 3 * tap);
      FloatVector w4 = FloatVector.fromArray(F, b, w + 4 * tap);
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
      c0 = x3.fma(w3, c0);
      FloatVector x4 = FloatVector.broadcast(F, x[p + 4]);
      c4 = x4.fma(w0, c4);
      c3 = x4.fma(w1, c3);
      c2 = x4.fma(w2, c2);
      c1 = x4.fma(w3, c1);
      c0 = x4.fma(w4, c0);
      FloatVector x5 = FloatVector.broadcast(F, x[p + 5]);
      c5 = x5.fma(w0, c5);
      c4 = x5.fma(w1, c4);
      c3 = x5.fma(w2, c3);
      c2 = x5.fma(w3, c2);
      c1 = x5.fma(w4, c1);
      FloatVector x6 = FloatVector.broadcast(F, x[p + 6]);
      c6 = x6.fma(w0, c6);
      c5 = x6.fma(w1, c5);
      c4 = x6.fma(w2, c4);
      c3 = x6.fma(w3, c3);
      c2 = x6.fma(w4, c2);
      FloatVector x7 = FloatVector.broadcast(F, x[p + 7]);
      c7 = x7.fma(w0, c7);
      c6 = x7.fma(w1, c6);
      c5 = x7.fma(w2, c5);
      c4 = x7.fma(w3, c4);
      c3 = x7.fma(w4, c3);
      FloatVector x8 = FloatVector.broadcast(F, x[p + 8]);
      c7 = x8.fma(w1, c7);
      c6 = x8.fma(w2, c6);
      c5 = x8.fma(w3, c5);
      c4 = x8.fma(w4, c4);
      FloatVector x9 = FloatVector.broadcast(F, x[p + 9]);
      c7 = x9.fma(w2, c7);
      c6 = x9.fma(w3, c6);
      c5 = x9.fma(w4, c5);
      FloatVector x10 = FloatVector.broadcast(F, x[p + 10]);
      c7 = x10.fma(w3, c7);
      c6 = x10.fma(w4, c6);
      FloatVector x11 = FloatVector.broadcast(F, x[p + 11]);
      c7 = x11.fma(w4, c7);
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
   * 8 output pixels × two vectors of channels (a wide panel): 12 broadcasts, ten filter vectors and
   * 80 FMAs per (filter row, input channel) pair; the pixels go to {@code dst[dAt + pixel · ld]},
   * the two vectors side by side.
   */
  static void wide8(
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
      FloatVector w3l = FloatVector.fromArray(F, b, w + 3 * tap);
      FloatVector w3h = FloatVector.fromArray(F, b, w + 3 * tap + NR);
      FloatVector w4l = FloatVector.fromArray(F, b, w + 4 * tap);
      FloatVector w4h = FloatVector.fromArray(F, b, w + 4 * tap + NR);
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
      l0 = x3.fma(w3l, l0);
      h0 = x3.fma(w3h, h0);
      FloatVector x4 = FloatVector.broadcast(F, x[p + 4]);
      l4 = x4.fma(w0l, l4);
      h4 = x4.fma(w0h, h4);
      l3 = x4.fma(w1l, l3);
      h3 = x4.fma(w1h, h3);
      l2 = x4.fma(w2l, l2);
      h2 = x4.fma(w2h, h2);
      l1 = x4.fma(w3l, l1);
      h1 = x4.fma(w3h, h1);
      l0 = x4.fma(w4l, l0);
      h0 = x4.fma(w4h, h0);
      FloatVector x5 = FloatVector.broadcast(F, x[p + 5]);
      l5 = x5.fma(w0l, l5);
      h5 = x5.fma(w0h, h5);
      l4 = x5.fma(w1l, l4);
      h4 = x5.fma(w1h, h4);
      l3 = x5.fma(w2l, l3);
      h3 = x5.fma(w2h, h3);
      l2 = x5.fma(w3l, l2);
      h2 = x5.fma(w3h, h2);
      l1 = x5.fma(w4l, l1);
      h1 = x5.fma(w4h, h1);
      FloatVector x6 = FloatVector.broadcast(F, x[p + 6]);
      l6 = x6.fma(w0l, l6);
      h6 = x6.fma(w0h, h6);
      l5 = x6.fma(w1l, l5);
      h5 = x6.fma(w1h, h5);
      l4 = x6.fma(w2l, l4);
      h4 = x6.fma(w2h, h4);
      l3 = x6.fma(w3l, l3);
      h3 = x6.fma(w3h, h3);
      l2 = x6.fma(w4l, l2);
      h2 = x6.fma(w4h, h2);
      FloatVector x7 = FloatVector.broadcast(F, x[p + 7]);
      l7 = x7.fma(w0l, l7);
      h7 = x7.fma(w0h, h7);
      l6 = x7.fma(w1l, l6);
      h6 = x7.fma(w1h, h6);
      l5 = x7.fma(w2l, l5);
      h5 = x7.fma(w2h, h5);
      l4 = x7.fma(w3l, l4);
      h4 = x7.fma(w3h, h4);
      l3 = x7.fma(w4l, l3);
      h3 = x7.fma(w4h, h3);
      FloatVector x8 = FloatVector.broadcast(F, x[p + 8]);
      l7 = x8.fma(w1l, l7);
      h7 = x8.fma(w1h, h7);
      l6 = x8.fma(w2l, l6);
      h6 = x8.fma(w2h, h6);
      l5 = x8.fma(w3l, l5);
      h5 = x8.fma(w3h, h5);
      l4 = x8.fma(w4l, l4);
      h4 = x8.fma(w4h, h4);
      FloatVector x9 = FloatVector.broadcast(F, x[p + 9]);
      l7 = x9.fma(w2l, l7);
      h7 = x9.fma(w2h, h7);
      l6 = x9.fma(w3l, l6);
      h6 = x9.fma(w3h, h6);
      l5 = x9.fma(w4l, l5);
      h5 = x9.fma(w4h, h5);
      FloatVector x10 = FloatVector.broadcast(F, x[p + 10]);
      l7 = x10.fma(w3l, l7);
      h7 = x10.fma(w3h, h7);
      l6 = x10.fma(w4l, l6);
      h6 = x10.fma(w4h, h6);
      FloatVector x11 = FloatVector.broadcast(F, x[p + 11]);
      l7 = x11.fma(w4l, l7);
      h7 = x11.fma(w4h, h7);
    }
    l0.intoArray(dst, dAt + 0 * ld);
    h0.intoArray(dst, dAt + 0 * ld + NR);
    l1.intoArray(dst, dAt + 1 * ld);
    h1.intoArray(dst, dAt + 1 * ld + NR);
    l2.intoArray(dst, dAt + 2 * ld);
    h2.intoArray(dst, dAt + 2 * ld + NR);
    l3.intoArray(dst, dAt + 3 * ld);
    h3.intoArray(dst, dAt + 3 * ld + NR);
    l4.intoArray(dst, dAt + 4 * ld);
    h4.intoArray(dst, dAt + 4 * ld + NR);
    l5.intoArray(dst, dAt + 5 * ld);
    h5.intoArray(dst, dAt + 5 * ld + NR);
    l6.intoArray(dst, dAt + 6 * ld);
    h6.intoArray(dst, dAt + 6 * ld + NR);
    l7.intoArray(dst, dAt + 7 * ld);
    h7.intoArray(dst, dAt + 7 * ld + NR);
  }
}
