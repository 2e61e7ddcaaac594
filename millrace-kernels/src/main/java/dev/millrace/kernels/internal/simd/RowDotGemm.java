package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = A · Bᵀ} for row-major A ({@code m × k}) and B ({@code n × k}) with a deep k, as dot
 * products of rows: {@code C[i][j] = A[i] · B[j]}, both read along k where they lie.
 *
 * <p>Why not the blocked {@link Gemm}: there a transposed B is packed into column panels, one
 * strided load per element, and for a dense layer's input gradient ({@code dY · Wᵀ}, W being 3136 ×
 * 1024) that packing was 28 % of the call and kept it at 1.5× on two threads. Here nothing is
 * packed: a register tile of A rows × B rows sums lane-wise products over all of k and reduces each
 * sum across lanes once at the end, in a fixed order ({@link #laneSum}) so that interpreted and
 * compiled code agree to the bit. Threads take bands of B rows, so each band is read from memory
 * once while A, re-read per band, stays in L2.
 */
final class RowDotGemm {
  private static final VectorSpecies<Float> F = SimdWidth.FLOAT;
  private static final int L = F.length();

  /** B rows per register tile. */
  private static final int TILE_B = 4;

  /**
   * A rows per register tile: 4 × 4 accumulators where the vector unit has 32 registers (AVX-512),
   * 2 × 4 where it has 16 (the tile's sums, its A vectors and one B vector must fit).
   */
  private static final int TILE_A = F.vectorBitSize() >= 512 ? 4 : 2;

  /** The shallowest k this is used for: below it the final reductions outweigh the packing. */
  static final int MIN_DEPTH = 256;

  /** B rows per task: a band of B is read once while every A tile passes over it. */
  private static final int BAND = 64;

  private RowDotGemm() {}

  /**
   * Whether this kernel suits a product of depth {@code k}: deep enough, and a whole number of
   * vectors (dense layers' widths are; other depths take the packed GEMM, with no masked tails in
   * the hot loop here).
   */
  static boolean suits(int m, int n, int k) {
    return k >= MIN_DEPTH && k % L == 0 && m >= TILE_A && n >= TILE_B;
  }

  /** {@code c[i * n + j] = Σ_p a[i * k + p] · b[j * k + p]}, over {@code threads}. */
  static void multiply(
      float[] a, float[] b, float[] c, int m, int n, int k, KernelThreads threads) {
    int bands = (n + BAND - 1) / BAND;
    long flops = 2L * m * n * k;
    int tasks = flops < 1 << 21 || threads.parallelism() <= 1 ? 1 : bands;
    if (tasks == 1) {
      for (int band = 0; band < bands; band++) {
        band(a, b, c, m, n, k, band);
      }
      return;
    }
    threads.parallelFor(tasks, band -> band(a, b, c, m, n, k, band));
  }

  private static void band(float[] a, float[] b, float[] c, int m, int n, int k, int band) {
    int j0 = band * BAND;
    int j1 = Math.min(n, j0 + BAND);
    int jTiles = j0 + (j1 - j0) / TILE_B * TILE_B;
    int iTiles = m / TILE_A * TILE_A;
    float[] sums = new float[TILE_A * TILE_B * L];
    for (int j = j0; j < jTiles; j += TILE_B) {
      for (int i = 0; i < iTiles; i += TILE_A) {
        if (TILE_A == 4) {
          tile4x4(a, b, c, n, k, i, j, sums);
        } else {
          tile2x4(a, b, c, n, k, i, j, sums);
        }
      }
      for (int i = iTiles; i < m; i++) {
        for (int jj = j; jj < j + TILE_B; jj++) {
          c[i * n + jj] = dot(a, i * k, b, jj * k, k, sums);
        }
      }
    }
    for (int j = jTiles; j < j1; j++) {
      for (int i = 0; i < m; i++) {
        c[i * n + j] = dot(a, i * k, b, j * k, k, sums);
      }
    }
  }

  /** One dot product of length k, for the rows and columns outside whole tiles. */
  private static float dot(float[] a, int aOff, float[] b, int bOff, int k, float[] sums) {
    FloatVector s = FloatVector.zero(F);
    for (int p = 0; p < k; p += L) {
      s = FloatVector.fromArray(F, a, aOff + p).fma(FloatVector.fromArray(F, b, bOff + p), s);
    }
    s.intoArray(sums, 0);
    return laneSum(sums, 0);
  }

  private static void tile4x4(
      float[] a, float[] b, float[] c, int n, int k, int i, int j, float[] sums) {
    int a0 = i * k;
    int a1 = a0 + k;
    int a2 = a1 + k;
    int a3 = a2 + k;
    int b0 = j * k;
    int b1 = b0 + k;
    int b2 = b1 + k;
    int b3 = b2 + k;
    FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
    FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
    FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
    for (int p = 0; p < k; p += L) {
      FloatVector x0 = FloatVector.fromArray(F, a, a0 + p);
      FloatVector x1 = FloatVector.fromArray(F, a, a1 + p);
      FloatVector x2 = FloatVector.fromArray(F, a, a2 + p);
      FloatVector x3 = FloatVector.fromArray(F, a, a3 + p);
      FloatVector y;
      y = FloatVector.fromArray(F, b, b0 + p);
      s00 = x0.fma(y, s00);
      s10 = x1.fma(y, s10);
      s20 = x2.fma(y, s20);
      s30 = x3.fma(y, s30);
      y = FloatVector.fromArray(F, b, b1 + p);
      s01 = x0.fma(y, s01);
      s11 = x1.fma(y, s11);
      s21 = x2.fma(y, s21);
      s31 = x3.fma(y, s31);
      y = FloatVector.fromArray(F, b, b2 + p);
      s02 = x0.fma(y, s02);
      s12 = x1.fma(y, s12);
      s22 = x2.fma(y, s22);
      s32 = x3.fma(y, s32);
      y = FloatVector.fromArray(F, b, b3 + p);
      s03 = x0.fma(y, s03);
      s13 = x1.fma(y, s13);
      s23 = x2.fma(y, s23);
      s33 = x3.fma(y, s33);
    }
    s00.intoArray(sums, 0 * L);
    s01.intoArray(sums, 1 * L);
    s02.intoArray(sums, 2 * L);
    s03.intoArray(sums, 3 * L);
    s10.intoArray(sums, 4 * L);
    s11.intoArray(sums, 5 * L);
    s12.intoArray(sums, 6 * L);
    s13.intoArray(sums, 7 * L);
    s20.intoArray(sums, 8 * L);
    s21.intoArray(sums, 9 * L);
    s22.intoArray(sums, 10 * L);
    s23.intoArray(sums, 11 * L);
    s30.intoArray(sums, 12 * L);
    s31.intoArray(sums, 13 * L);
    s32.intoArray(sums, 14 * L);
    s33.intoArray(sums, 15 * L);
    sumTile(sums, c, i * n + j, n, 4);
  }

  private static void tile2x4(
      float[] a, float[] b, float[] c, int n, int k, int i, int j, float[] sums) {
    int a0 = i * k;
    int a1 = a0 + k;
    int b0 = j * k;
    int b1 = b0 + k;
    int b2 = b1 + k;
    int b3 = b2 + k;
    FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
    for (int p = 0; p < k; p += L) {
      FloatVector x0 = FloatVector.fromArray(F, a, a0 + p);
      FloatVector x1 = FloatVector.fromArray(F, a, a1 + p);
      FloatVector y;
      y = FloatVector.fromArray(F, b, b0 + p);
      s00 = x0.fma(y, s00);
      s10 = x1.fma(y, s10);
      y = FloatVector.fromArray(F, b, b1 + p);
      s01 = x0.fma(y, s01);
      s11 = x1.fma(y, s11);
      y = FloatVector.fromArray(F, b, b2 + p);
      s02 = x0.fma(y, s02);
      s12 = x1.fma(y, s12);
      y = FloatVector.fromArray(F, b, b3 + p);
      s03 = x0.fma(y, s03);
      s13 = x1.fma(y, s13);
    }
    s00.intoArray(sums, 0 * L);
    s01.intoArray(sums, 1 * L);
    s02.intoArray(sums, 2 * L);
    s03.intoArray(sums, 3 * L);
    s10.intoArray(sums, 4 * L);
    s11.intoArray(sums, 5 * L);
    s12.intoArray(sums, 6 * L);
    s13.intoArray(sums, 7 * L);
    sumTile(sums, c, i * n + j, n, 2);
  }

  /**
   * The tile's sums, stored lane by lane ({@code sums[(r * 4 + q) * L + lane]} for A row r and B
   * row q), each added across its lanes into {@code c[at + r * n + q]}.
   */
  private static void sumTile(float[] sums, float[] c, int at, int n, int rows) {
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < TILE_B; q++) {
        c[at + r * n + q] = laneSum(sums, (r * TILE_B + q) * L);
      }
    }
  }

  /**
   * The L lanes from {@code from} added in a fixed order (even and odd lanes apart, then the two),
   * so that the result is the same in interpreted and compiled code, where {@code reduceLanes(ADD)}
   * is not. (A tree of blends and lane swaps that sums 16 sums at once in vector registers measured
   * about 10 % slower than this on the whole product.)
   */
  private static float laneSum(float[] lanes, int from) {
    float s0 = 0;
    float s1 = 0;
    for (int l = 0; l < L; l += 2) {
      s0 += lanes[from + l];
      s1 += lanes[from + l + 1];
    }
    return s0 + s1;
  }
}
