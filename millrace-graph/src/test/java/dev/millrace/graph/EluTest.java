package dev.millrace.graph;

import static dev.millrace.graph.GradientChecker.check;
import static dev.millrace.graph.GradientChecker.distinct;
import static dev.millrace.graph.types.Types.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.ReferenceKernels;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Elu and EluGrad: TensorFlow's values, the gradient against finite differences, and the twin
 * kernels (the reference in a session with the reference kernels, the Vector API version in one
 * with the fast kernels) agreeing.
 */
class EluTest {
  private static final float[] X = {-3f, -0.5f, 0f, 0.25f, 2f, -1e-3f, 7f, -20f, 1f};

  @Test
  void eluIsTheInputAboveZeroAndEToTheXMinusOneBelow() {
    try (Graph g = new Graph();
        Session fast = new Session(g, ThreadConfig.of(1, 2));
        Session reference = new Session(g, ThreadConfig.of(1, 1), new ReferenceKernels())) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(X.length));
      Output<Float32> y = tf.nn.elu(x);
      Output<?> back =
          tf.op("EluGrad", List.of(tf.constant(new float[X.length]), y), Map.of()).output(0);
      assertThat(g.registry().get("Elu").kernels().get(0).source().kind())
          .isEqualTo(KernelSource.Kind.TWINS);
      Tensor in = Tensor.ofFloats(Shape.of(X.length), X);
      for (Session s : List.of(fast, reference)) {
        try (Session.Result r = s.runner().feed(x, in).fetch(y).fetch(back).run()) {
          float[] got = r.get(0).toFloatArray();
          for (int i = 0; i < X.length; i++) {
            double want = X[i] < 0 ? Math.expm1(X[i]) : X[i];
            assertThat(got[i]).as("elu(%s)", X[i]).isCloseTo((float) want, within(2.5e-7f));
          }
          assertThat(r.get(1).toFloatArray()).containsOnly(0f);
        }
      }
    }
  }

  @Test
  void eluGradIsTheGradientTimesTheOutputPlusOneBelowZero() {
    float[] grad = {2f, -1f, 3f, 0.5f, -4f, 1f, 1f, 2f, 10f};
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.on(g);
      Output<Float32> y = tf.nn.elu(tf.constant(X));
      Output<?> d = tf.op("EluGrad", List.of(tf.constant(grad), y), Map.of()).output(0);
      try (Session.Result r = s.runner().fetch(d).run()) {
        float[] got = r.get(0).toFloatArray();
        for (int i = 0; i < X.length; i++) {
          double want = X[i] < 0 ? grad[i] * Math.exp(X[i]) : grad[i];
          assertThat(got[i]).as("at x = %s", X[i]).isCloseTo((float) want, within(1e-6f));
        }
      }
    }
  }

  @Test
  void eluGradientMatchesFiniteDifferences() {
    check("elu", List.of(distinct(new Random(31), Shape.of(3, 7))), (tf, v) -> tf.nn.elu(v.get(0)));
  }
}
