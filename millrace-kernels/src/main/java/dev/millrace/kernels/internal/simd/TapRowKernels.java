package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;
import static dev.millrace.kernels.internal.simd.Gemm.NR;

import jdk.incubator.vector.FloatVector;

/**
 * Input-stationary micro-kernels of the direct NHWC convolution for 3- and 5-wide, stride-1,
 * undilated filters whose output channels are one vector ({@link DirectConvNhwc}'s narrow panels:
 * 16 channels at 512 bits, 8 at 256) or two (its wide panels). A tile is a run of output pixels of
 * one output row × one or two vectors of channels. Each input value is broadcast once and
 * multiplied by the {@code kw} filter taps it meets, into the accumulators of {@code kw}
 * neighbouring output pixels: {@code R + kw - 1} broadcasts per {@code kw · R} FMAs, where the
 * pixel-stationary tiles of {@link ConvMicroKernels} broadcast once per FMA. Broadcasts are what
 * bound those tiles (they take a load port each).
 *
 * <p>The input is read from a row-planar copy ({@code [row][channel][x]}, built by {@link
 * DirectConvNhwc}), so that the pixels of one input channel are adjacent: the broadcast offsets are
 * constants whatever the channel count. The loop runs over (filter row, input channel) pairs {@code
 * t}, whose plane offsets ({@code xs[t]}) and first filter vectors ({@code ws[t]}, in the packed
 * {@code [kh][kw][c][NR]} panel; the next taps are {@code tap = c · NR} further) are precomputed:
 * one loop, so that C2 keeps every accumulator in a register. The tiles themselves are {@link
 * ThreeTapTiles} and {@link FiveTapTiles}, one method per (kw, shape) so that kw and the pixel
 * count are constants of the loop; this class picks one and stores what a short tile computed.
 */
final class TapRowKernels {
  private TapRowKernels() {}

  /** Whether the tiles compute filters {@code kw} wide (at stride 1, undilated). */
  static boolean computes(int kw) {
    return kw == 3 || kw == 5;
  }

  /**
   * Pixels per tile: 16, or 8 where a row (or its rest) is that short. Below 512 bits only 8: the
   * 16-pixel tiles' 20 or 22 vectors do not fit AVX2's 16 registers.
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
   * The tile of {@code height} (16 or 8) pixels of a {@code kw}-wide filter; its first {@code rows}
   * pixels are stored at {@code c[cAt + r * ldc + l]}, {@code l < cols}. {@code acc} holds {@code
   * 16 · NR} floats.
   */
  static void tile(
      int kw,
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
      narrow(kw, height, x, at, xs, b, bAt, ws, tap, c, cAt, ldc);
      return;
    }
    narrow(kw, height, x, at, xs, b, bAt, ws, tap, acc, 0, NR);
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

  /** The one-vector tile of {@code kw} and {@code height} into {@code dst[dAt + pixel · ld]}. */
  private static void narrow(
      int kw,
      int height,
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
    if (kw == 3) {
      if (height == 16) {
        ThreeTapTiles.tile16(x, at, xs, b, bAt, ws, tap, dst, dAt, ld);
      } else {
        ThreeTapTiles.tile8(x, at, xs, b, bAt, ws, tap, dst, dAt, ld);
      }
    } else if (height == 16) {
      FiveTapTiles.tile16(x, at, xs, b, bAt, ws, tap, dst, dAt, ld);
    } else {
      FiveTapTiles.tile8(x, at, xs, b, bAt, ws, tap, dst, dAt, ld);
    }
  }

  /**
   * Whether a wide tile (two vectors of channels) exists for {@code kw}: always for 3, for 5 only
   * with AVX-512's 32 registers (its 4-pixel version would need 19 of AVX2's 16).
   */
  static boolean hasWide(int kw) {
    return kw == 3 || SimdWidth.CHOSEN.bits() >= 512;
  }

  /**
   * Pixels per wide tile (two vectors of channels): 8 at 512 bits (23 or 27 of AVX-512's 32
   * registers), 4 below (15 of AVX2's 16, 3-wide filters only).
   */
  static int wideHeight() {
    return SimdWidth.CHOSEN.bits() < 512 ? 4 : 8;
  }

  /**
   * The wide tile of {@link #wideHeight} pixels × {@code 2 · NR} channels of a {@code kw}-wide
   * filter ({@link #hasWide}); its first {@code rows} pixels are stored at {@code c[cAt + r * ldc +
   * l]}, {@code l < 2 · NR}. {@code acc} holds {@code 16 · NR} floats.
   */
  static void wideTile(
      int kw,
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
    if (rows == wideHeight()) {
      // Whole tile: straight into the output.
      wide(kw, x, at, xs, b, bAt, ws, tap, c, cAt, ldc);
      return;
    }
    wide(kw, x, at, xs, b, bAt, ws, tap, acc, 0, 2 * NR);
    for (int r = 0; r < rows; r++) {
      FloatVector.fromArray(F, acc, 2 * r * NR).intoArray(c, cAt + r * ldc);
      FloatVector.fromArray(F, acc, (2 * r + 1) * NR).intoArray(c, cAt + r * ldc + NR);
    }
  }

  /** The two-vector tile of {@code kw} into {@code dst[dAt + pixel · ld]}. */
  private static void wide(
      int kw,
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
    if (kw == 5) {
      FiveTapTiles.wide8(x, at, xs, b, bAt, ws, tap, dst, dAt, ld);
    } else if (wideHeight() == 8) {
      ThreeTapTiles.wide8(x, at, xs, b, bAt, ws, tap, dst, dAt, ld);
    } else {
      ThreeTapTiles.wide4(x, at, xs, b, bAt, ws, tap, dst, dAt, ld);
    }
  }
}
