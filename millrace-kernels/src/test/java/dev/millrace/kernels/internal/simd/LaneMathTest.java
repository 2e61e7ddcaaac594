package dev.millrace.kernels.internal.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.junit.jupiter.api.Test;

class LaneMathTest {
  private static final int LANES = Gemm.F.length();

  /** Largest distance in ulps from the correctly rounded result over the given inputs. */
  private static double worstUlps(
      float[] xs, UnaryOperator<FloatVector> f, DoubleUnaryOperator exact) {
    double worst = 0;
    float[] out = new float[LANES];
    for (int i = 0; i + LANES <= xs.length; i += LANES) {
      f.apply(FloatVector.fromArray(Gemm.F, xs, i)).intoArray(out, 0);
      for (int j = 0; j < LANES; j++) {
        float want = (float) exact.applyAsDouble(xs[i + j]);
        if (Float.isNaN(want) || Float.isInfinite(want) || want == 0) {
          assertThat(Float.valueOf(out[j])).as("f(%s)", xs[i + j]).isEqualTo(Float.valueOf(want));
          continue;
        }
        worst = Math.max(worst, Math.abs(out[j] - want) / Math.ulp(want));
      }
    }
    return worst;
  }

  private static float[] uniform(int n, float lo, float hi, long seed) {
    Random r = new Random(seed);
    float[] xs = new float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = lo + (hi - lo) * r.nextFloat();
    }
    return xs;
  }

  private static float[] specials(float... xs) {
    float[] padded = new float[(xs.length + LANES - 1) / LANES * LANES];
    System.arraycopy(xs, 0, padded, 0, xs.length);
    for (int i = xs.length; i < padded.length; i++) {
      padded[i] = xs[i % xs.length];
    }
    return padded;
  }

  @Test
  void expIsWithinTwoUlpsAndHandlesTheEdges() {
    assertThat(worstUlps(uniform(200_000, -87f, 88.7f, 1), LaneMath::exp, Math::exp))
        .isLessThanOrEqualTo(2);
    assertThat(worstUlps(uniform(20_000, -1f, 1f, 2), LaneMath::exp, Math::exp))
        .isLessThanOrEqualTo(2);
    float[] edges =
        specials(
            0f,
            -0f,
            88.72f,
            89f,
            1000f,
            -1000f,
            -103f,
            -95f,
            -87.5f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY);
    // a denormal result's ulp is the smallest denormal: within 2 of it
    assertThat(worstUlps(edges, LaneMath::exp, Math::exp)).isLessThanOrEqualTo(2);
  }

  @Test
  void logIsWithinTwoUlpsAndHandlesTheEdges() {
    assertThat(worstUlps(uniform(200_000, 1e-30f, 1e30f, 3), LaneMath::log, Math::log))
        .isLessThanOrEqualTo(2);
    assertThat(worstUlps(uniform(200_000, 0.5f, 2f, 4), LaneMath::log, Math::log))
        .isLessThanOrEqualTo(2);
    float[] edges =
        specials(
            1f,
            0f,
            -0f,
            -1f,
            Float.MIN_VALUE,
            1e-40f,
            Float.MIN_NORMAL,
            Float.MAX_VALUE,
            Float.POSITIVE_INFINITY,
            Float.NaN,
            2f,
            0.7071f);
    assertThat(worstUlps(edges, LaneMath::log, Math::log)).isLessThanOrEqualTo(2);
  }

  @Test
  void tanhIsWithinTwoUlps() {
    assertThat(worstUlps(uniform(200_000, -10f, 10f, 5), LaneMath::tanh, Math::tanh))
        .isLessThanOrEqualTo(2);
    assertThat(worstUlps(uniform(200_000, -0.7f, 0.7f, 6), LaneMath::tanh, Math::tanh))
        .isLessThanOrEqualTo(2);
    float[] edges =
        specials(0f, -0f, 1e-20f, 0.625f, -0.625f, 50f, -50f, Float.POSITIVE_INFINITY, Float.NaN);
    assertThat(worstUlps(edges, LaneMath::tanh, Math::tanh)).isLessThanOrEqualTo(2);
  }

  @Test
  void lanesAreSummedInIndexOrder() {
    float[] v = new float[LANES];
    v[0] = 1e8f;
    v[1] = 1f; // lost when added to 1e8 first, in index order
    v[LANES - 1] = -1e8f;
    float sequential = 0;
    for (float x : v) {
      sequential += x;
    }
    FloatVector x = FloatVector.fromArray(Gemm.F, v, 0);
    assertThat(LaneMath.sum(x)).isEqualTo(sequential).isEqualTo(0f);
    VectorMask<Float> firstTwo = Gemm.F.indexInRange(0, 2);
    assertThat(LaneMath.sum(x, firstTwo)).isEqualTo(1e8f + 1f);
  }
}
