package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.FLOAT64;
import static dev.millrace.graph.types.Types.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Float64;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the ops compute, run through a session. */
class OpsTest {
  private final Graph g = new Graph();
  private final Ops tf = Ops.on(g);
  private final Session s = new Session(g, ThreadConfig.of(2, 2));
  private final Random rnd = new Random(11);

  @AfterEach
  void close() {
    s.close();
    g.close();
  }

  private Tensor run(Operand<?> out) {
    return s.runner().fetch(out).run().get(0);
  }

  private Tensor randomNhwc(long n, long h, long w, long c) {
    float[] v = new float[(int) (n * h * w * c)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return Tensor.ofFloats(Shape.of(n, h, w, c), v);
  }

  private static void assertClose(Tensor a, Tensor b, double tol) {
    assertThat(a.shape()).isEqualTo(b.shape());
    for (long i = 0; i < a.size(); i++) {
      assertThat(a.getAsDouble(i)).as("element %d", i).isCloseTo(b.getAsDouble(i), within(tol));
    }
  }

  /** Runs {@code f} on NHWC data and on the same data in NCHW; the results must agree. */
  private void assertFormatsAgree(
      Tensor nhwc, java.util.function.BiFunction<Output<Float32>, DataFormat, Output<Float32>> f) {
    Output<Float32> a = f.apply(tf.constant(FLOAT32, nhwc), DataFormat.NHWC);
    Output<Float32> b =
        f.apply(
            tf.constant(FLOAT32, nhwc.toFormat(DataFormat.NHWC, DataFormat.NCHW)), DataFormat.NCHW);
    Tensor ta = run(a);
    Tensor tb = run(b).toFormat(DataFormat.NCHW, DataFormat.NHWC);
    assertClose(ta, tb, 1e-5);
  }

  @Test
  void convolutionPoolingBiasAndBatchNormAgreeAcrossDataFormats() {
    Tensor x = randomNhwc(2, 7, 6, 3);
    Output<Float32> w = tf.constant(FLOAT32, randomNhwc(3, 3, 3, 4));
    Output<Float32> dw = tf.constant(FLOAT32, randomNhwc(3, 3, 3, 2));
    Output<Float32> bias = tf.constant(new float[] {1, 2, 3});
    assertFormatsAgree(x, (in, f) -> tf.nn.conv2d(in, w, 2, Padding.SAME, f));
    assertFormatsAgree(
        x,
        (in, f) ->
            tf.nn.conv2d(in, w, Conv2dSpec.explicit(1, 2, 1, 2, 0, 1, f).withDilations(2, 1)));
    assertFormatsAgree(x, (in, f) -> tf.nn.depthwiseConv2d(in, dw, 1, Padding.VALID, f));
    assertFormatsAgree(x, (in, f) -> tf.nn.maxPool(in, new PoolSpec(3, 2, 2, 1, Padding.SAME, f)));
    assertFormatsAgree(x, (in, f) -> tf.nn.avgPool(in, 2, 2, Padding.VALID, f));
    assertFormatsAgree(x, (in, f) -> tf.nn.biasAdd(in, bias, f));
    Output<Float32> gamma = tf.constant(new float[] {1, 2, 0.5f});
    Output<Float32> beta = tf.constant(new float[] {0, 1, -1});
    assertFormatsAgree(
        x, (in, f) -> tf.nn.fusedBatchNorm(in, gamma, beta, null, null, 1e-3, f, true).y());
  }

  @Test
  void unfusedBatchNormMatchesTheFusedOpInTrainingAndInference() {
    Tensor x = randomNhwc(4, 3, 3, 5);
    Output<Float32> in = tf.constant(FLOAT32, x);
    Output<Float32> gamma = tf.constant(new float[] {1, 2, 0.5f, 1.5f, 1});
    Output<Float32> beta = tf.constant(new float[] {0, 1, -1, 0.5f, 2});
    Output<Float32> mean = tf.constant(new float[] {0.1f, -0.2f, 0, 0.3f, 0});
    Output<Float32> var = tf.constant(new float[] {1, 2, 0.5f, 1, 3});
    for (boolean training : new boolean[] {true, false}) {
      BatchNorm<Float32> fused =
          tf.nn.fusedBatchNorm(in, gamma, beta, mean, var, 1e-3, DataFormat.NHWC, training);
      BatchNorm<Float32> unfused =
          tf.nn.batchNormUnfused(in, gamma, beta, mean, var, 1e-3, DataFormat.NHWC, training);
      assertClose(run(fused), run(unfused), 1e-5);
      assertClose(run(fused.mean()), run(unfused.mean()), 1e-6);
    }
    // The unfused graph uses only elementary ops.
    assertThat(g.operations().stream().map(Operation::type).distinct())
        .contains("Mean", "Sub", "Mul", "Rsqrt", "AddV2");
  }

  @Test
  void fusedBatchNormReportsUnbiasedVarianceAndBlendsWithTheAverageFactor() {
    Tensor x = Tensor.ofFloats(Shape.of(4, 1, 1, 1), 1, 2, 3, 6);
    Output<Float32> in = tf.constant(FLOAT32, x);
    Output<Float32> one = tf.constant(new float[] {1});
    Output<Float32> zero = tf.constant(new float[] {0});
    BatchNorm<Float32> bn =
        tf.nn.fusedBatchNorm(in, one, zero, null, null, 1e-3, DataFormat.NHWC, true);
    assertThat(run(bn.mean()).getFloat(0)).isEqualTo(3f);
    assertThat(run(bn.variance()).getFloat(0)).isCloseTo(14f / 3, within(1e-5f));
    Operation blended =
        tf.op(
            "FusedBatchNormV3",
            List.of(in, one, zero, tf.constant(new float[] {1}), tf.constant(new float[] {2})),
            Map.of("exponential_avg_factor", AttrValue.of(0.25), "epsilon", AttrValue.of(1e-3)));
    assertThat(run(blended.output(1)).getFloat(0)).isCloseTo(0.75f + 0.75f, within(1e-6f));
    assertThat(run(blended.output(2)).getFloat(0)).isCloseTo(1.5f + 14f / 12, within(1e-5f));
  }

  @Test
  void arrayOps() {
    Output<Float32> a = tf.constant(Shape.of(2, 2), 1, 2, 3, 4);
    Output<Float32> b = tf.constant(Shape.of(2, 1), 5, 6);
    assertThat(run(tf.concat(List.of(a, b), 1)).toFloatArray()).containsExactly(1, 2, 5, 3, 4, 6);
    assertThat(run(tf.pad(b, new long[][] {{0, 1}, {1, 0}})).toFloatArray())
        .containsExactly(0, 5, 0, 6, 0, 0);
    assertThat(run(tf.transpose(a, 1, 0)).toFloatArray()).containsExactly(1, 3, 2, 4);
    assertThat(run(tf.squeeze(b)).shape()).isEqualTo(Shape.of(2));
    assertThat(run(tf.reshape(a, -1)).toFloatArray()).containsExactly(1, 2, 3, 4);
    assertThat(run(tf.cast(tf.constant(new float[] {1.7f, -1.7f}), INT32)).toIntArray())
        .containsExactly(1, -1);
    assertThat(run(tf.argmax(tf.constant(Shape.of(2, 3), 1, 5, 2, 7, 0, 7), 1)).toLongArray())
        .containsExactly(1, 0);
    Tensor eq = run(tf.equal(a, tf.constant(new float[] {1, 4})));
    assertThat(eq.toByteArray()).containsExactly(1, 0, 0, 1);
    assertThat(run(tf.slice(a, new int[] {1, 0}, new int[] {1, -1})).toFloatArray())
        .containsExactly(3, 4);
    assertThat(run(tf.shapeOf(a)).toIntArray()).containsExactly(2, 2);
  }

  @Test
  void reductionsAndSoftmax() {
    Output<Float32> a = tf.constant(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
    assertThat(run(tf.mean(a, 1)).toFloatArray()).containsExactly(2, 5);
    assertThat(run(tf.sum(a)).toFloatArray()).containsExactly(21);
    assertThat(run(tf.max(a, 0)).toFloatArray()).containsExactly(4, 5, 6);
    // TensorFlow's rule: no reduction indices reduce nothing.
    Output<?> none =
        tf.op("Sum", List.of(a, tf.constant(Tensor.ofInts(Shape.of(0)))), Map.of()).output(0);
    assertThat(run(none).toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
    float[] sm = run(tf.nn.softmax(a)).toFloatArray();
    assertThat(sm[0] + sm[1] + sm[2]).isCloseTo(1f, within(1e-6f));
    float[] lsm = run(tf.nn.logSoftmax(a)).toFloatArray();
    assertThat((float) Math.exp(lsm[2])).isCloseTo(sm[2], within(1e-6f));
  }

  @Test
  void prodMultipliesAlongTheGivenAxes() {
    Output<Float32> a = tf.constant(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
    assertThat(run(tf.prod(a, new int[] {1}, false)).toFloatArray()).containsExactly(6, 120);
    Tensor kept = run(tf.prod(a, new int[] {0}, true));
    assertThat(kept.shape()).isEqualTo(Shape.of(1, 3));
    assertThat(kept.toFloatArray()).containsExactly(4, 10, 18);
  }

  @Test
  void checkNumericsPassesFiniteValuesAndFailsOnNaNWithItsMessage() {
    Output<Float32> finite = tf.constant(new float[] {1, -2});
    Output<Float32> nan = tf.div(tf.constant(new float[] {0, 1}), tf.constant(new float[] {0, 1}));
    assertThat(run(tf.checkNumerics(finite, "finite")).toFloatArray()).containsExactly(1, -2);
    Output<Float32> checked = tf.withName("check").checkNumerics(nan, "logits");
    assertThatThrownBy(() -> run(checked))
        .isInstanceOf(OpExecutionException.class)
        .hasMessageContaining("CheckNumerics 'check'")
        .hasMessageContaining("logits : Tensor had NaN values (first at element 0 of [2])");
  }

  @Test
  void elementaryScheduleOpsAndBroadcastTo() {
    Output<Float64> x = tf.constant(Shape.of(3), -1.5, 0.5, 2.0);
    assertThat(run(tf.floor(x)).toDoubleArray()).containsExactly(-2, 0, 2);
    assertThat(run(tf.cos(x)).toDoubleArray()[2]).isCloseTo(Math.cos(2), within(1e-12));
    Output<?> b =
        tf.op(
                "BroadcastTo",
                List.of(tf.constant(Shape.of(2, 1), 1.0, 2.0), tf.constant(new int[] {2, 3})),
                Map.of())
            .output(0);
    assertThat(run(b).toDoubleArray()).containsExactly(1, 1, 1, 2, 2, 2);
  }

  @Test
  void seededRandomOpsAreReproducible() {
    Output<Float32> u1 = tf.randomUniform(FLOAT32, Shape.of(1000), 5);
    Output<Float32> u2 = tf.randomUniform(FLOAT32, Shape.of(1000), 5);
    Output<Float32> u3 = tf.randomUniform(FLOAT32, Shape.of(1000), 6);
    float[] a = run(u1).toFloatArray();
    assertThat(run(u1).toFloatArray()).containsExactly(a);
    assertThat(run(u2).toFloatArray()).containsExactly(a);
    assertThat(run(u3).toFloatArray()).isNotEqualTo(a);
    for (float v : a) {
      assertThat(v).isBetween(0f, 0.99999994f);
    }
    for (float v : run(tf.truncatedNormal(FLOAT32, Shape.of(1000), 1)).toFloatArray()) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo(2f);
    }
    Tensor n = run(tf.randomNormal(FLOAT64, Shape.of(4000), 2));
    double sum = 0;
    for (double v : n.toDoubleArray()) {
      sum += v * v;
    }
    assertThat(sum / 4000).isCloseTo(1, within(0.1));
  }

  @Test
  void integerArithmeticAndFills() {
    Output<?> sum = tf.add(tf.constant(new int[] {1, 2}), tf.constant(3));
    assertThat(run(sum).toIntArray()).containsExactly(4, 5);
    assertThat(run(tf.fill(FLOAT32, Shape.of(2), 7)).toFloatArray()).containsExactly(7, 7);
    assertThat(run(tf.zerosLike(tf.constant(new float[] {3, 4}))).toFloatArray())
        .containsExactly(0, 0);
    assertThat(run(tf.onesLike(tf.constant(new float[] {3, 4}))).dtype()).isEqualTo(DType.FLOAT32);
  }
}
