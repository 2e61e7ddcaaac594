package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.AffineRequantization;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-channel affine epilogue of the fused eight-bit layers ({@link AffineRequantization}) over
 * rows of 32-bit sums, channels last, vectorised over channels: the same multiply-add, clamp and
 * rounding as the scalar {@link AffineRequantization#apply}, so the codes are identical.
 */
final class AffineRows {
  private static final VectorSpecies<Float> F = SimdWidth.FLOAT;
  private static final VectorSpecies<Integer> I = SimdWidth.INT;

  private AffineRows() {}

  /** An {@link AffineRequantization}'s arrays, copied out once per call rather than per row. */
  record Plan(float[] scale, float[] offset, int low) {
    static Plan of(AffineRequantization a) {
      return new Plan(a.scale(), a.offset(), a.lowCode());
    }

    void codes(int[] sums, int from, int n, int channels, byte[] codes, int at) {
      AffineRows.codes(sums, from, n, channels, scale, offset, low, codes, at);
    }
  }

  /**
   * The codes of {@code sums[from, from + n)} ({@code n / channels} pixels) written to {@code
   * codes[at, at + n)}. The sums are overwritten (they are scratch): the vector loop leaves each
   * code there as an int and a plain loop narrows them, since a 128-bit int vector has no byte
   * vector of its lane count to convert to.
   */
  static void codes(
      int[] sums,
      int from,
      int n,
      int channels,
      float[] scale,
      float[] offset,
      int low,
      byte[] codes,
      int at) {
    int lanes = F.length();
    int bound = channels - lanes;
    float lowF = low;
    for (int i = from; i < from + n; i += channels) {
      int c = 0;
      for (; c <= bound; c += lanes) {
        FloatVector s =
            (FloatVector) IntVector.fromArray(I, sums, i + c).convert(VectorOperators.I2F, 0);
        FloatVector v =
            s.fma(FloatVector.fromArray(F, scale, c), FloatVector.fromArray(F, offset, c))
                .max(lowF)
                .min(255f)
                .add(0.5f);
        v.convert(VectorOperators.F2I, 0).reinterpretAsInts().intoArray(sums, i + c);
      }
      for (; c < channels; c++) {
        sums[i + c] =
            AffineRequantization.toCode(Math.fma((float) sums[i + c], scale[c], offset[c]), low);
      }
    }
    for (int i = 0; i < n; i++) {
      codes[at + i] = (byte) sums[from + i];
    }
  }

  /** {@code out[at + i] = sums[from + i] · scale[c] + offset[c]}, one fused multiply-add. */
  static void values(
      int[] sums,
      int from,
      int n,
      int channels,
      float[] scale,
      float[] offset,
      float[] out,
      int at) {
    int lanes = F.length();
    int bound = channels - lanes;
    for (int i = 0; i < n; i += channels) {
      int c = 0;
      for (; c <= bound; c += lanes) {
        FloatVector s =
            (FloatVector)
                IntVector.fromArray(I, sums, from + i + c).convert(VectorOperators.I2F, 0);
        s.fma(FloatVector.fromArray(F, scale, c), FloatVector.fromArray(F, offset, c))
            .intoArray(out, at + i + c);
      }
      for (; c < channels; c++) {
        out[at + i + c] = Math.fma((float) sums[from + i + c], scale[c], offset[c]);
      }
    }
  }
}
