package dev.millrace.kernels.internal.simd;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernel of the eight-bit MatMul and Conv2D: {@link #MR} accumulators of
 * one int vector ({@link #NR} output columns each), per step of k one vector load of the packed B
 * panel, {@link #MR} broadcasts of A and {@link #MR} multiply-adds in 32-bit int lanes (exact,
 * wrapping as the reference's int sums wrap). A is read in place from an int array of zero-shifted
 * codes: row r of the tile at {@code x[at + r * rowStride + taps[t] + i]} for tap t and depth i, so
 * the same kernel reads a MatMul's A (one tap, depth k) and a convolution's padded input (one tap
 * per filter position, depth the input channels) without packing patches. The Vector API has no
 * widening 16-bit multiply-add; see {@code docs/benchmarks.md} for the routes measured against this
 * one.
 */
final class QuantizedTiles {
  static final VectorSpecies<Integer> I = SimdWidth.INT;

  /** Output columns per tile: one int vector. */
  static final int NR = I.length();

  /**
   * Output rows per tile: 12 accumulators, 14 of AVX2's 16 registers live, as in the float GEMM.
   */
  static final int MR = 12;

  private QuantizedTiles() {}

  /**
   * {@code out[oAt + r * ldo + j] = Σ_t Σ_i x[xAt + r * rs + taps[t] + i] · b[bOff + (t * depth +
   * i) * NR + j]} for the {@code rows × cols} tile; rows past {@code rows} are read (they must lie
   * in {@code x}) but not stored. {@code tmp} holds {@code MR * NR} ints.
   */
  static void tile(
      int[] x,
      int xAt,
      int rs,
      int[] taps,
      int depth,
      int[] b,
      int bOff,
      int[] out,
      int oAt,
      int ldo,
      int rows,
      int cols,
      int[] tmp) {
    IntVector c0 = IntVector.zero(I);
    IntVector c1 = c0;
    IntVector c2 = c0;
    IntVector c3 = c0;
    IntVector c4 = c0;
    IntVector c5 = c0;
    IntVector c6 = c0;
    IntVector c7 = c0;
    IntVector c8 = c0;
    IntVector c9 = c0;
    IntVector c10 = c0;
    IntVector c11 = c0;
    for (int t = 0; t < taps.length; t++) {
      int x0 = xAt + taps[t];
      int b0 = bOff + t * depth * NR;
      for (int i = 0; i < depth; i++) {
        IntVector bv = IntVector.fromArray(I, b, b0 + i * NR);
        int p = x0 + i;
        c0 = bv.mul(x[p]).add(c0);
        c1 = bv.mul(x[p + rs]).add(c1);
        c2 = bv.mul(x[p + 2 * rs]).add(c2);
        c3 = bv.mul(x[p + 3 * rs]).add(c3);
        c4 = bv.mul(x[p + 4 * rs]).add(c4);
        c5 = bv.mul(x[p + 5 * rs]).add(c5);
        c6 = bv.mul(x[p + 6 * rs]).add(c6);
        c7 = bv.mul(x[p + 7 * rs]).add(c7);
        c8 = bv.mul(x[p + 8 * rs]).add(c8);
        c9 = bv.mul(x[p + 9 * rs]).add(c9);
        c10 = bv.mul(x[p + 10 * rs]).add(c10);
        c11 = bv.mul(x[p + 11 * rs]).add(c11);
      }
    }
    if (rows == MR && cols == NR) {
      c0.intoArray(out, oAt);
      c1.intoArray(out, oAt + ldo);
      c2.intoArray(out, oAt + 2 * ldo);
      c3.intoArray(out, oAt + 3 * ldo);
      c4.intoArray(out, oAt + 4 * ldo);
      c5.intoArray(out, oAt + 5 * ldo);
      c6.intoArray(out, oAt + 6 * ldo);
      c7.intoArray(out, oAt + 7 * ldo);
      c8.intoArray(out, oAt + 8 * ldo);
      c9.intoArray(out, oAt + 9 * ldo);
      c10.intoArray(out, oAt + 10 * ldo);
      c11.intoArray(out, oAt + 11 * ldo);
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
    for (int r = 0; r < rows; r++) {
      System.arraycopy(tmp, r * NR, out, oAt + r * ldo, cols);
    }
  }

  /** {@link #tile} for 8 rows, for heights that 12 would pad by more (16, 64 rows). */
  static void tile8(
      int[] x,
      int xAt,
      int rs,
      int[] taps,
      int depth,
      int[] b,
      int bOff,
      int[] out,
      int oAt,
      int ldo,
      int rows,
      int cols,
      int[] tmp) {
    IntVector c0 = IntVector.zero(I);
    IntVector c1 = c0;
    IntVector c2 = c0;
    IntVector c3 = c0;
    IntVector c4 = c0;
    IntVector c5 = c0;
    IntVector c6 = c0;
    IntVector c7 = c0;
    for (int t = 0; t < taps.length; t++) {
      int x0 = xAt + taps[t];
      int b0 = bOff + t * depth * NR;
      for (int i = 0; i < depth; i++) {
        IntVector bv = IntVector.fromArray(I, b, b0 + i * NR);
        int p = x0 + i;
        c0 = bv.mul(x[p]).add(c0);
        c1 = bv.mul(x[p + rs]).add(c1);
        c2 = bv.mul(x[p + 2 * rs]).add(c2);
        c3 = bv.mul(x[p + 3 * rs]).add(c3);
        c4 = bv.mul(x[p + 4 * rs]).add(c4);
        c5 = bv.mul(x[p + 5 * rs]).add(c5);
        c6 = bv.mul(x[p + 6 * rs]).add(c6);
        c7 = bv.mul(x[p + 7 * rs]).add(c7);
      }
    }
    if (rows == 8 && cols == NR) {
      c0.intoArray(out, oAt);
      c1.intoArray(out, oAt + ldo);
      c2.intoArray(out, oAt + 2 * ldo);
      c3.intoArray(out, oAt + 3 * ldo);
      c4.intoArray(out, oAt + 4 * ldo);
      c5.intoArray(out, oAt + 5 * ldo);
      c6.intoArray(out, oAt + 6 * ldo);
      c7.intoArray(out, oAt + 7 * ldo);
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
    for (int r = 0; r < rows; r++) {
      System.arraycopy(tmp, r * NR, out, oAt + r * ldo, cols);
    }
  }

  /**
   * {@link #tile8} over two panels at once ({@code b1} the second), {@code cols} counted over both:
   * 16 accumulators, each A element loaded once for two B vectors. For 32 vector registers
   * (AVX-512); AVX2's 16 would spill.
   */
  static void tile8x2(
      int[] x,
      int xAt,
      int rs,
      int[] taps,
      int depth,
      int[] b,
      int bOff,
      int b1Off,
      int[] out,
      int oAt,
      int ldo,
      int rows,
      int cols,
      int[] tmp) {
    IntVector c0 = IntVector.zero(I);
    IntVector c1 = c0;
    IntVector c2 = c0;
    IntVector c3 = c0;
    IntVector c4 = c0;
    IntVector c5 = c0;
    IntVector c6 = c0;
    IntVector c7 = c0;
    IntVector d0 = c0;
    IntVector d1 = c0;
    IntVector d2 = c0;
    IntVector d3 = c0;
    IntVector d4 = c0;
    IntVector d5 = c0;
    IntVector d6 = c0;
    IntVector d7 = c0;
    for (int t = 0; t < taps.length; t++) {
      int x0 = xAt + taps[t];
      int b0 = bOff + t * depth * NR;
      int b1 = b1Off + t * depth * NR;
      for (int i = 0; i < depth; i++) {
        IntVector bv = IntVector.fromArray(I, b, b0 + i * NR);
        IntVector bw = IntVector.fromArray(I, b, b1 + i * NR);
        int p = x0 + i;
        int v0 = x[p];
        c0 = bv.mul(v0).add(c0);
        d0 = bw.mul(v0).add(d0);
        int v1 = x[p + 1 * rs];
        c1 = bv.mul(v1).add(c1);
        d1 = bw.mul(v1).add(d1);
        int v2 = x[p + 2 * rs];
        c2 = bv.mul(v2).add(c2);
        d2 = bw.mul(v2).add(d2);
        int v3 = x[p + 3 * rs];
        c3 = bv.mul(v3).add(c3);
        d3 = bw.mul(v3).add(d3);
        int v4 = x[p + 4 * rs];
        c4 = bv.mul(v4).add(c4);
        d4 = bw.mul(v4).add(d4);
        int v5 = x[p + 5 * rs];
        c5 = bv.mul(v5).add(c5);
        d5 = bw.mul(v5).add(d5);
        int v6 = x[p + 6 * rs];
        c6 = bv.mul(v6).add(c6);
        d6 = bw.mul(v6).add(d6);
        int v7 = x[p + 7 * rs];
        c7 = bv.mul(v7).add(c7);
        d7 = bw.mul(v7).add(d7);
      }
    }
    if (rows == 8 && cols == 2 * NR) {
      c0.intoArray(out, oAt + 0 * ldo);
      d0.intoArray(out, oAt + 0 * ldo + NR);
      c1.intoArray(out, oAt + 1 * ldo);
      d1.intoArray(out, oAt + 1 * ldo + NR);
      c2.intoArray(out, oAt + 2 * ldo);
      d2.intoArray(out, oAt + 2 * ldo + NR);
      c3.intoArray(out, oAt + 3 * ldo);
      d3.intoArray(out, oAt + 3 * ldo + NR);
      c4.intoArray(out, oAt + 4 * ldo);
      d4.intoArray(out, oAt + 4 * ldo + NR);
      c5.intoArray(out, oAt + 5 * ldo);
      d5.intoArray(out, oAt + 5 * ldo + NR);
      c6.intoArray(out, oAt + 6 * ldo);
      d6.intoArray(out, oAt + 6 * ldo + NR);
      c7.intoArray(out, oAt + 7 * ldo);
      d7.intoArray(out, oAt + 7 * ldo + NR);
      return;
    }
    c0.intoArray(tmp, 0 * NR);
    d0.intoArray(tmp, 1 * NR);
    c1.intoArray(tmp, 2 * NR);
    d1.intoArray(tmp, 3 * NR);
    c2.intoArray(tmp, 4 * NR);
    d2.intoArray(tmp, 5 * NR);
    c3.intoArray(tmp, 6 * NR);
    d3.intoArray(tmp, 7 * NR);
    c4.intoArray(tmp, 8 * NR);
    d4.intoArray(tmp, 9 * NR);
    c5.intoArray(tmp, 10 * NR);
    d5.intoArray(tmp, 11 * NR);
    c6.intoArray(tmp, 12 * NR);
    d6.intoArray(tmp, 13 * NR);
    c7.intoArray(tmp, 14 * NR);
    d7.intoArray(tmp, 15 * NR);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(tmp, r * 2 * NR, out, oAt + r * ldo, cols);
    }
  }

  /**
   * Packs B, {@code b[p][j] = codes[off + p * rowStride + j * colStride] - zero} for {@code p < k},
   * {@code j < n}, into panels of {@link #NR} columns: panel q at {@code q * k * NR}, element (p,
   * l) at {@code + p * NR + l}; columns past n are 0.
   */
  static void packB(
      byte[] codes, int off, int rowStride, int colStride, int zero, int k, int n, int[] dst) {
    int panels = (n + NR - 1) / NR;
    for (int q = 0; q < panels; q++) {
      int j0 = q * NR;
      int cols = Math.min(NR, n - j0);
      int d = q * k * NR;
      for (int p = 0; p < k; p++, d += NR) {
        int src = off + p * rowStride + j0 * colStride;
        for (int l = 0; l < cols; l++) {
          dst[d + l] = (codes[src + l * colStride] & 0xff) - zero;
        }
        for (int l = cols; l < NR; l++) {
          dst[d + l] = 0;
        }
      }
    }
  }

  /** {@code dst[d + i] = codes[s + i] - zero} for {@code i < n}. */
  static void shift(byte[] codes, int s, int zero, int[] dst, int d, int n) {
    for (int i = 0; i < n; i++) {
      dst[d + i] = (codes[s + i] & 0xff) - zero;
    }
  }
}
