package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;

import jdk.incubator.vector.FloatVector;

/**
 * Wide micro-kernels of the direct NHWC convolution ({@link DirectConvNhwc}): a tile of 4 output
 * pixels of one output row × 16 output channels (two vectors). Per step of k: two vector loads of
 * the filter, one broadcast per pixel and two FMAs per broadcast, so 8 FMAs cost 6 loads, where
 * {@link ConvMicroKernels}' 12×8 tile pays 13 loads for 12 FMAs and is load-bound on Zen 3 (two
 * loads and two FMAs per cycle). Pixel {@code r} reads its patch as in {@link ConvMicroKernels}
 * ({@code a[aOff + r * step + segOff[s] + j]}); the filter is a {@code [k][16]} panel ({@code
 * b[bOff + k * 16 + l]}, k over the runs in order).
 *
 * <p>Shapes measured on JDK 25 (batch 32, 3×3 layers of 16–64 channels, one process, interleaved):
 *
 * <ul>
 *   <li>4 pixels, not 6: a 6×16 tile (12 FMAs per 8 loads) leaves 1 of the 16 registers free beside
 *       its 12 accumulators and 2 filter vectors, and ran 1.4–1.7× slower than the 12×8 tile
 *       whichever way its loops were cut; 4×16 (8 accumulators) ran 13–19 % faster than it. 4
 *       pixels also cut the 8- and 16-pixel rows of these layers without waste.
 *   <li>The pixel step is a compile-time constant, one method per step, for the reason given in
 *       {@link ConvMicroKernels}.
 *   <li>The runs' loop is inside the method, accumulators in registers throughout: 3–5 % faster
 *       than one method per run passing its accumulators through a buffer.
 * </ul>
 */
final class WideConvMicroKernels {
  /** Output channels per tile. */
  static final int WIDTH = 2 * Gemm.NR;

  /** Output pixels per tile where the host has 16 vector registers (AVX2). */
  static final int HEIGHT = 4;

  /**
   * Output pixels per tile with 512-bit vectors, whose hosts have 32 vector registers: 12
   * accumulators, 2 filter vectors and a broadcast fit without a spill, and a broadcast feeds two
   * FMAs as in the GEMM's pair tiles.
   */
  static final int WIDE_HEIGHT = 6;

  /**
   * The tile heights that cut an output row of {@code width} pixels: 6 and 4 pixels at 512 bits and
   * stride 1 (the cover with fewest pixels computed, then most 6-pixel tiles), else 4 only.
   * Measured on a Zen 4 (batch 128, 2 threads, two interleaved rounds): 5×5 32→64 at 14×14 took
   * 12.1–12.6 ms against 13.7–15.7 forward and input gradient, but 3×3 16→32 at stride 2 took
   * 2.06–2.08 ms against 1.87 in the cleaner round, so strided rows keep the 4-pixel tiles.
   */
  static int[] heights(int width, int stride) {
    if (Gemm.NR < 16 || stride != 1) {
      int[] fours = new int[(width + HEIGHT - 1) / HEIGHT];
      java.util.Arrays.fill(fours, HEIGHT);
      return fours;
    }
    int best6 = 0;
    int bestPixels = Integer.MAX_VALUE;
    for (int n6 = 0; n6 <= (width + 5) / 6; n6++) {
      int pixels = 6 * n6 + (Math.max(0, width - 6 * n6) + 3) / 4 * 4;
      if (pixels <= bestPixels) {
        bestPixels = pixels;
        best6 = n6;
      }
    }
    int n4 = (Math.max(0, width - 6 * best6) + 3) / 4;
    int[] out = new int[best6 + n4];
    java.util.Arrays.fill(out, 0, best6, WIDE_HEIGHT);
    java.util.Arrays.fill(out, best6, out.length, HEIGHT);
    return out;
  }

  private WideConvMicroKernels() {}

  /**
   * The tile of {@code height} pixels (4, or {@link #WIDE_HEIGHT}) × {@link #WIDTH} channels; its
   * first {@code rows} pixels are stored at {@code c[cAt + r * ldc + l]} (the others were computed
   * from readable padding or neighbouring pixels and are dropped). {@code acc} is a buffer of at
   * least {@code height * WIDTH} floats.
   */
  static void tile(
      int height,
      int step,
      float[] a,
      int aOff,
      int[] segOff,
      int segLen,
      float[] b,
      int bOff,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      float[] acc) {
    if (height == 6) {
      switch (step) {
        case 16 -> tile6Step16(a, aOff, segOff, segLen, b, bOff, acc);
        case 32 -> tile6Step32(a, aOff, segOff, segLen, b, bOff, acc);
        case 64 -> tile6Step64(a, aOff, segOff, segLen, b, bOff, acc);
        default -> throw new IllegalArgumentException("no kernel for pixel step " + step);
      }
    } else {
      switch (step) {
        case 16 -> tile4Step16(a, aOff, segOff, segLen, b, bOff, acc);
        case 32 -> tile4Step32(a, aOff, segOff, segLen, b, bOff, acc);
        case 64 -> tile4Step64(a, aOff, segOff, segLen, b, bOff, acc);
        default -> throw new IllegalArgumentException("no kernel for pixel step " + step);
      }
    }
    for (int r = 0; r < rows; r++) {
      FloatVector.fromArray(F, acc, r * WIDTH).intoArray(c, cAt + r * ldc);
      FloatVector.fromArray(F, acc, r * WIDTH + Gemm.NR).intoArray(c, cAt + r * ldc + Gemm.NR);
    }
  }

  /** 4 pixels × 16 channels, pixels 16 floats apart: every run into {@code acc}. */
  private static void tile4Step16(
      float[] a, int aOff, int[] segOff, int segLen, float[] b, int bOff, float[] acc) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    for (int s = 0; s < segOff.length; s++) {
      int p = aOff + segOff[s];
      int kb = bOff + s * segLen * WIDTH;
      for (int j = 0; j < segLen; j++) {
        FloatVector b0 = FloatVector.fromArray(F, b, kb + j * WIDTH);
        FloatVector b1 = FloatVector.fromArray(F, b, kb + j * WIDTH + Gemm.NR);
        int q = p + j;
        FloatVector a0 = FloatVector.broadcast(F, a[q]);
        c0 = a0.fma(b0, c0);
        c1 = a0.fma(b1, c1);
        FloatVector a1 = FloatVector.broadcast(F, a[q + 16]);
        c2 = a1.fma(b0, c2);
        c3 = a1.fma(b1, c3);
        FloatVector a2 = FloatVector.broadcast(F, a[q + 32]);
        c4 = a2.fma(b0, c4);
        c5 = a2.fma(b1, c5);
        FloatVector a3 = FloatVector.broadcast(F, a[q + 48]);
        c6 = a3.fma(b0, c6);
        c7 = a3.fma(b1, c7);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, Gemm.NR);
    c2.intoArray(acc, 2 * Gemm.NR);
    c3.intoArray(acc, 3 * Gemm.NR);
    c4.intoArray(acc, 4 * Gemm.NR);
    c5.intoArray(acc, 5 * Gemm.NR);
    c6.intoArray(acc, 6 * Gemm.NR);
    c7.intoArray(acc, 7 * Gemm.NR);
  }

  /** 4 pixels × 16 channels, pixels 32 floats apart: every run into {@code acc}. */
  private static void tile4Step32(
      float[] a, int aOff, int[] segOff, int segLen, float[] b, int bOff, float[] acc) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    for (int s = 0; s < segOff.length; s++) {
      int p = aOff + segOff[s];
      int kb = bOff + s * segLen * WIDTH;
      for (int j = 0; j < segLen; j++) {
        FloatVector b0 = FloatVector.fromArray(F, b, kb + j * WIDTH);
        FloatVector b1 = FloatVector.fromArray(F, b, kb + j * WIDTH + Gemm.NR);
        int q = p + j;
        FloatVector a0 = FloatVector.broadcast(F, a[q]);
        c0 = a0.fma(b0, c0);
        c1 = a0.fma(b1, c1);
        FloatVector a1 = FloatVector.broadcast(F, a[q + 32]);
        c2 = a1.fma(b0, c2);
        c3 = a1.fma(b1, c3);
        FloatVector a2 = FloatVector.broadcast(F, a[q + 64]);
        c4 = a2.fma(b0, c4);
        c5 = a2.fma(b1, c5);
        FloatVector a3 = FloatVector.broadcast(F, a[q + 96]);
        c6 = a3.fma(b0, c6);
        c7 = a3.fma(b1, c7);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, Gemm.NR);
    c2.intoArray(acc, 2 * Gemm.NR);
    c3.intoArray(acc, 3 * Gemm.NR);
    c4.intoArray(acc, 4 * Gemm.NR);
    c5.intoArray(acc, 5 * Gemm.NR);
    c6.intoArray(acc, 6 * Gemm.NR);
    c7.intoArray(acc, 7 * Gemm.NR);
  }

  /** 4 pixels × 16 channels, pixels 64 floats apart: every run into {@code acc}. */
  private static void tile4Step64(
      float[] a, int aOff, int[] segOff, int segLen, float[] b, int bOff, float[] acc) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    for (int s = 0; s < segOff.length; s++) {
      int p = aOff + segOff[s];
      int kb = bOff + s * segLen * WIDTH;
      for (int j = 0; j < segLen; j++) {
        FloatVector b0 = FloatVector.fromArray(F, b, kb + j * WIDTH);
        FloatVector b1 = FloatVector.fromArray(F, b, kb + j * WIDTH + Gemm.NR);
        int q = p + j;
        FloatVector a0 = FloatVector.broadcast(F, a[q]);
        c0 = a0.fma(b0, c0);
        c1 = a0.fma(b1, c1);
        FloatVector a1 = FloatVector.broadcast(F, a[q + 64]);
        c2 = a1.fma(b0, c2);
        c3 = a1.fma(b1, c3);
        FloatVector a2 = FloatVector.broadcast(F, a[q + 128]);
        c4 = a2.fma(b0, c4);
        c5 = a2.fma(b1, c5);
        FloatVector a3 = FloatVector.broadcast(F, a[q + 192]);
        c6 = a3.fma(b0, c6);
        c7 = a3.fma(b1, c7);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, Gemm.NR);
    c2.intoArray(acc, 2 * Gemm.NR);
    c3.intoArray(acc, 3 * Gemm.NR);
    c4.intoArray(acc, 4 * Gemm.NR);
    c5.intoArray(acc, 5 * Gemm.NR);
    c6.intoArray(acc, 6 * Gemm.NR);
    c7.intoArray(acc, 7 * Gemm.NR);
  }

  /** 6 pixels × two vectors of channels, pixels 16 floats apart: every run into {@code acc}. */
  private static void tile6Step16(
      float[] a, int aOff, int[] segOff, int segLen, float[] b, int bOff, float[] acc) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    FloatVector c8 = c0;
    FloatVector c9 = c0;
    FloatVector c10 = c0;
    FloatVector c11 = c0;
    for (int s = 0; s < segOff.length; s++) {
      int p = aOff + segOff[s];
      int kb = bOff + s * segLen * WIDTH;
      for (int j = 0; j < segLen; j++) {
        FloatVector b0 = FloatVector.fromArray(F, b, kb + j * WIDTH);
        FloatVector b1 = FloatVector.fromArray(F, b, kb + j * WIDTH + Gemm.NR);
        int q = p + j;
        FloatVector a0 = FloatVector.broadcast(F, a[q]);
        c0 = a0.fma(b0, c0);
        c1 = a0.fma(b1, c1);
        FloatVector a1 = FloatVector.broadcast(F, a[q + 16]);
        c2 = a1.fma(b0, c2);
        c3 = a1.fma(b1, c3);
        FloatVector a2 = FloatVector.broadcast(F, a[q + 32]);
        c4 = a2.fma(b0, c4);
        c5 = a2.fma(b1, c5);
        FloatVector a3 = FloatVector.broadcast(F, a[q + 48]);
        c6 = a3.fma(b0, c6);
        c7 = a3.fma(b1, c7);
        FloatVector a4 = FloatVector.broadcast(F, a[q + 64]);
        c8 = a4.fma(b0, c8);
        c9 = a4.fma(b1, c9);
        FloatVector a5 = FloatVector.broadcast(F, a[q + 80]);
        c10 = a5.fma(b0, c10);
        c11 = a5.fma(b1, c11);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, 1 * Gemm.NR);
    c2.intoArray(acc, 2 * Gemm.NR);
    c3.intoArray(acc, 3 * Gemm.NR);
    c4.intoArray(acc, 4 * Gemm.NR);
    c5.intoArray(acc, 5 * Gemm.NR);
    c6.intoArray(acc, 6 * Gemm.NR);
    c7.intoArray(acc, 7 * Gemm.NR);
    c8.intoArray(acc, 8 * Gemm.NR);
    c9.intoArray(acc, 9 * Gemm.NR);
    c10.intoArray(acc, 10 * Gemm.NR);
    c11.intoArray(acc, 11 * Gemm.NR);
  }

  /** 6 pixels × two vectors of channels, pixels 32 floats apart: every run into {@code acc}. */
  private static void tile6Step32(
      float[] a, int aOff, int[] segOff, int segLen, float[] b, int bOff, float[] acc) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    FloatVector c8 = c0;
    FloatVector c9 = c0;
    FloatVector c10 = c0;
    FloatVector c11 = c0;
    for (int s = 0; s < segOff.length; s++) {
      int p = aOff + segOff[s];
      int kb = bOff + s * segLen * WIDTH;
      for (int j = 0; j < segLen; j++) {
        FloatVector b0 = FloatVector.fromArray(F, b, kb + j * WIDTH);
        FloatVector b1 = FloatVector.fromArray(F, b, kb + j * WIDTH + Gemm.NR);
        int q = p + j;
        FloatVector a0 = FloatVector.broadcast(F, a[q]);
        c0 = a0.fma(b0, c0);
        c1 = a0.fma(b1, c1);
        FloatVector a1 = FloatVector.broadcast(F, a[q + 32]);
        c2 = a1.fma(b0, c2);
        c3 = a1.fma(b1, c3);
        FloatVector a2 = FloatVector.broadcast(F, a[q + 64]);
        c4 = a2.fma(b0, c4);
        c5 = a2.fma(b1, c5);
        FloatVector a3 = FloatVector.broadcast(F, a[q + 96]);
        c6 = a3.fma(b0, c6);
        c7 = a3.fma(b1, c7);
        FloatVector a4 = FloatVector.broadcast(F, a[q + 128]);
        c8 = a4.fma(b0, c8);
        c9 = a4.fma(b1, c9);
        FloatVector a5 = FloatVector.broadcast(F, a[q + 160]);
        c10 = a5.fma(b0, c10);
        c11 = a5.fma(b1, c11);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, 1 * Gemm.NR);
    c2.intoArray(acc, 2 * Gemm.NR);
    c3.intoArray(acc, 3 * Gemm.NR);
    c4.intoArray(acc, 4 * Gemm.NR);
    c5.intoArray(acc, 5 * Gemm.NR);
    c6.intoArray(acc, 6 * Gemm.NR);
    c7.intoArray(acc, 7 * Gemm.NR);
    c8.intoArray(acc, 8 * Gemm.NR);
    c9.intoArray(acc, 9 * Gemm.NR);
    c10.intoArray(acc, 10 * Gemm.NR);
    c11.intoArray(acc, 11 * Gemm.NR);
  }

  /** 6 pixels × two vectors of channels, pixels 64 floats apart: every run into {@code acc}. */
  private static void tile6Step64(
      float[] a, int aOff, int[] segOff, int segLen, float[] b, int bOff, float[] acc) {
    FloatVector c0 = FloatVector.zero(F);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    FloatVector c4 = c0;
    FloatVector c5 = c0;
    FloatVector c6 = c0;
    FloatVector c7 = c0;
    FloatVector c8 = c0;
    FloatVector c9 = c0;
    FloatVector c10 = c0;
    FloatVector c11 = c0;
    for (int s = 0; s < segOff.length; s++) {
      int p = aOff + segOff[s];
      int kb = bOff + s * segLen * WIDTH;
      for (int j = 0; j < segLen; j++) {
        FloatVector b0 = FloatVector.fromArray(F, b, kb + j * WIDTH);
        FloatVector b1 = FloatVector.fromArray(F, b, kb + j * WIDTH + Gemm.NR);
        int q = p + j;
        FloatVector a0 = FloatVector.broadcast(F, a[q]);
        c0 = a0.fma(b0, c0);
        c1 = a0.fma(b1, c1);
        FloatVector a1 = FloatVector.broadcast(F, a[q + 64]);
        c2 = a1.fma(b0, c2);
        c3 = a1.fma(b1, c3);
        FloatVector a2 = FloatVector.broadcast(F, a[q + 128]);
        c4 = a2.fma(b0, c4);
        c5 = a2.fma(b1, c5);
        FloatVector a3 = FloatVector.broadcast(F, a[q + 192]);
        c6 = a3.fma(b0, c6);
        c7 = a3.fma(b1, c7);
        FloatVector a4 = FloatVector.broadcast(F, a[q + 256]);
        c8 = a4.fma(b0, c8);
        c9 = a4.fma(b1, c9);
        FloatVector a5 = FloatVector.broadcast(F, a[q + 320]);
        c10 = a5.fma(b0, c10);
        c11 = a5.fma(b1, c11);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, 1 * Gemm.NR);
    c2.intoArray(acc, 2 * Gemm.NR);
    c3.intoArray(acc, 3 * Gemm.NR);
    c4.intoArray(acc, 4 * Gemm.NR);
    c5.intoArray(acc, 5 * Gemm.NR);
    c6.intoArray(acc, 6 * Gemm.NR);
    c7.intoArray(acc, 7 * Gemm.NR);
    c8.intoArray(acc, 8 * Gemm.NR);
    c9.intoArray(acc, 9 * Gemm.NR);
    c10.intoArray(acc, 10 * Gemm.NR);
    c11.intoArray(acc, 11 * Gemm.NR);
  }
}
