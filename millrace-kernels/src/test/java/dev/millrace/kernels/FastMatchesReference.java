package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;

/**
 * Shared fixtures of the fast-versus-reference tests: the kernels (single-threaded and on a pool of
 * three threads, an odd count so that splits are uneven), random tensors and the comparison.
 */
final class FastMatchesReference {
  private FastMatchesReference() {}

  /** Daemon threads, shared by every test of the JVM. */
  static final KernelThreadPool POOL = KernelThreadPool.create(3);

  static final Kernels REFERENCE = new ReferenceKernels();
  static final Kernels FAST = new FastKernels();
  static final Kernels FAST_THREADED = new FastKernels(POOL);

  static Kernels fast(boolean threaded) {
    return threaded ? FAST_THREADED : FAST;
  }

  /** Lengths around the vector width (8), the micro-kernel heights (8, 12) and primes. */
  static final int[] AWKWARD = {0, 1, 2, 3, 7, 8, 9, 11, 12, 13, 16, 17, 23, 31, 37};

  /** One of {@code values}, drawn from {@code rnd}. */
  static int pick(Random rnd, int... values) {
    return values[rnd.nextInt(values.length)];
  }

  /** FLOAT32 values uniform in [-1, 1). */
  static Tensor random(Random rnd, Shape shape) {
    float[] v = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return Tensor.ofFloats(shape, v);
  }

  static Tensor random(Random rnd, long... dims) {
    return random(rnd, Shape.of(dims));
  }

  /**
   * Asserts same type and shape and {@code |actual - expected| <= absolute + relative * |expected|}
   * element by element; NaN must meet NaN.
   */
  static void assertMatches(Tensor actual, Tensor expected, double absolute, double relative) {
    assertThat(actual.dtype()).isEqualTo(expected.dtype());
    assertThat(actual.shape()).isEqualTo(expected.shape());
    for (long i = 0; i < expected.size(); i++) {
      double e = expected.getAsDouble(i);
      double a = actual.getAsDouble(i);
      if (Double.isNaN(e) || Double.isNaN(a)) {
        assertThat(a).as("element %d of %s", i, expected.shape()).isNaN();
        assertThat(e).as("element %d of %s", i, expected.shape()).isNaN();
        continue;
      }
      if (Double.isInfinite(e)) {
        assertThat(a).as("element %d of %s", i, expected.shape()).isEqualTo(e);
        continue;
      }
      assertThat(Math.abs(a - e))
          .as("element %d of %s: fast %s, reference %s", i, expected.shape(), a, e)
          .isLessThanOrEqualTo(absolute + relative * Math.abs(e));
    }
  }

  static Tensor doubles(Tensor floats) {
    double[] d = new double[Math.toIntExact(floats.size())];
    for (int i = 0; i < d.length; i++) {
      d[i] = floats.getFloat(i);
    }
    return Tensor.ofDoubles(floats.shape(), d);
  }

  static boolean isFloat(Tensor t) {
    return t.dtype() == DType.FLOAT32;
  }
}
