package dev.millrace.kernels.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * A square block of floats, one vector per row, transposed in registers: what turns NHWC pixels
 * into channel rows of pixels for the tap tiles' row-planar band ({@link DirectConvNhwc}), 16 × 16
 * with 512-bit vectors and 8 × 8 with 256-bit ones. In each stage rows {@code i} and {@code i + s}
 * swap their off-diagonal {@code s}-lane blocks with one permute and one blend each. Copying float
 * by float took a fifth of a 16→16 3×3 layer's time at 32×32 (512 bits); a gather of one channel's
 * pixels was slower still.
 *
 * <p>Written out, one variable per row: an array of vectors, or a helper returning one, would leave
 * the vectors in memory.
 */
final class RegisterTranspose {
  /** Rows and columns of the block at the host's width: its lanes, where a kernel exists. */
  static final int SIZE = Gemm.NR == 16 || Gemm.NR == 8 ? Gemm.NR : 0;

  private static final VectorShuffle<Float> DOWN_8 = shift(-8);
  private static final VectorShuffle<Float> DOWN_4 = shift(-4);
  private static final VectorShuffle<Float> DOWN_2 = shift(-2);
  private static final VectorShuffle<Float> DOWN_1 = shift(-1);
  private static final VectorShuffle<Float> UP_8 = shift(8);
  private static final VectorShuffle<Float> UP_4 = shift(4);
  private static final VectorShuffle<Float> UP_2 = shift(2);
  private static final VectorShuffle<Float> UP_1 = shift(1);
  private static final VectorMask<Float> HIGH_8 = high(8);
  private static final VectorMask<Float> HIGH_4 = high(4);
  private static final VectorMask<Float> HIGH_2 = high(2);
  private static final VectorMask<Float> HIGH_1 = high(1);
  private static final VectorMask<Float> LOW_8 = HIGH_8.not();
  private static final VectorMask<Float> LOW_4 = HIGH_4.not();
  private static final VectorMask<Float> LOW_2 = HIGH_2.not();
  private static final VectorMask<Float> LOW_1 = HIGH_1.not();

  private RegisterTranspose() {}

  /** Lane {@code l} takes lane {@code l + by} (wrapping; the wrapped lanes are blended away). */
  private static VectorShuffle<Float> shift(int by) {
    int n = Gemm.F.length();
    return VectorShuffle.fromOp(Gemm.F, l -> Math.floorMod(l + by, n));
  }

  /** The lanes whose index has bit {@code s} set: the high half of each {@code 2s}-lane group. */
  private static VectorMask<Float> high(int s) {
    long bits = 0;
    for (int l = 0; l < Gemm.F.length(); l++) {
      if ((l & s) != 0) {
        bits |= 1L << l;
      }
    }
    return VectorMask.fromLong(Gemm.F, bits);
  }

  /**
   * The block of {@link #SIZE} rows at {@code s} ({@code sStride} apart) transposed into rows at
   * {@code d} ({@code dStride} apart). Only where {@code SIZE > 0}.
   */
  static void block(float[] src, int s, int sStride, float[] dst, int d, int dStride) {
    if (SIZE == 16) {
      block16(src, s, sStride, dst, d, dStride);
    } else {
      block8(src, s, sStride, dst, d, dStride);
    }
  }

  /**
   * {@code dst[d + l * dStride + r] = src[s + r * sStride + l]} for {@code r, l < 16}. Only where
   * the host's vectors have 16 lanes.
   */
  static void block16(float[] src, int s, int sStride, float[] dst, int d, int dStride) {
    FloatVector r0 = FloatVector.fromArray(Gemm.F, src, s + 0 * sStride);
    FloatVector r1 = FloatVector.fromArray(Gemm.F, src, s + 1 * sStride);
    FloatVector r2 = FloatVector.fromArray(Gemm.F, src, s + 2 * sStride);
    FloatVector r3 = FloatVector.fromArray(Gemm.F, src, s + 3 * sStride);
    FloatVector r4 = FloatVector.fromArray(Gemm.F, src, s + 4 * sStride);
    FloatVector r5 = FloatVector.fromArray(Gemm.F, src, s + 5 * sStride);
    FloatVector r6 = FloatVector.fromArray(Gemm.F, src, s + 6 * sStride);
    FloatVector r7 = FloatVector.fromArray(Gemm.F, src, s + 7 * sStride);
    FloatVector r8 = FloatVector.fromArray(Gemm.F, src, s + 8 * sStride);
    FloatVector r9 = FloatVector.fromArray(Gemm.F, src, s + 9 * sStride);
    FloatVector r10 = FloatVector.fromArray(Gemm.F, src, s + 10 * sStride);
    FloatVector r11 = FloatVector.fromArray(Gemm.F, src, s + 11 * sStride);
    FloatVector r12 = FloatVector.fromArray(Gemm.F, src, s + 12 * sStride);
    FloatVector r13 = FloatVector.fromArray(Gemm.F, src, s + 13 * sStride);
    FloatVector r14 = FloatVector.fromArray(Gemm.F, src, s + 14 * sStride);
    FloatVector r15 = FloatVector.fromArray(Gemm.F, src, s + 15 * sStride);
    // Rows i and i + 8 swap their off-diagonal 8-lane blocks.
    FloatVector a0s8 = r0.blend(r8.rearrange(DOWN_8), HIGH_8);
    r8 = r8.blend(r0.rearrange(UP_8), LOW_8);
    r0 = a0s8;
    FloatVector a1s8 = r1.blend(r9.rearrange(DOWN_8), HIGH_8);
    r9 = r9.blend(r1.rearrange(UP_8), LOW_8);
    r1 = a1s8;
    FloatVector a2s8 = r2.blend(r10.rearrange(DOWN_8), HIGH_8);
    r10 = r10.blend(r2.rearrange(UP_8), LOW_8);
    r2 = a2s8;
    FloatVector a3s8 = r3.blend(r11.rearrange(DOWN_8), HIGH_8);
    r11 = r11.blend(r3.rearrange(UP_8), LOW_8);
    r3 = a3s8;
    FloatVector a4s8 = r4.blend(r12.rearrange(DOWN_8), HIGH_8);
    r12 = r12.blend(r4.rearrange(UP_8), LOW_8);
    r4 = a4s8;
    FloatVector a5s8 = r5.blend(r13.rearrange(DOWN_8), HIGH_8);
    r13 = r13.blend(r5.rearrange(UP_8), LOW_8);
    r5 = a5s8;
    FloatVector a6s8 = r6.blend(r14.rearrange(DOWN_8), HIGH_8);
    r14 = r14.blend(r6.rearrange(UP_8), LOW_8);
    r6 = a6s8;
    FloatVector a7s8 = r7.blend(r15.rearrange(DOWN_8), HIGH_8);
    r15 = r15.blend(r7.rearrange(UP_8), LOW_8);
    r7 = a7s8;
    // Rows i and i + 4 swap their off-diagonal 4-lane blocks.
    FloatVector a0s4 = r0.blend(r4.rearrange(DOWN_4), HIGH_4);
    r4 = r4.blend(r0.rearrange(UP_4), LOW_4);
    r0 = a0s4;
    FloatVector a1s4 = r1.blend(r5.rearrange(DOWN_4), HIGH_4);
    r5 = r5.blend(r1.rearrange(UP_4), LOW_4);
    r1 = a1s4;
    FloatVector a2s4 = r2.blend(r6.rearrange(DOWN_4), HIGH_4);
    r6 = r6.blend(r2.rearrange(UP_4), LOW_4);
    r2 = a2s4;
    FloatVector a3s4 = r3.blend(r7.rearrange(DOWN_4), HIGH_4);
    r7 = r7.blend(r3.rearrange(UP_4), LOW_4);
    r3 = a3s4;
    FloatVector a8s4 = r8.blend(r12.rearrange(DOWN_4), HIGH_4);
    r12 = r12.blend(r8.rearrange(UP_4), LOW_4);
    r8 = a8s4;
    FloatVector a9s4 = r9.blend(r13.rearrange(DOWN_4), HIGH_4);
    r13 = r13.blend(r9.rearrange(UP_4), LOW_4);
    r9 = a9s4;
    FloatVector a10s4 = r10.blend(r14.rearrange(DOWN_4), HIGH_4);
    r14 = r14.blend(r10.rearrange(UP_4), LOW_4);
    r10 = a10s4;
    FloatVector a11s4 = r11.blend(r15.rearrange(DOWN_4), HIGH_4);
    r15 = r15.blend(r11.rearrange(UP_4), LOW_4);
    r11 = a11s4;
    // Rows i and i + 2 swap their off-diagonal 2-lane blocks.
    FloatVector a0s2 = r0.blend(r2.rearrange(DOWN_2), HIGH_2);
    r2 = r2.blend(r0.rearrange(UP_2), LOW_2);
    r0 = a0s2;
    FloatVector a1s2 = r1.blend(r3.rearrange(DOWN_2), HIGH_2);
    r3 = r3.blend(r1.rearrange(UP_2), LOW_2);
    r1 = a1s2;
    FloatVector a4s2 = r4.blend(r6.rearrange(DOWN_2), HIGH_2);
    r6 = r6.blend(r4.rearrange(UP_2), LOW_2);
    r4 = a4s2;
    FloatVector a5s2 = r5.blend(r7.rearrange(DOWN_2), HIGH_2);
    r7 = r7.blend(r5.rearrange(UP_2), LOW_2);
    r5 = a5s2;
    FloatVector a8s2 = r8.blend(r10.rearrange(DOWN_2), HIGH_2);
    r10 = r10.blend(r8.rearrange(UP_2), LOW_2);
    r8 = a8s2;
    FloatVector a9s2 = r9.blend(r11.rearrange(DOWN_2), HIGH_2);
    r11 = r11.blend(r9.rearrange(UP_2), LOW_2);
    r9 = a9s2;
    FloatVector a12s2 = r12.blend(r14.rearrange(DOWN_2), HIGH_2);
    r14 = r14.blend(r12.rearrange(UP_2), LOW_2);
    r12 = a12s2;
    FloatVector a13s2 = r13.blend(r15.rearrange(DOWN_2), HIGH_2);
    r15 = r15.blend(r13.rearrange(UP_2), LOW_2);
    r13 = a13s2;
    // Rows i and i + 1 swap their off-diagonal 1-lane blocks.
    FloatVector a0s1 = r0.blend(r1.rearrange(DOWN_1), HIGH_1);
    r1 = r1.blend(r0.rearrange(UP_1), LOW_1);
    r0 = a0s1;
    FloatVector a2s1 = r2.blend(r3.rearrange(DOWN_1), HIGH_1);
    r3 = r3.blend(r2.rearrange(UP_1), LOW_1);
    r2 = a2s1;
    FloatVector a4s1 = r4.blend(r5.rearrange(DOWN_1), HIGH_1);
    r5 = r5.blend(r4.rearrange(UP_1), LOW_1);
    r4 = a4s1;
    FloatVector a6s1 = r6.blend(r7.rearrange(DOWN_1), HIGH_1);
    r7 = r7.blend(r6.rearrange(UP_1), LOW_1);
    r6 = a6s1;
    FloatVector a8s1 = r8.blend(r9.rearrange(DOWN_1), HIGH_1);
    r9 = r9.blend(r8.rearrange(UP_1), LOW_1);
    r8 = a8s1;
    FloatVector a10s1 = r10.blend(r11.rearrange(DOWN_1), HIGH_1);
    r11 = r11.blend(r10.rearrange(UP_1), LOW_1);
    r10 = a10s1;
    FloatVector a12s1 = r12.blend(r13.rearrange(DOWN_1), HIGH_1);
    r13 = r13.blend(r12.rearrange(UP_1), LOW_1);
    r12 = a12s1;
    FloatVector a14s1 = r14.blend(r15.rearrange(DOWN_1), HIGH_1);
    r15 = r15.blend(r14.rearrange(UP_1), LOW_1);
    r14 = a14s1;
    r0.intoArray(dst, d + 0 * dStride);
    r1.intoArray(dst, d + 1 * dStride);
    r2.intoArray(dst, d + 2 * dStride);
    r3.intoArray(dst, d + 3 * dStride);
    r4.intoArray(dst, d + 4 * dStride);
    r5.intoArray(dst, d + 5 * dStride);
    r6.intoArray(dst, d + 6 * dStride);
    r7.intoArray(dst, d + 7 * dStride);
    r8.intoArray(dst, d + 8 * dStride);
    r9.intoArray(dst, d + 9 * dStride);
    r10.intoArray(dst, d + 10 * dStride);
    r11.intoArray(dst, d + 11 * dStride);
    r12.intoArray(dst, d + 12 * dStride);
    r13.intoArray(dst, d + 13 * dStride);
    r14.intoArray(dst, d + 14 * dStride);
    r15.intoArray(dst, d + 15 * dStride);
  }

  /**
   * {@code dst[d + l * dStride + r] = src[s + r * sStride + l]} for {@code r, l < 8}. Only where
   * the host's vectors have 8 lanes.
   */
  static void block8(float[] src, int s, int sStride, float[] dst, int d, int dStride) {
    FloatVector r0 = FloatVector.fromArray(Gemm.F, src, s + 0 * sStride);
    FloatVector r1 = FloatVector.fromArray(Gemm.F, src, s + 1 * sStride);
    FloatVector r2 = FloatVector.fromArray(Gemm.F, src, s + 2 * sStride);
    FloatVector r3 = FloatVector.fromArray(Gemm.F, src, s + 3 * sStride);
    FloatVector r4 = FloatVector.fromArray(Gemm.F, src, s + 4 * sStride);
    FloatVector r5 = FloatVector.fromArray(Gemm.F, src, s + 5 * sStride);
    FloatVector r6 = FloatVector.fromArray(Gemm.F, src, s + 6 * sStride);
    FloatVector r7 = FloatVector.fromArray(Gemm.F, src, s + 7 * sStride);
    // Rows i and i + 4 swap their off-diagonal 4-lane blocks.
    FloatVector a0s4 = r0.blend(r4.rearrange(DOWN_4), HIGH_4);
    r4 = r4.blend(r0.rearrange(UP_4), LOW_4);
    r0 = a0s4;
    FloatVector a1s4 = r1.blend(r5.rearrange(DOWN_4), HIGH_4);
    r5 = r5.blend(r1.rearrange(UP_4), LOW_4);
    r1 = a1s4;
    FloatVector a2s4 = r2.blend(r6.rearrange(DOWN_4), HIGH_4);
    r6 = r6.blend(r2.rearrange(UP_4), LOW_4);
    r2 = a2s4;
    FloatVector a3s4 = r3.blend(r7.rearrange(DOWN_4), HIGH_4);
    r7 = r7.blend(r3.rearrange(UP_4), LOW_4);
    r3 = a3s4;
    // Rows i and i + 2 swap their off-diagonal 2-lane blocks.
    FloatVector a0s2 = r0.blend(r2.rearrange(DOWN_2), HIGH_2);
    r2 = r2.blend(r0.rearrange(UP_2), LOW_2);
    r0 = a0s2;
    FloatVector a1s2 = r1.blend(r3.rearrange(DOWN_2), HIGH_2);
    r3 = r3.blend(r1.rearrange(UP_2), LOW_2);
    r1 = a1s2;
    FloatVector a4s2 = r4.blend(r6.rearrange(DOWN_2), HIGH_2);
    r6 = r6.blend(r4.rearrange(UP_2), LOW_2);
    r4 = a4s2;
    FloatVector a5s2 = r5.blend(r7.rearrange(DOWN_2), HIGH_2);
    r7 = r7.blend(r5.rearrange(UP_2), LOW_2);
    r5 = a5s2;
    // Rows i and i + 1 swap their off-diagonal 1-lane blocks.
    FloatVector a0s1 = r0.blend(r1.rearrange(DOWN_1), HIGH_1);
    r1 = r1.blend(r0.rearrange(UP_1), LOW_1);
    r0 = a0s1;
    FloatVector a2s1 = r2.blend(r3.rearrange(DOWN_1), HIGH_1);
    r3 = r3.blend(r2.rearrange(UP_1), LOW_1);
    r2 = a2s1;
    FloatVector a4s1 = r4.blend(r5.rearrange(DOWN_1), HIGH_1);
    r5 = r5.blend(r4.rearrange(UP_1), LOW_1);
    r4 = a4s1;
    FloatVector a6s1 = r6.blend(r7.rearrange(DOWN_1), HIGH_1);
    r7 = r7.blend(r6.rearrange(UP_1), LOW_1);
    r6 = a6s1;
    r0.intoArray(dst, d + 0 * dStride);
    r1.intoArray(dst, d + 1 * dStride);
    r2.intoArray(dst, d + 2 * dStride);
    r3.intoArray(dst, d + 3 * dStride);
    r4.intoArray(dst, d + 4 * dStride);
    r5.intoArray(dst, d + 5 * dStride);
    r6.intoArray(dst, d + 6 * dStride);
    r7.intoArray(dst, d + 7 * dStride);
  }
}
