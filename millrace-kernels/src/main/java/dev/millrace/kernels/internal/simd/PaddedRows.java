package dev.millrace.kernels.internal.simd;

import java.util.Arrays;

/**
 * Zero-bordered copies of an NHWC image's rows, so that convolution loops read taps without bounds
 * tests: the direct convolution's bands and the filter gradient's whole image.
 */
final class PaddedRows {
  private PaddedRows() {}

  /**
   * Copies image rows {@code firstRow .. firstRow + rows - 1} (they may lie partly outside the
   * image) into {@code dst}, {@code rowFloats} floats per row: {@code left · c} zeros, the row's
   * {@code w · c} floats, zeros to the row's end; a row outside the image is all zeros. Then {@code
   * tail} zeros, which a tile's unused entries may read. {@code rowFloats >= (left + w) · c}.
   */
  static void copy(
      float[] x,
      int imageAt,
      int h,
      int w,
      int c,
      int firstRow,
      int rows,
      int left,
      int rowFloats,
      float[] dst,
      int tail) {
    for (int r = 0; r < rows; r++) {
      int iy = firstRow + r;
      int d = r * rowFloats;
      if (iy < 0 || iy >= h) {
        Arrays.fill(dst, d, d + rowFloats, 0f);
        continue;
      }
      Arrays.fill(dst, d, d + left * c, 0f);
      Packers.copy(x, imageAt + iy * w * c, dst, d + left * c, w * c);
      Arrays.fill(dst, d + (left + w) * c, d + rowFloats, 0f);
    }
    Arrays.fill(dst, rows * rowFloats, rows * rowFloats + tail, 0f);
  }
}
