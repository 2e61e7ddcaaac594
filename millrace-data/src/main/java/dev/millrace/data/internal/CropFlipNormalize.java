package dev.millrace.data.internal;

/**
 * The pixel loop of {@code ImageAugmentation}: output pixel {@code (y, x)}, channel {@code k}, is
 * {@code src(y + dy, x' + dx, k) * a[k] + b[k]}, with {@code x'} = {@code x} or its mirror {@code w
 * - 1 - x}, and {@code b[k]} (a zero pixel, normalised) where that falls outside the image.
 *
 * <p>Why this shape: the obvious loop (per pixel: bounds test, index arithmetic, channel loop)
 * cannot be vectorised and costs several nanoseconds per value. Here each output row is at most
 * three runs: padding on the left, the pixels inside, padding on the right. The inside run is one
 * contiguous loop over {@code x * c + k} with per-position coefficients {@code A[j] = a[j % c]},
 * which C2 vectorises at the host's width; padding is an array copy of {@code B}. A mirrored row is
 * converted forward, then its pixels are copied in reverse order; NCHW rows are converted in NHWC
 * order, then spread over the channel planes. Same operations in the same order as the obvious loop
 * ({@code v * a + b}, two roundings, no fused multiply-add), so the results are identical.
 */
public final class CropFlipNormalize {
  private final int h;
  private final int w;
  private final int c;
  private final boolean uniform;
  private final float a0;
  private final float b0;
  private final float[] rowA;
  private final float[] rowB;

  /**
   * A transform of {@code [h, w, c]} images with channel coefficients {@code a} and {@code b}.
   * Holds scratch rows: one instance per call (they are small: {@code w × c} floats each).
   */
  public CropFlipNormalize(int h, int w, int c, float[] a, float[] b) {
    this.h = h;
    this.w = w;
    this.c = c;
    boolean same = true;
    for (int k = 1; k < c; k++) {
      same &= Float.floatToIntBits(a[k]) == Float.floatToIntBits(a[0]);
      same &= Float.floatToIntBits(b[k]) == Float.floatToIntBits(b[0]);
    }
    uniform = same;
    a0 = a[0];
    b0 = b[0];
    int row = same ? 0 : w * c;
    rowA = new float[row];
    rowB = new float[row];
    for (int j = 0; j < row; j++) {
      rowA[j] = a[j % c];
      rowB[j] = b[j % c];
    }
  }

  /**
   * Writes the transformed image into {@code dst}, in NCHW order if {@code nchw}, else NHWC; the
   * source is {@code u8} (unsigned) if not null, else {@code f32}, laid out {@code [h, w, c]}.
   */
  public void apply(
      byte[] u8, float[] f32, int dy, int dx, boolean mirror, boolean nchw, float[] dst) {
    int row = w * c;
    java.util.Objects.checkFromIndexSize(0, h * row, dst.length);
    java.util.Objects.checkFromIndexSize(0, h * row, u8 != null ? u8.length : f32.length);
    float[] nhwcRow = nchw && c > 1 ? new float[row] : null;
    float[] forward = mirror ? new float[row] : null;
    for (int y = 0; y < h; y++) {
      float[] out = nhwcRow != null ? nhwcRow : dst;
      int o = nhwcRow != null ? 0 : y * row;
      int sy = y + dy;
      if (sy < 0 || sy >= h) {
        pad(out, o, 0, row);
      } else {
        row(u8, f32, sy, dx, mirror, forward, out, o);
      }
      if (nhwcRow != null) {
        spreadOverPlanes(nhwcRow, y, dst);
      }
    }
  }

  // One output row of an inside source row `sy`, NHWC, at out[o..o + w*c).
  private void row(
      byte[] u8, float[] f32, int sy, int dx, boolean mirror, float[] forward, float[] out, int o) {
    // Output x reads source column x + dx (or w - 1 - x + dx mirrored): inside for x in [x0, x1).
    int x0 = Math.max(0, mirror ? dx : -dx);
    int x1 = Math.min(w, mirror ? w + dx : w - dx);
    if (x1 <= x0) {
      pad(out, o, 0, w * c);
      return;
    }
    pad(out, o, 0, x0 * c);
    pad(out, o + x1 * c, x1 * c, (w - x1) * c);
    int n = (x1 - x0) * c;
    if (!mirror) {
      int src = (sy * w + x0 + dx) * c;
      convert(u8, f32, src, out, o + x0 * c, x0 * c, n);
      return;
    }
    // Mirrored, output pixels x0..x1-1 read source pixels sx1-1 down to sx0.
    int sx0 = w - x1 + dx;
    convert(u8, f32, (sy * w + sx0) * c, forward, 0, x0 * c, n);
    // Plain loops: an array copy per pixel costs more than the conversion of the whole row.
    int pixels = x1 - x0;
    int to = o + x0 * c;
    if (c == 1) {
      for (int p = 0; p < pixels; p++) {
        out[to + p] = forward[pixels - 1 - p];
      }
    } else if (c == 3) {
      for (int p = 0; p < pixels; p++) {
        int from = (pixels - 1 - p) * 3;
        int t = to + p * 3;
        out[t] = forward[from];
        out[t + 1] = forward[from + 1];
        out[t + 2] = forward[from + 2];
      }
    } else {
      for (int p = 0; p < pixels; p++) {
        int from = (pixels - 1 - p) * c;
        for (int k = 0; k < c; k++) {
          out[to + p * c + k] = forward[from + k];
        }
      }
    }
  }

  /**
   * {@code out[at + j] = src[from + j] * rowA[k + j] + rowB[k + j]} for {@code j < n}. The channel
   * of position {@code at + j} and {@code from + j} is the same as of {@code k + j}: every run
   * starts on a pixel boundary. Mirrored runs are converted with the coefficients of where they
   * land, which have the same channel pattern.
   */
  private void convert(byte[] u8, float[] f32, int from, float[] out, int at, int k, int n) {
    if (uniform) {
      convertUniform(u8, f32, from, out, at, n);
      return;
    }
    float[] a = rowA;
    float[] b = rowB;
    if (u8 != null) {
      // Signed to float, plus 256 for negative values without a branch (see Pixels.u8ToFloat):
      // C2 vectorises this, not `u8[i] & 0xff`.
      for (int j = 0; j < n; j++) {
        float v = u8[from + j];
        v = v + 256f * Math.min(1f, Math.max(0f, -v));
        out[at + j] = v * a[k + j] + b[k + j];
      }
    } else {
      for (int j = 0; j < n; j++) {
        out[at + j] = f32[from + j] * a[k + j] + b[k + j];
      }
    }
  }

  private void convertUniform(byte[] u8, float[] f32, int from, float[] out, int at, int n) {
    float a = a0;
    float b = b0;
    if (u8 != null) {
      for (int j = 0; j < n; j++) {
        float v = u8[from + j];
        v = v + 256f * Math.min(1f, Math.max(0f, -v));
        out[at + j] = v * a + b;
      }
    } else {
      for (int j = 0; j < n; j++) {
        out[at + j] = f32[from + j] * a + b;
      }
    }
  }

  /** Padding values for row positions {@code [k, k + n)} at {@code out[at..]}. */
  private void pad(float[] out, int at, int k, int n) {
    if (uniform) {
      java.util.Arrays.fill(out, at, at + n, b0);
    } else {
      System.arraycopy(rowB, k, out, at, n);
    }
  }

  // Row y in NHWC order to the c planes of an NCHW image.
  private void spreadOverPlanes(float[] nhwcRow, int y, float[] dst) {
    int plane = h * w;
    for (int k = 0; k < c; k++) {
      int o = k * plane + y * w;
      for (int x = 0; x < w; x++) {
        dst[o + x] = nhwcRow[x * c + k];
      }
    }
  }
}
