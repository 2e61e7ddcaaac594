package dev.millrace.kernels.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The vector passes over one row of logits that softmax, log-softmax and the cross-entropy share:
 * the row maximum, and the sum of {@code exp(v - max)}. exp is {@link LaneMath#exp}, as in {@link
 * SimdElementwise}. A row's last partial vector runs masked, so a row of 10 classes takes two
 * vector steps rather than ten scalar exps, and every element goes through the same exp.
 */
final class SoftmaxRows {
  private SoftmaxRows() {}

  /**
   * Vectors of exps summed in float lanes before their total is added into a double: 16 terms of at
   * most 1 per lane keep each partial sum within a few float ulps of the exact one, well inside the
   * 4e-6 relative tolerance, however long the row.
   */
  private static final int BLOCK = 16 * Gemm.NR;

  private static final FloatVector MINUS_INFINITY =
      FloatVector.broadcast(Gemm.F, Float.NEGATIVE_INFINITY);

  /** The maximum of {@code v[base .. base + n)} (NaN if any is NaN), -inf for an empty row. */
  static float max(float[] v, int base, int n) {
    FloatVector acc = MINUS_INFINITY;
    int i = 0;
    for (; i <= n - Gemm.NR; i += Gemm.NR) {
      acc = acc.max(FloatVector.fromArray(Gemm.F, v, base + i));
    }
    if (i < n) {
      VectorMask<Float> m = Gemm.F.indexInRange(i, n);
      acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(Gemm.F, v, base + i, m), m);
    }
    return acc.reduceLanes(VectorOperators.MAX);
  }

  /**
   * {@code sum(exp(v[j] - max))} over the row, also writing each {@code exp(v[j] - max)} to {@code
   * out[outBase + j]} when {@code out} is not null. {@code max} must be finite.
   */
  static double expSum(float[] v, int base, int n, float max, float[] out, int outBase) {
    FloatVector shift = FloatVector.broadcast(Gemm.F, max);
    int full = n / Gemm.NR * Gemm.NR;
    double sum = 0;
    for (int b0 = 0; b0 < full; b0 += BLOCK) {
      int b1 = Math.min(full, b0 + BLOCK);
      FloatVector acc = FloatVector.zero(Gemm.F);
      for (int i = b0; i < b1; i += Gemm.NR) {
        FloatVector e = LaneMath.exp(FloatVector.fromArray(Gemm.F, v, base + i).sub(shift));
        if (out != null) {
          e.intoArray(out, outBase + i);
        }
        acc = acc.add(e);
      }
      sum += LaneMath.sum(acc);
    }
    int i = full;
    if (i < n) {
      VectorMask<Float> m = Gemm.F.indexInRange(i, n);
      FloatVector e = LaneMath.exp(FloatVector.fromArray(Gemm.F, v, base + i, m).sub(shift));
      if (out != null) {
        e.intoArray(out, outBase + i, m);
      }
      sum += LaneMath.sum(e, m);
    }
    return sum;
  }

  /** {@code y[j] *= factor} over the row. */
  static void scale(float[] y, int base, int n, float factor) {
    int i = 0;
    for (; i <= n - Gemm.NR; i += Gemm.NR) {
      FloatVector.fromArray(Gemm.F, y, base + i).mul(factor).intoArray(y, base + i);
    }
    if (i < n) {
      VectorMask<Float> m = Gemm.F.indexInRange(i, n);
      FloatVector.fromArray(Gemm.F, y, base + i, m).mul(factor).intoArray(y, base + i, m);
    }
  }

  /**
   * {@code y[j] = (v[j] - max) - logSum}: both terms are at most 0, so the difference loses nothing
   * to cancellation, which subtracting one rounded {@code max + logSum} from v would.
   */
  static void logShift(float[] v, float[] y, int base, int n, float max, float logSum) {
    FloatVector shift = FloatVector.broadcast(Gemm.F, max);
    FloatVector log = FloatVector.broadcast(Gemm.F, logSum);
    int i = 0;
    for (; i <= n - Gemm.NR; i += Gemm.NR) {
      FloatVector.fromArray(Gemm.F, v, base + i).sub(shift).sub(log).intoArray(y, base + i);
    }
    if (i < n) {
      VectorMask<Float> m = Gemm.F.indexInRange(i, n);
      FloatVector.fromArray(Gemm.F, v, base + i, m).sub(shift).sub(log).intoArray(y, base + i, m);
    }
  }

  /**
   * One output of a row whose maximum is not finite, computed as the reference kernels do: their
   * log-sum-exp is then the maximum itself (infinite, so that {@code inf - inf} is never formed, or
   * NaN), and the arithmetic is in double, so the special values come out as theirs.
   */
  static float nonFinite(float v, float max, boolean log) {
    double d = (double) v - max;
    return (float) (log ? d : Math.exp(d));
  }
}
