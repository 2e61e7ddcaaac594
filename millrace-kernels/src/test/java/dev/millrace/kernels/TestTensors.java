package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.function.UnaryOperator;

/** Tensor builders, comparisons and a central-difference gradient for the kernel tests. */
final class TestTensors {
  private TestTensors() {}

  static Tensor floats(long[] dims, float... values) {
    return Tensor.ofFloats(Shape.of(dims), values);
  }

  static Tensor doubles(long[] dims, double... values) {
    return Tensor.ofDoubles(Shape.of(dims), values);
  }

  static long[] dims(long... d) {
    return d;
  }

  /** Uniform in [-1, 1). */
  static Tensor random(Random rnd, long... dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[Math.toIntExact(s.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextDouble() * 2 - 1;
    }
    return Tensor.ofDoubles(s, v);
  }

  /**
   * Distinct values at least 0.01 apart (a shuffled ramp), so a finite-difference step cannot
   * change which element of a window is the maximum.
   */
  static Tensor distinct(Random rnd, long... dims) {
    Shape s = Shape.of(dims);
    int n = Math.toIntExact(s.size());
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i - n / 2.0) * 0.01;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      double t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    return Tensor.ofDoubles(s, v);
  }

  /** Random values with {@code |x| >= margin} and none within margin of {@code kinks}. */
  static Tensor awayFrom(Random rnd, double margin, double[] kinks, long... dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[Math.toIntExact(s.size())];
    for (int i = 0; i < v.length; i++) {
      double x;
      boolean near;
      do {
        x = rnd.nextDouble() * 16 - 5;
        near = false;
        for (double k : kinks) {
          near |= Math.abs(x - k) < margin;
        }
      } while (near);
      v[i] = x;
    }
    return Tensor.ofDoubles(s, v);
  }

  static double[] values(Tensor t) {
    double[] d = new double[Math.toIntExact(t.size())];
    for (int i = 0; i < d.length; i++) {
      d[i] = t.getAsDouble(i);
    }
    return d;
  }

  static void assertValues(Tensor actual, double tolerance, double... expected) {
    assertThat(actual.size()).as("element count of %s", actual).isEqualTo(expected.length);
    double[] a = values(actual);
    for (int i = 0; i < expected.length; i++) {
      assertThat(a[i]).as("element %d of %s", i, actual).isCloseTo(expected[i], within(tolerance));
    }
  }

  static void assertClose(Tensor actual, Tensor expected, double tolerance) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    assertThat(actual.dtype()).isEqualTo(expected.dtype());
    assertValues(actual, tolerance, values(expected));
  }

  /** {@code NHWC -> NCHW} or back. */
  static Tensor toFormat(Tensor t, DataFormat from, DataFormat to) {
    return t.toFormat(from, to);
  }

  /** {@code sum(f(x) * w)}. */
  static double weightedSum(Tensor y, Tensor w) {
    double[] a = values(y);
    double[] b = values(w);
    assertThat(a.length).isEqualTo(b.length);
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /**
   * The gradient of {@code x -> sum(f(x) * w)} at {@code x} by central differences (FLOAT64 x), the
   * quantity every backward kernel computes with {@code w} as the output gradient.
   */
  static Tensor numericGradient(UnaryOperator<Tensor> f, Tensor x, Tensor w) {
    double h = 1e-5;
    Tensor probe = x.copy();
    double[] g = new double[Math.toIntExact(x.size())];
    for (int i = 0; i < g.length; i++) {
      double orig = probe.getDouble(i);
      probe.setDouble(i, orig + h);
      double plus = weightedSum(f.apply(probe), w);
      probe.setDouble(i, orig - h);
      double minus = weightedSum(f.apply(probe), w);
      probe.setDouble(i, orig);
      g[i] = (plus - minus) / (2 * h);
    }
    return Tensor.ofDoubles(x.shape(), g);
  }

  /** Asserts an analytic gradient matches the numeric one to 1e-6 relative to its scale. */
  static void assertGradient(Tensor analytic, UnaryOperator<Tensor> f, Tensor x, Tensor w) {
    Tensor numeric = numericGradient(f, x, w);
    double scale = 1;
    for (double v : values(numeric)) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertClose(analytic, numeric, 1e-6 * scale);
  }
}
