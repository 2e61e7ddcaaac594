package dev.millrace.kernels.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Lane sums and transcendental functions whose results do not depend on the JIT.
 *
 * <p>The Vector API leaves two things unspecified that a reproducible training run cannot tolerate:
 * the order in which {@code reduceLanes(ADD)} adds the lanes, and the exact result of {@code
 * lanewise(EXP / LOG / TANH)}. Both differ between interpreted code and C2's intrinsics, so the
 * same kernel call gave bit-different results depending on whether the JIT had compiled it yet, and
 * a training run resumed in a fresh JVM drifted away from the uninterrupted run. Here every
 * function is built from lanewise add, multiply, fused multiply-add, compare, blend and integer bit
 * operations, which are exact IEEE operations wherever they run, and lane sums go in one fixed
 * order. The polynomials are Cephes' single-precision ones: within 2 ulps of the exact result over
 * the whole float range (checked by a test against {@link Math}).
 */
final class LaneMath {
  private LaneMath() {}

  /** The lanes of {@code v} added in index order. */
  static float sum(FloatVector v) {
    float[] lanes = v.toArray();
    float s = 0;
    for (float x : lanes) {
      s += x;
    }
    return s;
  }

  /** The lanes of {@code v} selected by {@code m}, added in index order. */
  static float sum(FloatVector v, VectorMask<Float> m) {
    float[] lanes = v.toArray();
    float s = 0;
    for (int i = 0; i < lanes.length; i++) {
      if (m.laneIsSet(i)) {
        s += lanes[i];
      }
    }
    return s;
  }

  // exp: x = n·ln2 + r with |r| <= ln2/2, exp(r) by a degree-6 polynomial, 2^n by exponent bits.
  private static final float LOG2E = 1.44269504088896341f;
  private static final float LN2_HI = 0.693359375f; // few mantissa bits: n·LN2_HI is exact
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float ROUNDER = 12582912f; // 1.5·2^23: adding it rounds to an integer
  private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
  private static final float EXP_MAX = 88.72283905206835f; // above: +inf
  private static final float EXP_MIN = -103.972084f; // below: 0 (exp underflows even denormals)

  /** e<sup>x</sup> per lane; +inf above 88.72, 0 below -103.97, NaN for NaN. */
  static FloatVector exp(FloatVector x) {
    var s = x.species();
    FloatVector clamped = x.max(EXP_MIN).min(EXP_MAX);
    FloatVector t = clamped.fma(FloatVector.broadcast(s, LOG2E), FloatVector.broadcast(s, ROUNDER));
    FloatVector n = t.sub(ROUNDER);
    IntVector ni = t.reinterpretAsInts().sub(ROUNDER_BITS);
    FloatVector r = n.fma(FloatVector.broadcast(s, -LN2_HI), clamped);
    r = n.fma(FloatVector.broadcast(s, -LN2_LO), r);
    FloatVector p = FloatVector.broadcast(s, 1.9875691500e-4f);
    p = p.fma(r, FloatVector.broadcast(s, 1.3981999507e-3f));
    p = p.fma(r, FloatVector.broadcast(s, 8.3334519073e-3f));
    p = p.fma(r, FloatVector.broadcast(s, 4.1665795894e-2f));
    p = p.fma(r, FloatVector.broadcast(s, 1.6666665459e-1f));
    p = p.fma(r, FloatVector.broadcast(s, 5.0000001201e-1f));
    FloatVector y = p.fma(r.mul(r), r).add(1f);
    // 2^n as two factors, each a normal float even at n = -150 or n = 128.
    IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
    y = y.mul(powerOfTwo(half)).mul(powerOfTwo(ni.sub(half)));
    y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
    y = y.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
    return y.blend(x, x.test(VectorOperators.IS_NAN));
  }

  /** 2^n for {@code -126 <= n <= 127}. */
  private static FloatVector powerOfTwo(IntVector n) {
    return n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
  }

  private static final float SQRT_HALF = 0.707106781186547524f;

  /** The natural logarithm per lane; -inf for ±0, NaN below 0 and for NaN, +inf for +inf. */
  static FloatVector log(FloatVector x) {
    var s = x.species();
    // Denormals are scaled into the normal range first, so the exponent field tells the scale.
    VectorMask<Float> tiny = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
    FloatVector scaled = x.blend(x.mul(8388608f), tiny); // 2^23
    IntVector bits = scaled.reinterpretAsInts();
    IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(126);
    e = e.blend(e.sub(23), tiny.cast(e.species()));
    // m in [0.5, 1): x = m·2^e
    FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
    VectorMask<Float> low = m.compare(VectorOperators.LT, SQRT_HALF);
    FloatVector ef = (FloatVector) e.convert(VectorOperators.I2F, 0);
    ef = ef.blend(ef.sub(1f), low);
    FloatVector f = m.blend(m.add(m), low).sub(1f); // in [sqrt(1/2) - 1, sqrt(2) - 1)
    FloatVector z = f.mul(f);
    FloatVector p = FloatVector.broadcast(s, 7.0376836292e-2f);
    p = p.fma(f, FloatVector.broadcast(s, -1.1514610310e-1f));
    p = p.fma(f, FloatVector.broadcast(s, 1.1676998740e-1f));
    p = p.fma(f, FloatVector.broadcast(s, -1.2420140846e-1f));
    p = p.fma(f, FloatVector.broadcast(s, 1.4249322787e-1f));
    p = p.fma(f, FloatVector.broadcast(s, -1.6668057665e-1f));
    p = p.fma(f, FloatVector.broadcast(s, 2.0000714765e-1f));
    p = p.fma(f, FloatVector.broadcast(s, -2.4999993993e-1f));
    p = p.fma(f, FloatVector.broadcast(s, 3.3333331174e-1f));
    FloatVector y = p.mul(f).mul(z);
    y = ef.fma(FloatVector.broadcast(s, LN2_LO), y);
    y = z.fma(FloatVector.broadcast(s, -0.5f), y);
    y = f.add(y);
    y = ef.fma(FloatVector.broadcast(s, LN2_HI), y);
    y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    y = y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
    return y.blend(Float.NaN, x.compare(VectorOperators.LT, 0f).or(x.test(VectorOperators.IS_NAN)));
  }

  /** Below this |x| tanh is an odd polynomial; above, 1 - 2 / (e^2|x| + 1) loses nothing. */
  private static final float TANH_SMALL = 0.625f;

  /** The hyperbolic tangent per lane. */
  static FloatVector tanh(FloatVector x) {
    var s = x.species();
    FloatVector a = x.abs();
    FloatVector big =
        FloatVector.broadcast(s, 1f).sub(FloatVector.broadcast(s, 2f).div(exp(a.add(a)).add(1f)));
    big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
    FloatVector z = x.mul(x);
    FloatVector p = FloatVector.broadcast(s, -5.70498872745e-3f);
    p = p.fma(z, FloatVector.broadcast(s, 2.06390887954e-2f));
    p = p.fma(z, FloatVector.broadcast(s, -5.37397155531e-2f));
    p = p.fma(z, FloatVector.broadcast(s, 1.33314422036e-1f));
    p = p.fma(z, FloatVector.broadcast(s, -3.33332819422e-1f));
    FloatVector small = p.mul(z).fma(x, x);
    small = small.blend(x, x.compare(VectorOperators.EQ, 0f)); // keeps the sign of -0
    return big.blend(small, a.compare(VectorOperators.LT, TANH_SMALL));
  }
}
