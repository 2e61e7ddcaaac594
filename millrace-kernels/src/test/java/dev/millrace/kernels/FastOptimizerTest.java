package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast optimizer updates (float, in place) against the reference (double) on lengths around the
 * vector width and past the per-thread split. Tolerance: a few float roundings of values of order
 * 1, {@code 1e-6} absolute plus {@code 1e-6} relative; Adam's division by {@code sqrt(v) + eps}
 * allows {@code 1e-5}.
 */
class FastOptimizerTest {

  enum Update {
    GRADIENT_DESCENT,
    MOMENTUM,
    NESTEROV,
    ADAM
  }

  static Stream<Arguments> cases() {
    int[] lengths = {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1031, 65_537, 100_003};
    List<Arguments> cases = new ArrayList<>();
    long seed = 3;
    for (Update u : Update.values()) {
      for (int n : lengths) {
        for (boolean threaded : new boolean[] {false, true}) {
          cases.add(Arguments.of(u, n, threaded, seed++));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} n={1} threaded={2} seed={3}")
  @MethodSource("cases")
  void updateMatchesReferenceInPlace(Update update, int n, boolean threaded, long seed) {
    Random rnd = new Random(seed);
    Tensor var = random(rnd, Shape.of(n));
    Tensor grad = random(rnd, Shape.of(n));
    Tensor a = random(rnd, Shape.of(n));
    Tensor b = abs(random(rnd, Shape.of(n)));
    Tensor[] fastState = {copy(var), copy(a), copy(b)};
    Tensor[] refState = {copy(var), copy(a), copy(b)};
    apply(fast(threaded), update, fastState, grad);
    apply(REFERENCE, update, refState, grad);
    double tolerance = update == Update.ADAM ? 1e-5 : 1e-6;
    for (int i = 0; i < 3; i++) {
      assertMatches(fastState[i], refState[i], tolerance, tolerance);
    }
  }

  private static void apply(Kernels k, Update update, Tensor[] s, Tensor grad) {
    switch (update) {
      case GRADIENT_DESCENT -> k.applyGradientDescent(s[0], 0.05, grad);
      case MOMENTUM -> k.applyMomentum(s[0], s[1], 0.05, grad, 0.9, false);
      case NESTEROV -> k.applyMomentum(s[0], s[1], 0.05, grad, 0.9, true);
      case ADAM ->
          k.applyAdam(s[0], s[1], s[2], 0.9 * 0.9, 0.999 * 0.999, 1e-3, 0.9, 0.999, 1e-7, grad);
    }
  }

  @Test
  void updatesDoNotDependOnTheThreadCount() {
    Random rnd = new Random(17);
    Tensor grad = random(rnd, Shape.of(200_003));
    Tensor one = random(rnd, Shape.of(200_003));
    Tensor three = copy(one);
    Tensor accumOne = random(rnd, Shape.of(200_003));
    Tensor accumThree = copy(accumOne);
    fast(false).applyMomentum(one, accumOne, 0.1, grad, 0.9, true);
    fast(true).applyMomentum(three, accumThree, 0.1, grad, 0.9, true);
    assertThat(three.toFloatArray()).containsExactly(one.toFloatArray());
    assertThat(accumThree.toFloatArray()).containsExactly(accumOne.toFloatArray());
  }

  @Test
  void everyOpOutsideTheReferenceOnlyListHasAFastVersion() throws Exception {
    for (java.lang.reflect.Method m : Kernels.class.getMethods()) {
      if (m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      boolean overridden = declares(m);
      assertThat(overridden)
          .as("FastKernels overrides %s", m.getName())
          .isEqualTo(!FastKernels.REFERENCE_ONLY.contains(m.getName()));
    }
  }

  private static boolean declares(java.lang.reflect.Method m) {
    try {
      // javac adds bridges for the public methods a public class inherits from a package-private
      // one: those forward to the reference and do not count.
      java.lang.reflect.Method own =
          FastKernels.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
      return !own.isBridge() && !own.isSynthetic();
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static Tensor copy(Tensor t) {
    return Tensor.ofFloats(t.shape(), t.toFloatArray());
  }

  private static Tensor abs(Tensor t) {
    float[] v = t.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.abs(v[i]);
    }
    return Tensor.ofFloats(t.shape(), v);
  }
}
