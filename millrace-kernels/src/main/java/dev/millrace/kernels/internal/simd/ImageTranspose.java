package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batched matrix transposes, {@code [batch][rows][cols] → [batch][cols][rows]}: NCHW to NHWC is
 * {@code rows = C, cols = H·W}, NHWC to NCHW the reverse.
 *
 * <p>Bands of one vector's lanes of source rows are transposed in square blocks in registers
 * ({@link RegisterTranspose}), and the columns left over gathered. With {@code
 * -Dmillrace.transpose.gather=false} (or fewer rows than lanes) scalar tiles run instead: square
 * tiles keep both the rows read and the rows written in L1, so that each cache line is fetched once
 * however far apart the matrix's rows lie.
 */
public final class ImageTranspose {
  /** Tile side: 32 × 32 floats read and written are 8 KiB, within any L1. */
  private static final int TILE = 32;

  /** Below this many elements, one thread: a split costs more than it saves. */
  private static final long PARALLEL_MIN = 1 << 16;

  private static final VectorSpecies<Float> F = SimdWidth.FLOAT;

  /**
   * Vectors (register blocks, then gathers) instead of the scalar tiles ({@code
   * -Dmillrace.transpose.gather}).
   */
  private static final boolean GATHER =
      !"false".equals(System.getProperty("millrace.transpose.gather"));

  private ImageTranspose() {}

  /**
   * {@code x} transposed by {@code perm} (a valid permutation of its axes) where the permutation
   * keeps leading axes and rotates the rest ({@code [0, 2, 3, 1]}, {@code [0, 3, 1, 2]}, {@code [1,
   * 0]}, {@code [0, 2, 1]}...), which is a batch of matrix transposes; else null.
   */
  public static Tensor rotated(Tensor x, int[] perm, KernelThreads threads) {
    int rank = perm.length;
    int kept = 0;
    while (kept < rank && perm[kept] == kept) {
      kept++;
    }
    if (kept >= rank - 1) {
      return null; // the identity: the reference returns it as it is
    }
    int split = perm[kept]; // the first of the axes that come to the front
    if (split <= kept || split >= rank) {
      return null;
    }
    for (int i = kept; i < rank; i++) {
      int expected = i - kept + split < rank ? i - kept + split : i - kept + split - rank + kept;
      if (perm[i] != expected) {
        return null;
      }
    }
    Shape s = x.shape();
    long batch = 1;
    long rows = 1;
    long cols = 1;
    long[] dims = new long[rank];
    for (int i = 0; i < rank; i++) {
      long d = s.dim(i);
      if (i < kept) {
        batch *= d;
      } else if (i < split) {
        rows *= d;
      } else {
        cols *= d;
      }
      dims[i] = s.dim(perm[i]);
    }
    if (batch * rows * cols > Integer.MAX_VALUE) {
      return null;
    }
    // Every element is written.
    Tensor out = Floats.toOverwrite(Shape.of(dims));
    transpose(Floats.of(x), Floats.array(out), (int) batch, (int) rows, (int) cols, threads);
    return out;
  }

  /** {@code dst[b][c][r] = src[b][r][c]}. */
  static void transpose(
      float[] src, float[] dst, int batch, int rows, int cols, KernelThreads threads) {
    int rowTiles = (rows + TILE - 1) / TILE;
    int units = batch * rowTiles;
    long elements = (long) batch * rows * cols;
    int tasks =
        threads.parallelism() > 1 && elements >= PARALLEL_MIN
            ? Math.min(units, threads.parallelism() * 4)
            : 1;
    if (tasks <= 1) {
      transposeUnits(src, dst, rows, cols, rowTiles, 0, units);
      return;
    }
    threads.parallelFor(
        tasks,
        t ->
            transposeUnits(
                src,
                dst,
                rows,
                cols,
                rowTiles,
                (int) ((long) t * units / tasks),
                (int) ((long) (t + 1) * units / tasks)));
  }

  /** Units {@code [from, to)}, each one image's band of {@link #TILE} source rows. */
  private static void transposeUnits(
      float[] src, float[] dst, int rows, int cols, int rowTiles, int from, int to) {
    int plane = rows * cols;
    int lanes = F.length();
    int[] strided = null;
    if (GATHER && rows >= lanes) {
      strided = new int[lanes];
      for (int l = 0; l < lanes; l++) {
        strided[l] = l * cols;
      }
    }
    for (int u = from; u < to; u++) {
      int b = u / rowTiles;
      int r0 = (u % rowTiles) * TILE;
      int r1 = Math.min(rows, r0 + TILE);
      int base = b * plane;
      if (strided != null) {
        // Each vector gathers one source column's lanes rows, stored as one run of a
        // destination row; the band's source rows are read in order, one cache line at a time.
        int r = r0;
        for (; r + lanes <= r1; r += lanes) {
          int in = base + r * cols;
          int out = base + r;
          int c = 0;
          // Square blocks of one vector's lanes transposed in registers, the columns left over
          // gathered: the gathers alone took about 1.3 ns per float here.
          for (; c + lanes <= cols && RegisterTranspose.SIZE == lanes; c += lanes) {
            RegisterTranspose.block(src, in + c, cols, dst, out + c * rows, rows);
          }
          for (; c < cols; c++) {
            FloatVector.fromArray(F, src, in + c, strided, 0).intoArray(dst, out + c * rows);
          }
        }
        for (; r < r1; r++) {
          int in = base + r * cols;
          for (int c = 0; c < cols; c++) {
            dst[base + c * rows + r] = src[in + c];
          }
        }
        continue;
      }
      for (int c0 = 0; c0 < cols; c0 += TILE) {
        int c1 = Math.min(cols, c0 + TILE);
        for (int c = c0; c < c1; c++) {
          int out = base + c * rows;
          int in = base + c;
          for (int r = r0; r < r1; r++) {
            dst[out + r] = src[in + r * cols];
          }
        }
      }
    }
  }
}
