package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.Gemm.F;
import static dev.millrace.kernels.internal.simd.Gemm.NR;

import jdk.incubator.vector.FloatVector;

/**
 * Narrow micro-kernels of the direct NHWC convolution ({@link DirectConvNhwc}): a tile of 12 or 8
 * output pixels of one output row × 8 output channels, read straight from a padded input. They
 * serve the output channels left over after the 16-wide tiles of {@link WideConvMicroKernels}
 * (fewer than 16). Pixel {@code r} of the tile reads its patch as runs of {@code segLen} contiguous
 * floats (a filter row's {@code kw} taps of all input channels, when undilated), run {@code s} at
 * {@code a[aOff + r * step + segOff[s] + j]}, {@code step} being the distance between the patches
 * of adjacent output pixels ({@code strideW · c}). The filter is a packed B panel ({@code b[bOff +
 * k * 8 + l]}, k over the runs in order). Per step of k: one vector load of B, 12 or 8 broadcasts,
 * 12 or 8 FMAs, the instructions of {@link MicroKernels#micro12r}.
 *
 * <p>The shapes of these methods were chosen by reading C2's code for them
 * (-XX:CompileCommand=print) and timing them, on JDK 25:
 *
 * <ul>
 *   <li>The step must be a compile-time constant, so that the pixel offsets are displacements of
 *       one address: with the step a variable, C2 kept an address per pixel stream and the kernel
 *       ran 20–30 % slower than the packed GEMM. Hence one method per (height, step); steps other
 *       than those of {@link #hasStep} use the GEMM.
 *   <li>12 pixels: the runs' loop around the k loop made C2 spill accumulators (a third of the
 *       speed), so each run is its own single-loop method that takes and leaves its accumulators in
 *       a 12×8 buffer (12 loads and stores per run of 48 or more steps).
 *   <li>8 pixels: the other way round. As a single-loop method C2 hoisted all 8 broadcasts above
 *       the FMAs and spilled an accumulator through the stack every step (a third of the speed);
 *       inside the runs' loop it interleaves them and nothing spills.
 * </ul>
 */
final class ConvMicroKernels {
  private ConvMicroKernels() {}

  /** Pixel steps that have kernels: 16, 32 or 64 input channels at stride 1; 8, 16, 32 at 2. */
  static boolean hasStep(int step) {
    return step == 16 || step == 32 || step == 64;
  }

  /**
   * The tile of {@code height} (12 or 8) pixels × 8 channels; its first {@code rows} pixels and
   * {@code cols} channels are stored at {@code c[cAt + r * ldc + l]} (the others were computed from
   * readable padding or neighbouring pixels and are dropped). {@code acc} is a 12×8 buffer.
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
      int cols,
      float[] acc) {
    if (height == 12) {
      java.util.Arrays.fill(acc, 0, 12 * NR, 0f);
      for (int s = 0; s < segOff.length; s++) {
        int p = aOff + segOff[s];
        int kb = bOff + s * segLen * NR;
        switch (step) {
          case 16 -> run12Step16(a, p, segLen, b, kb, acc);
          case 32 -> run12Step32(a, p, segLen, b, kb, acc);
          case 64 -> run12Step64(a, p, segLen, b, kb, acc);
          default -> throw new IllegalArgumentException("no kernel for pixel step " + step);
        }
      }
    } else {
      switch (step) {
        case 16 -> tile8Step16(a, aOff, segOff, segLen, b, bOff, acc);
        case 32 -> tile8Step32(a, aOff, segOff, segLen, b, bOff, acc);
        case 64 -> tile8Step64(a, aOff, segOff, segLen, b, bOff, acc);
        default -> throw new IllegalArgumentException("no kernel for pixel step " + step);
      }
    }
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

  /** 12 pixels × 8 channels, pixels 16 floats apart: {@code len} steps of k into {@code acc}. */
  private static void run12Step16(float[] a, int p, int len, float[] b, int kb, float[] acc) {
    FloatVector c0 = FloatVector.fromArray(F, acc, 0);
    FloatVector c1 = FloatVector.fromArray(F, acc, NR);
    FloatVector c2 = FloatVector.fromArray(F, acc, 2 * NR);
    FloatVector c3 = FloatVector.fromArray(F, acc, 3 * NR);
    FloatVector c4 = FloatVector.fromArray(F, acc, 4 * NR);
    FloatVector c5 = FloatVector.fromArray(F, acc, 5 * NR);
    FloatVector c6 = FloatVector.fromArray(F, acc, 6 * NR);
    FloatVector c7 = FloatVector.fromArray(F, acc, 7 * NR);
    FloatVector c8 = FloatVector.fromArray(F, acc, 8 * NR);
    FloatVector c9 = FloatVector.fromArray(F, acc, 9 * NR);
    FloatVector c10 = FloatVector.fromArray(F, acc, 10 * NR);
    FloatVector c11 = FloatVector.fromArray(F, acc, 11 * NR);
    for (int j = 0; j < len; j++) {
      FloatVector bv = FloatVector.fromArray(F, b, kb + j * NR);
      int q = p + j;
      c0 = FloatVector.broadcast(F, a[q]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[q + 16]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[q + 32]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[q + 48]).fma(bv, c3);
      c4 = FloatVector.broadcast(F, a[q + 64]).fma(bv, c4);
      c5 = FloatVector.broadcast(F, a[q + 80]).fma(bv, c5);
      c6 = FloatVector.broadcast(F, a[q + 96]).fma(bv, c6);
      c7 = FloatVector.broadcast(F, a[q + 112]).fma(bv, c7);
      c8 = FloatVector.broadcast(F, a[q + 128]).fma(bv, c8);
      c9 = FloatVector.broadcast(F, a[q + 144]).fma(bv, c9);
      c10 = FloatVector.broadcast(F, a[q + 160]).fma(bv, c10);
      c11 = FloatVector.broadcast(F, a[q + 176]).fma(bv, c11);
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, NR);
    c2.intoArray(acc, 2 * NR);
    c3.intoArray(acc, 3 * NR);
    c4.intoArray(acc, 4 * NR);
    c5.intoArray(acc, 5 * NR);
    c6.intoArray(acc, 6 * NR);
    c7.intoArray(acc, 7 * NR);
    c8.intoArray(acc, 8 * NR);
    c9.intoArray(acc, 9 * NR);
    c10.intoArray(acc, 10 * NR);
    c11.intoArray(acc, 11 * NR);
  }

  /** 12 pixels × 8 channels, pixels 32 floats apart: {@code len} steps of k into {@code acc}. */
  private static void run12Step32(float[] a, int p, int len, float[] b, int kb, float[] acc) {
    FloatVector c0 = FloatVector.fromArray(F, acc, 0);
    FloatVector c1 = FloatVector.fromArray(F, acc, NR);
    FloatVector c2 = FloatVector.fromArray(F, acc, 2 * NR);
    FloatVector c3 = FloatVector.fromArray(F, acc, 3 * NR);
    FloatVector c4 = FloatVector.fromArray(F, acc, 4 * NR);
    FloatVector c5 = FloatVector.fromArray(F, acc, 5 * NR);
    FloatVector c6 = FloatVector.fromArray(F, acc, 6 * NR);
    FloatVector c7 = FloatVector.fromArray(F, acc, 7 * NR);
    FloatVector c8 = FloatVector.fromArray(F, acc, 8 * NR);
    FloatVector c9 = FloatVector.fromArray(F, acc, 9 * NR);
    FloatVector c10 = FloatVector.fromArray(F, acc, 10 * NR);
    FloatVector c11 = FloatVector.fromArray(F, acc, 11 * NR);
    for (int j = 0; j < len; j++) {
      FloatVector bv = FloatVector.fromArray(F, b, kb + j * NR);
      int q = p + j;
      c0 = FloatVector.broadcast(F, a[q]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[q + 32]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[q + 64]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[q + 96]).fma(bv, c3);
      c4 = FloatVector.broadcast(F, a[q + 128]).fma(bv, c4);
      c5 = FloatVector.broadcast(F, a[q + 160]).fma(bv, c5);
      c6 = FloatVector.broadcast(F, a[q + 192]).fma(bv, c6);
      c7 = FloatVector.broadcast(F, a[q + 224]).fma(bv, c7);
      c8 = FloatVector.broadcast(F, a[q + 256]).fma(bv, c8);
      c9 = FloatVector.broadcast(F, a[q + 288]).fma(bv, c9);
      c10 = FloatVector.broadcast(F, a[q + 320]).fma(bv, c10);
      c11 = FloatVector.broadcast(F, a[q + 352]).fma(bv, c11);
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, NR);
    c2.intoArray(acc, 2 * NR);
    c3.intoArray(acc, 3 * NR);
    c4.intoArray(acc, 4 * NR);
    c5.intoArray(acc, 5 * NR);
    c6.intoArray(acc, 6 * NR);
    c7.intoArray(acc, 7 * NR);
    c8.intoArray(acc, 8 * NR);
    c9.intoArray(acc, 9 * NR);
    c10.intoArray(acc, 10 * NR);
    c11.intoArray(acc, 11 * NR);
  }

  /** 12 pixels × 8 channels, pixels 64 floats apart: {@code len} steps of k into {@code acc}. */
  private static void run12Step64(float[] a, int p, int len, float[] b, int kb, float[] acc) {
    FloatVector c0 = FloatVector.fromArray(F, acc, 0);
    FloatVector c1 = FloatVector.fromArray(F, acc, NR);
    FloatVector c2 = FloatVector.fromArray(F, acc, 2 * NR);
    FloatVector c3 = FloatVector.fromArray(F, acc, 3 * NR);
    FloatVector c4 = FloatVector.fromArray(F, acc, 4 * NR);
    FloatVector c5 = FloatVector.fromArray(F, acc, 5 * NR);
    FloatVector c6 = FloatVector.fromArray(F, acc, 6 * NR);
    FloatVector c7 = FloatVector.fromArray(F, acc, 7 * NR);
    FloatVector c8 = FloatVector.fromArray(F, acc, 8 * NR);
    FloatVector c9 = FloatVector.fromArray(F, acc, 9 * NR);
    FloatVector c10 = FloatVector.fromArray(F, acc, 10 * NR);
    FloatVector c11 = FloatVector.fromArray(F, acc, 11 * NR);
    for (int j = 0; j < len; j++) {
      FloatVector bv = FloatVector.fromArray(F, b, kb + j * NR);
      int q = p + j;
      c0 = FloatVector.broadcast(F, a[q]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[q + 64]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[q + 128]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[q + 192]).fma(bv, c3);
      c4 = FloatVector.broadcast(F, a[q + 256]).fma(bv, c4);
      c5 = FloatVector.broadcast(F, a[q + 320]).fma(bv, c5);
      c6 = FloatVector.broadcast(F, a[q + 384]).fma(bv, c6);
      c7 = FloatVector.broadcast(F, a[q + 448]).fma(bv, c7);
      c8 = FloatVector.broadcast(F, a[q + 512]).fma(bv, c8);
      c9 = FloatVector.broadcast(F, a[q + 576]).fma(bv, c9);
      c10 = FloatVector.broadcast(F, a[q + 640]).fma(bv, c10);
      c11 = FloatVector.broadcast(F, a[q + 704]).fma(bv, c11);
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, NR);
    c2.intoArray(acc, 2 * NR);
    c3.intoArray(acc, 3 * NR);
    c4.intoArray(acc, 4 * NR);
    c5.intoArray(acc, 5 * NR);
    c6.intoArray(acc, 6 * NR);
    c7.intoArray(acc, 7 * NR);
    c8.intoArray(acc, 8 * NR);
    c9.intoArray(acc, 9 * NR);
    c10.intoArray(acc, 10 * NR);
    c11.intoArray(acc, 11 * NR);
  }

  /** 8 pixels × 8 channels, pixels 16 floats apart: every run into {@code acc}. */
  private static void tile8Step16(
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
      int kb = bOff + s * segLen * NR;
      for (int j = 0; j < segLen; j++) {
        FloatVector bv = FloatVector.fromArray(F, b, kb + j * NR);
        int q = p + j;
        c0 = FloatVector.broadcast(F, a[q]).fma(bv, c0);
        c1 = FloatVector.broadcast(F, a[q + 16]).fma(bv, c1);
        c2 = FloatVector.broadcast(F, a[q + 32]).fma(bv, c2);
        c3 = FloatVector.broadcast(F, a[q + 48]).fma(bv, c3);
        c4 = FloatVector.broadcast(F, a[q + 64]).fma(bv, c4);
        c5 = FloatVector.broadcast(F, a[q + 80]).fma(bv, c5);
        c6 = FloatVector.broadcast(F, a[q + 96]).fma(bv, c6);
        c7 = FloatVector.broadcast(F, a[q + 112]).fma(bv, c7);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, NR);
    c2.intoArray(acc, 2 * NR);
    c3.intoArray(acc, 3 * NR);
    c4.intoArray(acc, 4 * NR);
    c5.intoArray(acc, 5 * NR);
    c6.intoArray(acc, 6 * NR);
    c7.intoArray(acc, 7 * NR);
  }

  /** 8 pixels × 8 channels, pixels 32 floats apart: every run into {@code acc}. */
  private static void tile8Step32(
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
      int kb = bOff + s * segLen * NR;
      for (int j = 0; j < segLen; j++) {
        FloatVector bv = FloatVector.fromArray(F, b, kb + j * NR);
        int q = p + j;
        c0 = FloatVector.broadcast(F, a[q]).fma(bv, c0);
        c1 = FloatVector.broadcast(F, a[q + 32]).fma(bv, c1);
        c2 = FloatVector.broadcast(F, a[q + 64]).fma(bv, c2);
        c3 = FloatVector.broadcast(F, a[q + 96]).fma(bv, c3);
        c4 = FloatVector.broadcast(F, a[q + 128]).fma(bv, c4);
        c5 = FloatVector.broadcast(F, a[q + 160]).fma(bv, c5);
        c6 = FloatVector.broadcast(F, a[q + 192]).fma(bv, c6);
        c7 = FloatVector.broadcast(F, a[q + 224]).fma(bv, c7);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, NR);
    c2.intoArray(acc, 2 * NR);
    c3.intoArray(acc, 3 * NR);
    c4.intoArray(acc, 4 * NR);
    c5.intoArray(acc, 5 * NR);
    c6.intoArray(acc, 6 * NR);
    c7.intoArray(acc, 7 * NR);
  }

  /** 8 pixels × 8 channels, pixels 64 floats apart: every run into {@code acc}. */
  private static void tile8Step64(
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
      int kb = bOff + s * segLen * NR;
      for (int j = 0; j < segLen; j++) {
        FloatVector bv = FloatVector.fromArray(F, b, kb + j * NR);
        int q = p + j;
        c0 = FloatVector.broadcast(F, a[q]).fma(bv, c0);
        c1 = FloatVector.broadcast(F, a[q + 64]).fma(bv, c1);
        c2 = FloatVector.broadcast(F, a[q + 128]).fma(bv, c2);
        c3 = FloatVector.broadcast(F, a[q + 192]).fma(bv, c3);
        c4 = FloatVector.broadcast(F, a[q + 256]).fma(bv, c4);
        c5 = FloatVector.broadcast(F, a[q + 320]).fma(bv, c5);
        c6 = FloatVector.broadcast(F, a[q + 384]).fma(bv, c6);
        c7 = FloatVector.broadcast(F, a[q + 448]).fma(bv, c7);
      }
    }
    c0.intoArray(acc, 0);
    c1.intoArray(acc, NR);
    c2.intoArray(acc, 2 * NR);
    c3.intoArray(acc, 3 * NR);
    c4.intoArray(acc, 4 * NR);
    c5.intoArray(acc, 5 * NR);
    c6.intoArray(acc, 6 * NR);
    c7.intoArray(acc, 7 * NR);
  }
}
