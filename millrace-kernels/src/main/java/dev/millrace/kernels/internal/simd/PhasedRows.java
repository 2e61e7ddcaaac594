package dev.millrace.kernels.internal.simd;

import java.util.Arrays;

/**
 * The rows of one image plane with their columns zero-padded and split into {@code stride} phases,
 * so that a window tap reads 8 consecutive output columns as 8 consecutive floats at any stride.
 * Padded column {@code pc = ix + left} lives in phase {@code pc % stride} at position {@code pc /
 * stride}; output column {@code ox} and tap {@code kx} read padded column {@code ox * stride + kx *
 * dilation}, that is {@link #tapOffset} plus {@code ox}. Each phase ends with slack for a whole
 * last vector, so vector loops over the output columns (rounded up to 8) never leave the row.
 *
 * @param stride the window stride along the row
 * @param left padding columns before the first input column
 * @param width input columns
 * @param phaseLength floats per phase
 */
record PhasedRows(int stride, int left, int width, int phaseLength) {

  /**
   * The layout for a row of {@code width} columns read by {@code outWidth} windows of {@code taps}
   * taps {@code dilation} apart.
   */
  static PhasedRows of(int width, int outWidth, int taps, int stride, int dilation, int left) {
    int reach = (taps - 1) * dilation / stride + roundUp(outWidth);
    int columns = (width - 1 + left) / stride + 1;
    return new PhasedRows(stride, left, width, Math.max(reach, columns));
  }

  /** {@code n} rounded up to a whole number of vectors. */
  static int roundUp(int n) {
    return (n + Gemm.NR - 1) / Gemm.NR * Gemm.NR;
  }

  int rowLength() {
    return stride * phaseLength;
  }

  /** Where tap {@code kx} of output column 0 sits in a row. */
  int tapOffset(int kx, int dilation) {
    int pc = kx * dilation;
    return pc % stride * phaseLength + pc / stride;
  }

  /** Copies {@code rows} rows of {@code width} floats from {@code src} into {@code dst}. */
  void load(float[] src, int srcBase, int rows, float[] dst) {
    int rowLength = rowLength();
    if (stride == 1) {
      for (int r = 0; r < rows; r++) {
        int d = r * rowLength;
        Arrays.fill(dst, d, d + left, 0f);
        System.arraycopy(src, srcBase + r * width, dst, d + left, width);
        Arrays.fill(dst, d + left + width, d + rowLength, 0f);
      }
      return;
    }
    Arrays.fill(dst, 0, rows * rowLength, 0f);
    for (int r = 0; r < rows; r++) {
      int s = srcBase + r * width;
      int d = r * rowLength;
      // Phase by phase, so that no column index is divided.
      for (int phase = 0; phase < stride; phase++) {
        int ix = Math.floorMod(phase - left, stride);
        int at = d + phase * phaseLength + (ix + left) / stride;
        for (; ix < width; ix += stride) {
          dst[at++] = src[s + ix];
        }
      }
    }
  }

  /**
   * Copies the {@code width} input columns of {@code rows} rows of {@code src} into {@code dst}.
   */
  void store(float[] src, int rows, float[] dst, int dstBase) {
    int rowLength = rowLength();
    for (int r = 0; r < rows; r++) {
      int s = r * rowLength;
      int d = dstBase + r * width;
      if (stride == 1) {
        System.arraycopy(src, s + left, dst, d, width);
        continue;
      }
      for (int phase = 0; phase < stride; phase++) {
        int ix = Math.floorMod(phase - left, stride);
        int at = s + phase * phaseLength + (ix + left) / stride;
        for (; ix < width; ix += stride) {
          dst[d + ix] = src[at++];
        }
      }
    }
  }
}
