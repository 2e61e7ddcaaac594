package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.INT32;
import static dev.millrace.graph.types.Types.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Int32;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shapes are inferred when each operation is built, and a misfit fails right there, naming the op
 * and both shapes.
 */
class ShapeInferenceTest {
  private final Graph g = new Graph();
  private final Ops tf = Ops.on(g);

  @AfterEach
  void close() {
    g.close();
  }

  private Output<Float32> p(long... dims) {
    return tf.placeholder(FLOAT32, Shape.of(dims));
  }

  private static void assertShape(Operand<?> out, long... dims) {
    assertThat(out.shape()).isEqualTo(Shape.of(dims));
  }

  private static void assertFails(ThrowingCallable build, String... fragments) {
    var a = assertThatThrownBy(build).isInstanceOf(IllegalArgumentException.class);
    for (String f : fragments) {
      a.hasMessageContaining(f);
    }
  }

  private static Tensor zeros(long... dims) {
    return Tensor.zeros(DType.FLOAT32, Shape.of(dims));
  }

  @Test
  void constantAndPlaceholder() {
    assertShape(tf.constant(Shape.of(2, 3), new float[6]), 2, 3);
    assertShape(p(-1, 28, 28, 1), -1, 28, 28, 1);
    Output<Float32> unknown = tf.placeholder(FLOAT32);
    assertThat(unknown.hasKnownRank()).isFalse();
    assertThat(tf.neg(unknown).hasKnownRank()).isFalse();
    assertFails(
        () ->
            g.addOperation(
                "Const",
                "c",
                List.of(),
                Map.of("value", AttrValue.of(zeros(2)), "dtype", AttrValue.of(DType.INT32))),
        "Const 'c': value has type FLOAT32 but dtype is INT32");
    assertFails(
        () ->
            g.addOperation(
                "Placeholder",
                "p",
                List.of(),
                Map.of("dtype", AttrValue.of(DType.FLOAT32), "shape", AttrValue.of(3L))),
        "Placeholder 'p': attribute 'shape' must be shape, got int 3");
  }

  @Test
  void variableAndAssign() {
    Variable<Float32> v = tf.variable(FLOAT32, Shape.of(2, 3), Initializers.zeros());
    assertShape(v, 2, 3);
    assertShape(tf.assign(v, p(2, 3)), 2, 3);
    assertFails(
        () -> tf.withName("a").assign(v, p(3, 2)),
        "Assign 'a': value [3, 2] does not match the variable's shape [2, 3]");
    assertFails(
        () -> tf.variable(FLOAT32, Shape.of(-1, 3), Initializers.zeros()), "VariableV2", "[?, 3]");
  }

  @Test
  void broadcastingArithmetic() {
    assertShape(tf.add(p(2, 1, 3), p(4, 1)), 2, 4, 3);
    assertShape(tf.sub(p(-1, 3), p(3)), -1, 3);
    assertShape(tf.mul(p(5), tf.constant(2f)), 5);
    assertShape(tf.div(p(1, 3), p(-1, 1)), -1, 3);
    assertFails(
        () -> tf.withName("add").add(p(2, 3), p(4)),
        "AddV2 'add': shapes [2, 3] and [4] are not broadcast-compatible");
    assertFails(() -> tf.withName("m").mul(p(2, 3), p(3, 3)), "Mul 'm'", "[2, 3]", "[3, 3]");
    assertFails(() -> tf.withName("d").div(p(2), p(3)), "RealDiv 'd'", "[2]", "[3]");
    assertFails(() -> tf.withName("s").sub(p(2), p(3)), "Sub 's'", "[2]", "[3]");
    assertShape(tf.addN(List.of(p(2, -1), p(-1, 3))), 2, 3);
    assertFails(() -> tf.withName("n").addN(List.of(p(2), p(3))), "AddN 'n'", "[2]", "[3]");
  }

  @Test
  void matmul() {
    assertShape(tf.matmul(p(2, 3), p(3, 4)), 2, 4);
    assertShape(tf.matmul(p(3, 2), p(4, 3), true, true), 2, 4);
    assertShape(tf.matmul(p(-1, 3), p(3, 4)), -1, 4);
    assertFails(
        () -> tf.withName("mm").matmul(p(2, 3), p(4, 5)),
        "MatMul 'mm': inner dimensions differ: a [2, 3] has 3, b [4, 5] has 4");
    assertFails(() -> tf.withName("mm").matmul(p(2), p(2, 2)), "MatMul 'mm'", "rank 2");
  }

  @Test
  void conv2dInBothFormatsWithEveryPadding() {
    Output<Float32> w = p(3, 3, 3, 16);
    assertShape(tf.nn.conv2d(p(8, 28, 28, 3), w, 2, Padding.SAME, DataFormat.NHWC), 8, 14, 14, 16);
    assertShape(
        tf.nn.conv2d(p(-1, 3, 28, 28), w, 1, Padding.VALID, DataFormat.NCHW), -1, 16, 26, 26);
    assertShape(
        tf.nn.conv2d(p(1, 5, 5, 3), w, Conv2dSpec.explicit(1, 1, 1, 1, 2, 0, DataFormat.NHWC)),
        1,
        5,
        5,
        16);
    assertShape(
        tf.nn.conv2d(
            p(1, 9, 9, 3), w, Conv2dSpec.of(1, Padding.VALID, DataFormat.NHWC).withDilations(2, 2)),
        1,
        5,
        5,
        16);
    assertFails(
        () -> tf.withName("c").nn.conv2d(p(8, 28, 28, 1), w, 1, Padding.SAME, DataFormat.NHWC),
        "Conv2D 'c': input [8, 28, 28, 1] has 1 channels (NHWC) but filter [3, 3, 3, 16] expects 3");
    assertFails(
        () -> tf.withName("c").nn.conv2d(p(8, 28, 28, 3), w, 1, Padding.SAME, DataFormat.NCHW),
        "Conv2D 'c'",
        "28 channels (NCHW)");
    assertFails(
        () -> tf.withName("c").nn.conv2d(p(1, 2, 2, 3), w, 1, Padding.VALID, DataFormat.NHWC),
        "Conv2D 'c': window 3 does not fit input height 2 with VALID padding");
    assertFails(
        () -> tf.withName("c").nn.conv2d(p(28, 28, 3), w, 1, Padding.SAME, DataFormat.NHWC),
        "Conv2D 'c': input must have rank 4 (NHWC), got shape [28, 28, 3]");
    assertFails(
        () ->
            g.addOperation(
                "Conv2D",
                "c",
                List.of(p(1, 8, 8, 3), w),
                Map.of("strides", AttrValue.of(2L, 1, 1, 1), "padding", AttrValue.of("SAME"))),
        "Conv2D 'c': strides [2, 1, 1, 1] must be 1 on the batch and channel dimensions");
  }

  @Test
  void depthwiseConv2d() {
    assertShape(
        tf.nn.depthwiseConv2d(p(2, 8, 8, 3), p(3, 3, 3, 2), 1, Padding.SAME, DataFormat.NHWC),
        2,
        8,
        8,
        6);
    assertShape(
        tf.nn.depthwiseConv2d(p(2, 3, 8, 8), p(3, 3, 3, 2), 2, Padding.VALID, DataFormat.NCHW),
        2,
        6,
        3,
        3);
    assertFails(
        () ->
            tf.withName("dw")
                .nn
                .depthwiseConv2d(p(2, 8, 8, 4), p(3, 3, 3, 2), 1, Padding.SAME, DataFormat.NHWC),
        "DepthwiseConv2dNative 'dw'",
        "[2, 8, 8, 4]",
        "[3, 3, 3, 2]");
  }

  @Test
  void biasAdd() {
    assertShape(tf.nn.biasAdd(p(2, 4, 4, 8), p(8)), 2, 4, 4, 8);
    assertShape(tf.nn.biasAdd(p(2, 8, 4, 4), p(8), DataFormat.NCHW), 2, 8, 4, 4);
    assertShape(tf.nn.biasAdd(p(-1, 8), p(8), DataFormat.NCHW), -1, 8);
    assertFails(
        () -> tf.withName("b").nn.biasAdd(p(2, 4, 4, 8), p(4)),
        "BiasAdd 'b': value [2, 4, 4, 8] has 8 channels (NHWC) but bias [4] has 4");
    assertFails(() -> tf.withName("b").nn.biasAdd(p(2, 4), p(2, 2)), "BiasAdd 'b'", "vector");
  }

  @Test
  void activationsKeepTheShapeAndRejectIntegers() {
    Output<Float32> x = p(2, 5);
    assertShape(tf.nn.relu(x), 2, 5);
    assertShape(tf.nn.relu6(x), 2, 5);
    assertShape(tf.nn.sigmoid(x), 2, 5);
    assertShape(tf.nn.tanh(x), 2, 5);
    assertShape(tf.nn.softmax(x), 2, 5);
    assertShape(tf.nn.logSoftmax(x), 2, 5);
    Output<Int32> ints = tf.placeholder(INT32, Shape.of(3));
    for (String type : List.of("Relu", "Relu6", "Sigmoid", "Tanh", "Softmax", "LogSoftmax")) {
      assertFails(
          () -> g.addOperation(type, type + "_int", List.of(ints), Map.of()),
          type + " '" + type + "_int': attribute 'T' is INT32");
    }
    assertFails(
        () -> tf.withName("sm").nn.softmax(tf.constant(1f)),
        "Softmax 'sm': logits must have rank >= 1");
  }

  @Test
  void sparseSoftmaxCrossEntropy() {
    Output<?> loss =
        tf.nn.sparseSoftmaxCrossEntropyWithLogits(p(-1, 10), tf.placeholder(INT64, Shape.of(4)));
    assertShape(loss, 4);
    assertThat(loss.op().outputShape(1)).isEqualTo(Shape.of(4, 10));
    assertFails(
        () ->
            tf.withName("x")
                .nn
                .sparseSoftmaxCrossEntropyWithLogits(p(4, 10), tf.placeholder(INT64, Shape.of(5))),
        "SparseSoftmaxCrossEntropyWithLogits 'x': logits [4, 10] and labels [5] have different batch sizes");
    assertFails(
        () -> tf.nn.sparseSoftmaxCrossEntropyWithLogits(p(4), tf.placeholder(INT64, Shape.of(4))),
        "logits must have rank 2");
  }

  @Test
  void pooling() {
    PoolSpec nhwc = PoolSpec.of(2, 2, Padding.VALID, DataFormat.NHWC);
    assertShape(tf.nn.maxPool(p(8, 28, 28, 16), nhwc), 8, 14, 14, 16);
    assertShape(tf.nn.avgPool(p(8, 16, 7, 7), 3, 2, Padding.SAME, DataFormat.NCHW), 8, 16, 4, 4);
    assertShape(tf.nn.maxPool(p(8, 16, 7, 7), 3, 2, Padding.VALID, DataFormat.NCHW), 8, 16, 3, 3);
    assertFails(
        () -> tf.withName("mp").nn.maxPool(p(8, 28, 28), nhwc),
        "MaxPool 'mp': input must have rank 4 (NHWC), got shape [8, 28, 28]");
    assertFails(
        () -> tf.withName("ap").nn.avgPool(p(1, 1, 1, 4), nhwc),
        "AvgPool 'ap': window 2 does not fit input height 1 with VALID padding");
    assertFails(
        () ->
            g.addOperation(
                "MaxPool",
                "mp2",
                List.of(p(1, 4, 4, 2)),
                Map.of(
                    "ksize", AttrValue.of(1L, 2, 2, 2),
                    "strides", AttrValue.of(1L, 1, 1, 1),
                    "padding", AttrValue.of("SAME"))),
        "MaxPool 'mp2': ksize [1, 2, 2, 2] must be 1 on the batch and channel dimensions");
  }

  @Test
  void reductions() {
    Output<Float32> x = p(2, 3, 4);
    assertShape(tf.mean(x, 1), 2, 4);
    assertShape(tf.sum(x, new int[] {0, -1}, true), 1, 3, 1);
    assertShape(tf.max(x), new long[0]);
    assertFails(
        () -> tf.withName("m").mean(x, 3),
        "Mean 'm': axis 3 is out of range for shape [2, 3, 4] (rank 3)");
    assertFails(() -> tf.withName("s").sum(x, -4), "Sum 's'", "axis -4");
    assertFails(() -> tf.withName("mx").max(x, 5), "Max 'mx'", "axis 5");
  }

  @Test
  void reshapeTransposeConcatPadSqueeze() {
    assertShape(tf.reshape(p(2, 3, 4), -1, 4), 6, 4);
    assertShape(tf.reshape(p(-1, 3, 4), -1, 12), -1, 12);
    assertFails(
        () -> tf.withName("r").reshape(p(2, 3), 4, 2),
        "Reshape 'r': cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)");
    assertShape(tf.transpose(p(2, 3, 4), 2, 0, 1), 4, 2, 3);
    assertFails(
        () -> tf.withName("t").transpose(p(2, 3), 0, 0),
        "Transpose 't': perm [0, 0] is not a permutation of 0..1");
    assertFails(
        () -> tf.withName("t").transpose(p(2, 3), 0), "perm [0] has 1 entries for shape [2, 3]");
    assertShape(tf.concat(List.of(p(2, 3), p(2, 5)), 1), 2, 8);
    assertShape(tf.concat(List.of(p(-1, 3), p(2, 3)), 0), -1, 3);
    assertFails(
        () -> tf.withName("cc").concat(List.of(p(2, 3), p(3, 3)), 1),
        "ConcatV2 'cc': values[0] has shape [2, 3] but values[1] has shape [3, 3]");
    assertShape(tf.pad(p(2, 3), new long[][] {{1, 1}, {0, 2}}), 4, 5);
    assertFails(
        () -> tf.withName("pd").pad(p(2, 3), new long[][] {{1, 1}}),
        "Pad 'pd': paddings [1, 2] must have shape [2, 2] for input [2, 3]");
    assertShape(tf.squeeze(p(1, 3, 1)), 3);
    assertShape(tf.squeeze(p(1, 3, 1), -1), 1, 3);
    assertFails(
        () -> tf.withName("sq").squeeze(p(2, 3), 0),
        "Squeeze 'sq': cannot squeeze dimension 0 of shape [2, 3]: its size is 2");
  }

  @Test
  void castArgmaxEqualIdentity() {
    Output<Float32> x = p(2, 5);
    Output<Int32> c = tf.cast(x, INT32);
    assertShape(c, 2, 5);
    assertThat(c.dtype()).isEqualTo(DType.INT32);
    Output<?> am = tf.argmax(x, 1);
    assertShape(am, 2);
    assertThat(am.dtype()).isEqualTo(DType.INT64);
    Output<?> eq = tf.equal(p(2, 1), p(3));
    assertShape(eq, 2, 3);
    assertThat(eq.dtype()).isEqualTo(DType.BOOL);
    assertShape(tf.identity(x), 2, 5);
    assertFails(() -> tf.withName("am").argmax(x, 2), "ArgMax 'am': axis 2 is out of range");
    assertFails(() -> tf.withName("eq").equal(p(2), p(3)), "Equal 'eq'", "[2]", "[3]");
    assertFails(
        () -> g.addOperation("Cast", "cast", List.of(x), Map.of()),
        "Cast 'cast': missing required attribute 'DstT' (type)");
    assertFails(
        () -> g.addOperation("Identity", "id", List.of(x, x), Map.of()),
        "Identity 'id': expected 1 inputs (input), got 2");
  }

  @Test
  void fusedBatchNormInBothFormats() {
    BatchNorm<Float32> nhwc =
        tf.nn.fusedBatchNorm(p(8, 4, 4, 16), p(16), p(16), null, null, 1e-3, DataFormat.NHWC, true);
    assertShape(nhwc, 8, 4, 4, 16);
    assertShape(nhwc.mean(), 16);
    assertShape(nhwc.variance(), 16);
    BatchNorm<Float32> nchw =
        tf.nn.fusedBatchNorm(
            p(8, 16, 4, 4), p(16), p(16), p(16), p(16), 1e-3, DataFormat.NCHW, false);
    assertShape(nchw, 8, 16, 4, 4);
    assertFails(
        () ->
            tf.withName("bn")
                .nn
                .fusedBatchNorm(
                    p(8, 4, 4, 16), p(8), p(16), null, null, 1e-3, DataFormat.NHWC, true),
        "FusedBatchNormV3 'bn': scale [8] must have one entry per channel of x [8, 4, 4, 16] (NHWC)");
    assertFails(
        () ->
            tf.withName("bn2")
                .nn
                .fusedBatchNorm(p(8, 4, 16), p(16), p(16), null, null, 1e-3, DataFormat.NHWC, true),
        "FusedBatchNormV3 'bn2': x must have rank 4 (NHWC), got shape [8, 4, 16]");
    assertShape(
        tf.nn.batchNormUnfused(
            p(8, 16, 4, 4), p(16), p(16), null, null, 1e-3, DataFormat.NCHW, true),
        8,
        16,
        4,
        4);
  }

  @Test
  void gradientOpsInferTheirOutputShapes() {
    Output<Float32> x = p(2, 6, 6, 3);
    Output<Float32> w = p(3, 3, 3, 4);
    Output<Float32> y = tf.nn.conv2d(x, w, 2, Padding.SAME, DataFormat.NHWC);
    List<Output<?>> grads =
        Gradients.of(tf.sum(tf.nn.maxPool(y, 1, 1, Padding.SAME, DataFormat.NHWC)), List.of(x, w));
    assertShape(grads.get(0), 2, 6, 6, 3);
    assertShape(grads.get(1), 3, 3, 3, 4);
  }

  @Test
  void sliceFillShapeSizeZerosLike() {
    Output<Float32> x = p(4, 5);
    assertShape(tf.slice(x, new int[] {1, 0}, new int[] {2, -1}), 2, 5);
    assertFails(
        () -> tf.withName("sl").slice(x, new int[] {3, 0}, new int[] {2, 5}),
        "Slice 'sl': slice begin [3, 0] size [2, 5] is out of bounds for shape [4, 5]");
    assertShape(tf.fill(FLOAT32, Shape.of(2, 2), 1), 2, 2);
    assertShape(tf.shapeOf(x), 2);
    assertShape(tf.size(x), new long[0]);
    assertShape(tf.zerosLike(x), 4, 5);
    assertShape(tf.onesLike(x), 4, 5);
  }
}
