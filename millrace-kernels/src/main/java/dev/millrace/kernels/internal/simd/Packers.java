package dev.millrace.kernels.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** GEMM packers for matrices stored in a {@code float[]} with any row and column strides. */
final class Packers {
  /** Steps of k per block when a column-major B panel is packed (at 16 lanes, 4 KiB of panel). */
  static final int COLUMN_BLOCK = 64;

  private Packers() {}

  /** A as {@code a[off + i * rowStride + p * colStride]}. */
  static Gemm.PackA a(float[] a, int off, int rowStride, int colStride) {
    if (colStride == 1) {
      // Row-major A is packed k-major all the same: the strided stores cost one move per element,
      // amortised over every B panel, and the k-major micro-kernel measured about 15 % faster than
      // the row-major one at 1024³ (see rowMajor(...) for where copies win instead).
      return (dst, dOff, i0, rows, p0, kc, mr) -> {
        for (int r = 0; r < rows; r++) {
          int src = off + (i0 + r) * rowStride + p0;
          int d = dOff + r;
          for (int kk = 0; kk < kc; kk++) {
            dst[d + kk * mr] = a[src + kk];
          }
        }
        zeroRows(dst, dOff, rows, kc, mr);
      };
    }
    if (rowStride == 1) {
      return new ColumnMajorA(a, off, colStride);
    }
    return (dst, dOff, i0, rows, p0, kc, mr) -> {
      for (int kk = 0; kk < kc; kk++) {
        int src = off + (p0 + kk) * colStride + i0 * rowStride;
        int d = dOff + kk * mr;
        for (int r = 0; r < rows; r++) {
          dst[d + r] = a[src + r * rowStride];
        }
      }
      zeroRows(dst, dOff, rows, kc, mr);
    };
  }

  /**
   * A whose columns are contiguous ({@code a[off + i + p * colStride]}: the transposed A of a
   * weight gradient {@code Xᵀ · dY}): each step of k of a micro-panel is a run of {@code mr}
   * contiguous floats, copied with whole and masked vectors. {@code System.arraycopy} of 12 floats
   * per step of k cost a stub call each.
   */
  private record ColumnMajorA(float[] a, int off, int colStride) implements Gemm.PackA {
    @Override
    public void pack(float[] dst, int dOff, int i0, int rows, int p0, int kc, int mr) {
      int whole = rows / Gemm.NR * Gemm.NR;
      VectorMask<Float> tail = Gemm.F.indexInRange(whole, rows);
      for (int kk = 0; kk < kc; kk++) {
        int src = off + (p0 + kk) * colStride + i0;
        int d = dOff + kk * mr;
        for (int r = 0; r < whole; r += Gemm.NR) {
          FloatVector.fromArray(Gemm.F, a, src + r).intoArray(dst, d + r);
        }
        if (whole < rows) {
          FloatVector.fromArray(Gemm.F, a, src + whole, tail).intoArray(dst, d + whole, tail);
        }
      }
      zeroRows(dst, dOff, rows, kc, mr);
    }
  }

  /**
   * Contiguous rows of A copied into row-major panels ({@link Gemm.PackA#rowMajor}): block copies
   * instead of one strided store per element, worth it when B has few panels to amortise packing.
   */
  static Gemm.PackA rowMajor(float[] a, int off, int rowStride) {
    return new RowMajorA(a, off, rowStride);
  }

  private record RowMajorA(float[] a, int off, int rowStride) implements Gemm.PackA {
    @Override
    public Gemm.Layout layout() {
      return Gemm.Layout.ROW_MAJOR;
    }

    @Override
    public void pack(float[] dst, int dOff, int i0, int rows, int p0, int kc, int mr) {
      for (int r = 0; r < rows; r++) {
        copy(a, off + (i0 + r) * rowStride + p0, dst, dOff + r * Gemm.KCS, kc);
      }
      zeroRowsRowMajor(dst, dOff, rows, kc, mr);
    }
  }

  /** {@code dst[d, d + n) = src[s, s + n)}, in vectors for all but the tail. */
  static void copy(float[] src, int s, float[] dst, int d, int n) {
    int i = 0;
    for (; i <= n - Gemm.NR; i += Gemm.NR) {
      FloatVector.fromArray(Gemm.F, src, s + i).intoArray(dst, d + i);
    }
    for (; i < n; i++) {
      dst[d + i] = src[s + i];
    }
  }

  /** Zeroes rows {@code [rows, mr)} of a row-major packed A micro-panel. */
  static void zeroRowsRowMajor(float[] dst, int dOff, int rows, int kc, int mr) {
    for (int r = rows; r < mr; r++) {
      java.util.Arrays.fill(dst, dOff + r * Gemm.KCS, dOff + r * Gemm.KCS + kc, 0f);
    }
  }

  /** Zeroes rows {@code [rows, mr)} of a packed A micro-panel. */
  static void zeroRows(float[] dst, int dOff, int rows, int kc, int mr) {
    if (rows == mr) {
      return;
    }
    for (int kk = 0; kk < kc; kk++) {
      for (int r = rows; r < mr; r++) {
        dst[dOff + kk * mr + r] = 0f;
      }
    }
  }

  /** B as {@code b[off + p * rowStride + j * colStride]}. */
  static Gemm.PackB b(float[] b, int off, int rowStride, int colStride) {
    if (colStride == 1) {
      return new RowMajorB(b, off, rowStride);
    }
    return (dst, dOff, j0, cols, p0, kc) -> {
      // Column-major B: each column read sequentially and written with stride NR, in blocks of
      // COLUMN_BLOCK steps of k, so that the block's lines of the panel stay in L1 while all NR
      // columns are written into them (a whole deep panel, 64 KiB at k = 1024, does not).
      for (int k0 = 0; k0 < kc; k0 += COLUMN_BLOCK) {
        int k1 = Math.min(kc, k0 + COLUMN_BLOCK);
        for (int l = 0; l < Gemm.NR; l++) {
          int d = dOff + l;
          if (l < cols) {
            int src = off + p0 * rowStride + (j0 + l) * colStride;
            for (int kk = k0; kk < k1; kk++) {
              dst[d + kk * Gemm.NR] = b[src + kk * rowStride];
            }
          } else {
            for (int kk = k0; kk < k1; kk++) {
              dst[d + kk * Gemm.NR] = 0f;
            }
          }
        }
      }
    };
  }

  /** B whose rows are contiguous: {@code b[off + p * rowStride + j]}. */
  private record RowMajorB(float[] b, int off, int rowStride) implements Gemm.PackB {
    @Override
    public void pack(float[] dst, int dOff, int j0, int cols, int p0, int kc) {
      int src = off + p0 * rowStride + j0;
      if (cols == Gemm.NR) {
        for (int kk = 0; kk < kc; kk++) {
          FloatVector.fromArray(Gemm.F, b, src + kk * rowStride)
              .intoArray(dst, dOff + kk * Gemm.NR);
        }
        return;
      }
      packPartial(dst, dOff, src, cols, kc);
    }

    /**
     * Row by row: each row's span of the panels is read in one pass, so the hardware prefetcher
     * sees a run of cache lines instead of one or two lines per row a page apart (B's rows are
     * often a page or more long), which measured ~20 % of a dense layer's forward product when
     * packed panel by panel.
     */
    @Override
    public void packPanels(float[] dst, int dOff, int panelSize, int j0, int cols, int p0, int kc) {
      int full = cols / Gemm.NR;
      for (int kk = 0; kk < kc; kk++) {
        int src = off + (p0 + kk) * rowStride + j0;
        int d = dOff + kk * Gemm.NR;
        for (int q = 0; q < full; q++) {
          FloatVector.fromArray(Gemm.F, b, src + q * Gemm.NR).intoArray(dst, d + q * panelSize);
        }
      }
      if (full * Gemm.NR < cols) {
        int src = off + p0 * rowStride + j0 + full * Gemm.NR;
        packPartial(dst, dOff + full * panelSize, src, cols - full * Gemm.NR, kc);
      }
    }

    /** A panel of {@code cols < NR} columns from {@code src}, the rest zero. */
    private void packPartial(float[] dst, int dOff, int src, int cols, int kc) {
      for (int kk = 0; kk < kc; kk++) {
        int d = dOff + kk * Gemm.NR;
        for (int l = 0; l < Gemm.NR; l++) {
          dst[d + l] = l < cols ? b[src + kk * rowStride + l] : 0f;
        }
      }
    }
  }
}
