package dev.millrace.graph;

import static dev.millrace.graph.GradientChecker.check;
import static dev.millrace.graph.GradientChecker.distinct;
import static dev.millrace.graph.GradientChecker.random;
import static dev.millrace.graph.types.Types.FLOAT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.types.Float64;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every gradient against central finite differences in float64. */
class GradientsTest {
  private final Random rnd = new Random(42);

  private Tensor r(long... dims) {
    return random(rnd, Shape.of(dims), -1, 1);
  }

  private Tensor positive(long... dims) {
    return random(rnd, Shape.of(dims), 0.5, 2);
  }

  @Test
  void broadcastingArithmeticReducesGradientsToEachInputsShape() {
    check("add", List.of(r(2, 3), r(3)), (tf, x) -> tf.add(x.get(0), x.get(1)));
    check("add-col", List.of(r(2, 1), r(1, 3)), (tf, x) -> tf.add(x.get(0), x.get(1)));
    check("sub", List.of(r(3), r(2, 3)), (tf, x) -> tf.sub(x.get(0), x.get(1)));
    check("mul", List.of(r(2, 3, 4), r(3, 1)), (tf, x) -> tf.mul(x.get(0), x.get(1)));
    check("div", List.of(r(2, 3), positive(2, 1)), (tf, x) -> tf.div(x.get(0), x.get(1)));
    check("scalar", List.of(r(2, 2), r()), (tf, x) -> tf.mul(x.get(0), x.get(1)));
    check(
        "squared-difference",
        List.of(r(2, 3), r(3)),
        (tf, x) -> tf.squaredDifference(x.get(0), x.get(1)));
  }

  @Test
  void broadcastingWithUnknownBatchUsesRuntimeShapes() {
    check(
        "dynamic add",
        List.of(r(3, 4), r(4)),
        List.of(Shape.of(-1, 4), Shape.of(4)),
        (tf, x) -> tf.mul(tf.add(x.get(0), x.get(1)), x.get(1)));
    check(
        "dynamic mean",
        List.of(r(3, 4)),
        List.of(Shape.of(-1, 4)),
        (tf, x) -> tf.mean(x.get(0), new int[] {0}, false));
  }

  @Test
  void elementwiseFunctions() {
    check("neg", List.of(r(5)), (tf, x) -> tf.neg(x.get(0)));
    check("square", List.of(r(5)), (tf, x) -> tf.square(x.get(0)));
    check("sqrt", List.of(positive(5)), (tf, x) -> tf.sqrt(x.get(0)));
    check("rsqrt", List.of(positive(5)), (tf, x) -> tf.rsqrt(x.get(0)));
    check("exp", List.of(r(5)), (tf, x) -> tf.exp(x.get(0)));
    check("log", List.of(positive(5)), (tf, x) -> tf.log(x.get(0)));
    check("reciprocal", List.of(positive(5)), (tf, x) -> tf.reciprocal(x.get(0)));
  }

  @Test
  void activations() {
    Tensor x = distinct(rnd, Shape.of(3, 8));
    check("relu", List.of(x), (tf, v) -> tf.nn.relu(v.get(0)));
    Tensor wide = random(rnd, Shape.of(4, 6), -2, 8);
    check("relu6", List.of(wide), (tf, v) -> tf.nn.relu6(v.get(0)));
    check("sigmoid", List.of(r(3, 4)), (tf, v) -> tf.nn.sigmoid(v.get(0)));
    check("tanh", List.of(r(3, 4)), (tf, v) -> tf.nn.tanh(v.get(0)));
    check("softmax", List.of(r(3, 5)), (tf, v) -> tf.nn.softmax(v.get(0)));
    check("log-softmax", List.of(r(3, 5)), (tf, v) -> tf.nn.logSoftmax(v.get(0)));
  }

  @Test
  void matmulWithEveryTransposeCombination() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Tensor a = ta ? r(4, 3) : r(3, 4);
        Tensor b = tb ? r(2, 4) : r(4, 2);
        check(
            "matmul " + ta + " " + tb,
            List.of(a, b),
            (tf, x) -> tf.matmul(x.get(0), x.get(1), ta, tb));
      }
    }
  }

  @Test
  void sparseSoftmaxCrossEntropyWithRespectToLogits() {
    Tensor labels = Tensor.ofLongs(Shape.of(3), 0, 4, 2);
    check(
        "xent",
        List.of(r(3, 5)),
        (tf, x) ->
            tf.nn.sparseSoftmaxCrossEntropyWithLogits(
                x.get(0), tf.constant(dev.millrace.graph.types.Types.INT64, labels)));
  }

  @ParameterizedTest
  @EnumSource(DataFormat.class)
  void conv2dInBothFormatsWithEveryPadding(DataFormat f) {
    Tensor filter = r(3, 3, 2, 3);
    for (Conv2dSpec spec :
        List.of(
            Conv2dSpec.of(1, Padding.SAME, f),
            Conv2dSpec.of(2, Padding.VALID, f),
            Conv2dSpec.of(2, Padding.SAME, f),
            Conv2dSpec.explicit(1, 2, 1, 0, 2, 1, f),
            Conv2dSpec.of(1, Padding.SAME, f).withDilations(2, 1))) {
      check(
          "conv2d " + spec,
          List.of(r(f.shape(2, 5, 6, 2).dims()), filter),
          (tf, x) -> tf.nn.conv2d(x.get(0), x.get(1), spec));
    }
  }

  @ParameterizedTest
  @EnumSource(DataFormat.class)
  void depthwiseConv2dInBothFormats(DataFormat f) {
    for (Conv2dSpec spec :
        List.of(Conv2dSpec.of(1, Padding.SAME, f), Conv2dSpec.of(2, Padding.VALID, f))) {
      check(
          "depthwise " + spec,
          List.of(r(f.shape(2, 5, 5, 3).dims()), r(3, 3, 3, 2)),
          (tf, x) -> tf.nn.depthwiseConv2d(x.get(0), x.get(1), spec));
    }
  }

  @ParameterizedTest
  @EnumSource(DataFormat.class)
  void poolingInBothFormats(DataFormat f) {
    Tensor x = distinct(rnd, f.shape(2, 5, 6, 3));
    for (Padding p : List.of(Padding.SAME, Padding.VALID)) {
      PoolSpec spec = new PoolSpec(2, 3, 2, 2, p, f);
      check("max pool " + spec, List.of(x), (tf, v) -> tf.nn.maxPool(v.get(0), spec));
      check("avg pool " + spec, List.of(x), (tf, v) -> tf.nn.avgPool(v.get(0), spec));
    }
  }

  @ParameterizedTest
  @EnumSource(DataFormat.class)
  void biasAddInBothFormats(DataFormat f) {
    check(
        "bias add",
        List.of(r(f.shape(2, 3, 2, 4).dims()), r(4)),
        (tf, x) -> tf.nn.biasAdd(x.get(0), x.get(1), f));
    check(
        "bias add rank 2", List.of(r(3, 4), r(4)), (tf, x) -> tf.nn.biasAdd(x.get(0), x.get(1), f));
  }

  @ParameterizedTest
  @EnumSource(DataFormat.class)
  void fusedBatchNormInTrainingMode(DataFormat f) {
    check(
        "fused batch norm " + f,
        List.of(r(f.shape(3, 2, 3, 4).dims()), positive(4), r(4)),
        (tf, x) ->
            tf.nn.fusedBatchNorm(x.get(0), x.get(1), x.get(2), null, null, 1e-3, f, true).y());
  }

  @ParameterizedTest
  @EnumSource(DataFormat.class)
  void fusedBatchNormInInferenceMode(DataFormat f) {
    Tensor mean = r(4);
    Tensor var = positive(4);
    check(
        "fused batch norm inference " + f,
        List.of(r(f.shape(2, 2, 3, 4).dims()), positive(4), r(4)),
        (tf, x) ->
            tf.nn
                .fusedBatchNorm(
                    x.get(0),
                    x.get(1),
                    x.get(2),
                    tf.constant(FLOAT64, mean),
                    tf.constant(FLOAT64, var),
                    1e-3,
                    f,
                    false)
                .y());
  }

  @ParameterizedTest
  @EnumSource(DataFormat.class)
  void unfusedBatchNormThroughItsElementaryOps(DataFormat f) {
    check(
        "unfused batch norm " + f,
        List.of(r(f.shape(3, 2, 2, 4).dims()), positive(4), r(4)),
        (tf, x) ->
            tf.nn.batchNormUnfused(x.get(0), x.get(1), x.get(2), null, null, 1e-3, f, true).y());
  }

  @Test
  void shapeOps() {
    check("reshape", List.of(r(2, 6)), (tf, x) -> tf.reshape(x.get(0), 3, -1));
    check("transpose", List.of(r(2, 3, 4)), (tf, x) -> tf.transpose(x.get(0), 2, 0, 1));
    check(
        "concat",
        List.of(r(2, 3), r(2, 1), r(2, 2)),
        (tf, x) -> tf.concat(List.of(x.get(0), x.get(1), x.get(2)), 1));
    check("pad", List.of(r(2, 3)), (tf, x) -> tf.pad(x.get(0), new long[][] {{1, 0}, {2, 1}}));
    check("squeeze", List.of(r(2, 1, 3, 1)), (tf, x) -> tf.squeeze(x.get(0), 1));
    check("identity", List.of(r(4)), (tf, x) -> tf.identity(x.get(0)));
  }

  @Test
  void reductions() {
    check("mean", List.of(r(2, 3, 4)), (tf, x) -> tf.mean(x.get(0), new int[] {0, 2}, false));
    check("mean keep", List.of(r(2, 3)), (tf, x) -> tf.mean(x.get(0), new int[] {-1}, true));
    check("sum", List.of(r(2, 3, 4)), (tf, x) -> tf.sum(x.get(0), 1));
    check("sum all", List.of(r(2, 3)), (tf, x) -> tf.sum(x.get(0)));
    check("max", List.of(distinct(rnd, Shape.of(3, 4))), (tf, x) -> tf.max(x.get(0), 1));
  }

  @Test
  void gradientsOfSharedInputsAreSummed() {
    check(
        "fan-out",
        List.of(r(3)),
        (tf, x) -> tf.mul(tf.sigmoid(x.get(0)), tf.add(x.get(0), tf.square(x.get(0)))));
  }

  @Test
  void unconnectedTensorGetsZeros() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Ops tf = Ops.on(g);
      Output<Float64> a = tf.constant(Shape.of(2), 1.0, 2.0);
      Output<Float64> b = tf.constant(Shape.of(2), 3.0, 4.0);
      List<Output<?>> grads = Gradients.of(tf.sum(tf.square(a)), List.of(a, b));
      try (Session.Result r = s.runner().fetch(grads.get(0)).fetch(grads.get(1)).run()) {
        assertThat(r.get(0).toDoubleArray()).containsExactly(2, 4);
        assertThat(r.get(1).toDoubleArray()).containsExactly(0, 0);
      }
    }
  }

  @Test
  void opWithoutGradientOnThePathFailsNamingIt() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.on(g);
      Output<Float64> a = tf.constant(Shape.of(2), 1.0, 2.0);
      Output<Float64> m = tf.withName("biggest").maximum(a, tf.constant(0.5));
      assertThatThrownBy(() -> Gradients.of(tf.sum(m), List.of(a)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Maximum 'biggest'");
    }
  }

  @Test
  void gradientOpsAreAddedUnderTheGradientsScope() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.on(g);
      Output<Float64> a = tf.constant(Shape.of(2), 1.0, 2.0);
      Output<?> grad = Gradients.of(tf.sum(tf.withName("sq").square(a)), List.of(a)).get(0);
      assertThat(grad.op().name()).startsWith("gradients/");
      assertThat(g.operations()).anyMatch(op -> op.name().startsWith("gradients/sq_grad/"));
    }
  }
}
