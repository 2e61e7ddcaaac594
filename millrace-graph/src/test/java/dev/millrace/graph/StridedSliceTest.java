package dev.millrace.graph;

import static dev.millrace.graph.GradientChecker.check;
import static dev.millrace.graph.GradientChecker.random;
import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Int32;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * StridedSlice as TensorFlow reads it, each case written as the Python slice it stands for: bounds
 * counted from the end and clamped, negative strides, the five masks and their precedence, the
 * shape function (with unknown dimensions and unknown bounds), one-line errors, the gradient and
 * StridedSliceGrad. The full agreement with TensorFlow, on random cases, is in millrace-bench.
 */
class StridedSliceTest {
  private final Graph g = new Graph();
  private final Ops tf = Ops.on(g);
  private final Session session = new Session(g);

  @AfterEach
  void close() {
    session.close();
    g.close();
  }

  /** 0, 1, 2, ... in {@code dims}. */
  private Output<Int32> range(long... dims) {
    Shape s = Shape.of(dims);
    return tf.constant(INT32, Tensor.ofInts(s, IntStream.range(0, (int) s.size()).toArray()));
  }

  /**
   * The slice with {@code masks} = begin_mask, end_mask, ellipsis_mask, new_axis_mask,
   * shrink_axis_mask (missing ones 0); bit i of a mask is entry i's.
   */
  private Output<Int32> slice(
      Output<Int32> x, long[] begin, long[] end, long[] strides, int... masks) {
    int[] m = java.util.Arrays.copyOf(masks, 5);
    return tf.stridedSlice(x, begin, end, strides, m[0], m[1], m[2], m[3], m[4]);
  }

  private static long[] v(long... values) {
    return values;
  }

  /** Runs {@code y}, checks the run's shape against the inferred one, returns the values. */
  private int[] run(Output<?> y, long... expectedShape) {
    assertThat(y.shape()).as("inferred shape").isEqualTo(Shape.of(expectedShape));
    try (Session.Result r = session.runner().fetch(y).run()) {
      assertThat(r.get(0).shape()).as("run shape").isEqualTo(Shape.of(expectedShape));
      return r.get(0).toIntArray();
    }
  }

  @Test
  void rangesWithStridesTakeEveryKthElement() {
    // x[:, 1:3, 1:4:2] of a [2, 3, 4] range
    Output<Int32> x = range(2, 3, 4);
    assertThat(run(slice(x, v(0, 1, 1), v(2, 3, 4), v(1, 1, 2)), 2, 2, 2))
        .containsExactly(5, 7, 9, 11, 17, 19, 21, 23);
    // x[8:2:-3] and x[::-1] of a range of 10
    Output<Int32> r = range(10);
    assertThat(run(slice(r, v(8), v(2), v(-3)), 2)).containsExactly(8, 5);
    assertThat(run(slice(r, v(0), v(0), v(-1), 1, 1), 10))
        .containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    // x[:1:-1]: a masked begin with a negative stride starts at the end
    assertThat(run(slice(r, v(0), v(1), v(-1), 1), 8)).containsExactly(9, 8, 7, 6, 5, 4, 3, 2);
    // x[7::-4]: a masked end with a negative stride runs past the first element
    assertThat(run(slice(r, v(7), v(0), v(-4), 0, 1), 2)).containsExactly(7, 3);
  }

  @Test
  void outOfRangeBoundsAreClampedNegativeOnesCountFromTheEnd() {
    Output<Int32> r = range(5);
    assertThat(run(slice(r, v(-100), v(100), v(1)), 5)).containsExactly(0, 1, 2, 3, 4);
    assertThat(run(slice(r, v(7), v(9), v(1)), 0)).isEmpty();
    assertThat(run(slice(r, v(3), v(-100), v(-1)), 4)).containsExactly(3, 2, 1, 0);
    assertThat(run(slice(r, v(-2), v(-1), v(1)), 1)).containsExactly(3);
    assertThat(run(slice(r, v(100), v(-100), v(-2)), 3)).containsExactly(4, 2, 0);
    assertThat(run(slice(r, v(1), v(4), v(-1)), 0)).isEmpty();
    assertThat(run(slice(r, v(-1), v(-6), v(-1)), 5)).containsExactly(4, 3, 2, 1, 0);
  }

  @Test
  void shrinkTakesOneIndexAndDropsItsDimension() {
    Output<Int32> x = range(2, 3, 4);
    // x[1]
    assertThat(run(slice(x, v(1), v(2), v(1), 0, 0, 0, 0, 1), 3, 4))
        .containsExactly(IntStream.range(12, 24).toArray());
    // x[-1, :, 2]: the end and the begin mask do not matter to a shrunk entry
    assertThat(run(slice(x, v(-1, 0, 2), v(0, 0, 0), v(1, 1, 1), 3, 2, 0, 0, 5), 3))
        .containsExactly(14, 18, 22);
    // x[0, 0, 0] is a scalar
    assertThat(run(slice(x, v(0, 0, 0), v(1, 1, 1), v(1, 1, 1), 0, 0, 0, 0, 7))).containsExactly(0);
  }

  @Test
  void anEllipsisStandsForTheDimensionsTheOtherEntriesLeave() {
    Output<Int32> x = range(2, 3, 4);
    // x[..., 1]
    assertThat(run(slice(x, v(0, 1), v(0, 2), v(1, 1), 0, 0, 1, 0, 2), 2, 3))
        .containsExactly(1, 5, 9, 13, 17, 21);
    // x[1, ...]
    assertThat(run(slice(x, v(1, 0), v(2, 0), v(1, 1), 0, 0, 2, 0, 1), 3, 4))
        .containsExactly(IntStream.range(12, 24).toArray());
    // x[..., tf.newaxis]: a new axis after the ellipsis does not use an input dimension
    assertThat(run(slice(x, v(0, 0), v(0, 0), v(1, 1), 0, 0, 1, 2), 2, 3, 4, 1)).hasSize(24);
    // x[tf.newaxis, ..., 2]
    assertThat(run(slice(x, v(0, 0, 2), v(0, 0, 3), v(1, 1, 1), 0, 0, 2, 1, 4), 1, 2, 3))
        .containsExactly(2, 6, 10, 14, 18, 22);
    // x[1:, ..., ::-2]: the ellipsis between two ranges
    assertThat(run(slice(x, v(1, 0, 0), v(0, 0, 0), v(1, 1, -2), 4, 5, 2), 1, 3, 2))
        .containsExactly(15, 13, 19, 17, 23, 21);
    // x[...] alone is the whole input
    assertThat(run(slice(x, v(0), v(0), v(1), 0, 0, 1), 2, 3, 4))
        .containsExactly(IntStream.range(0, 24).toArray());
  }

  @Test
  void newAxesAddDimensionsOfOne() {
    Output<Int32> x = range(2, 3, 4);
    // x[:, tf.newaxis, 1:]
    int[] got = run(slice(x, v(0, 0, 1), v(0, 0, 0), v(1, 1, 1), 1, 5, 0, 2), 2, 1, 2, 4);
    assertThat(got).startsWith(4, 5, 6, 7, 8).endsWith(23).hasSize(16);
    // x[tf.newaxis, tf.newaxis]
    assertThat(run(slice(x, v(0, 0), v(0, 0), v(1, 1), 0, 0, 0, 3), 1, 1, 2, 3, 4)).hasSize(24);
  }

  @Test
  void ofTwoBitsForOneEntryTheEllipsisThenTheNewAxisWins() {
    Output<Int32> x = range(2, 3);
    // Entry 0 is both an ellipsis and a new axis: an ellipsis.
    assertThat(run(slice(x, v(0), v(0), v(1), 0, 0, 1, 1), 2, 3)).hasSize(6);
    // Entry 0 is both a new axis and shrunk: a new axis, whatever its bounds say.
    assertThat(run(slice(x, v(9), v(9), v(-1), 0, 0, 0, 1, 1), 1, 2, 3)).hasSize(6);
    // The masks' bits beyond the entries do nothing (except an ellipsis there: see below).
    assertThat(run(slice(x, v(1), v(2), v(1), ~1, ~1, 0, ~1, ~1), 1, 3)).containsExactly(3, 4, 5);
  }

  @Test
  void int64BoundsAndAnyElementTypeWork() {
    Output<?> s =
        tf.constant(Tensor.ofStrings(Shape.of(3), "a".getBytes(), "b".getBytes(), "c".getBytes()));
    Operation op =
        tf.op(
            "StridedSlice",
            List.of(
                s,
                tf.constant(Tensor.ofLongs(Shape.of(1), -1)),
                tf.constant(Tensor.ofLongs(Shape.of(1), Long.MIN_VALUE)),
                tf.constant(Tensor.ofLongs(Shape.of(1), -2))),
            Map.of());
    assertThat(op.attrType("Index")).isEqualTo(DType.INT64);
    try (Session.Result r = session.runner().fetch(op.output(0)).run()) {
      assertThat(new String(r.get(0).getString(0))).isEqualTo("c");
      assertThat(new String(r.get(0).getString(1))).isEqualTo("a");
    }
    Output<Float32> f = tf.constant(new float[] {1, 2, 3, 4});
    Output<Float32> wide = tf.stridedSlice(f, v(1L << 40), v(-(1L << 40)), v(-1), 0, 0, 0, 0, 0);
    assertThat(wide.op().attrType("Index")).isEqualTo(DType.INT64);
    try (Session.Result r = session.runner().fetch(wide).run()) {
      assertThat(r.get(0).toFloatArray()).containsExactly(4, 3, 2, 1);
    }
  }

  @Test
  void theShapeIsInferredWithUnknownDimensionsAndUnknownBounds() {
    Output<Float32> p = tf.placeholder(FLOAT32, Shape.of(-1, 3, 4));
    // p[1:, ::2]
    assertThat(tf.stridedSlice(p, v(1, 0), v(0, 0), v(1, 2), 2, 3, 0, 0, 0).shape())
        .isEqualTo(Shape.of(-1, 2, 4));
    // p[0] of an unknown dimension
    assertThat(tf.stridedSlice(p, v(0), v(1), v(1), 0, 0, 0, 0, 1).shape())
        .isEqualTo(Shape.of(3, 4));
    // Bounds known only at run time: what the masks and shrinks fix is still known.
    Output<Int32> begin = tf.placeholder(INT32, Shape.of(3));
    Output<?> strides = tf.constant(new int[] {1, -1, 2});
    Operation op =
        tf.op(
            "StridedSlice",
            List.of(p, begin, begin, strides),
            Map.of(
                "begin_mask",
                AttrValue.of(6L),
                "end_mask",
                AttrValue.of(6L),
                "shrink_axis_mask",
                AttrValue.of(1L)));
    assertThat(op.output(0).shape()).isEqualTo(Shape.of(3, 2));
    // Strides known only at run time: TensorFlow infers nothing.
    Operation unknown = tf.op("StridedSlice", List.of(p, begin, begin, begin), Map.of());
    assertThat(unknown.output(0).hasKnownRank()).isFalse();
    try (Session.Result r =
        session
            .runner()
            .feed(p, Tensor.zeros(DType.FLOAT32, Shape.of(5, 3, 4)))
            .feed(begin, Tensor.ofInts(Shape.of(3), 2, 0, 0))
            .fetch(op.output(0))
            .run()) {
      assertThat(r.get(0).shape()).isEqualTo(Shape.of(3, 2));
    }
  }

  @Test
  void whatTensorFlowRejectsIsAOneLineErrorNamingTheOp() {
    Output<Int32> x = range(2, 3);
    assertThatThrownBy(() -> slice(x, v(0, 0), v(1, 1), v(1, 1), 0, 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "StridedSlice 'StridedSlice': input [2, 3]: ellipsis_mask 3 sets more than one bit: at"
                + " most one ellipsis");
    assertThatThrownBy(() -> slice(x, v(0, 0), v(1, 1), v(1, 0)))
        .hasMessageEndingWith("input [2, 3]: the stride of input dimension 1 is 0");
    assertThatThrownBy(() -> slice(x, v(2), v(3), v(1), 0, 0, 0, 0, 1))
        .hasMessageEndingWith("index 2 is out of bounds for input dimension 0 of size 2");
    assertThatThrownBy(() -> slice(x, v(-3), v(0), v(1), 0, 0, 0, 0, 1))
        .hasMessageEndingWith("index -3 is out of bounds for input dimension 0 of size 2");
    assertThatThrownBy(() -> slice(x, v(1), v(0), v(-1), 0, 0, 0, 0, 1))
        .hasMessageEndingWith(
            "input dimension 0 is indexed (shrink_axis_mask) with stride -1: only a positive"
                + " stride is allowed");
    assertThatThrownBy(() -> slice(x, v(0, 0, 0), v(1, 1, 1), v(1, 1, 1)))
        .hasMessageEndingWith(
            "entry 2 of begin, end and strides has no input dimension left: the input has only 2");
    assertThatThrownBy(() -> slice(tf.constant(3), v(0), v(1), v(1)))
        .hasMessageEndingWith("input []: cannot slice a scalar");
    assertThatThrownBy(() -> tf.stridedSlice(x, v(0), v(1, 2), v(1), 0, 0, 0, 0, 0))
        .hasMessageEndingWith(
            "begin [0], end [1, 2] and strides [1] must have one length, below 32 (the masks have"
                + " 32 bits)");
    assertThatThrownBy(
            () ->
                tf.op(
                    "StridedSlice",
                    List.of(x, tf.constant(0), tf.constant(0), tf.constant(1)),
                    Map.of()))
        .hasMessageEndingWith("begin, end and strides must be vectors, got shapes [], [] and []");
    // Errors only the run can find are one line too, naming the operation.
    Output<Int32> begin = tf.placeholder(INT32, Shape.of(1));
    Output<Int32> y =
        tf.withName("late")
            .op(
                "StridedSlice",
                List.of(x, begin, tf.constant(new int[] {0}), tf.constant(new int[] {1})),
                Map.of("shrink_axis_mask", AttrValue.of(1L)))
            .output(0, INT32);
    assertThatThrownBy(
            () -> session.runner().feed(begin, Tensor.ofInts(Shape.of(1), 5)).fetch(y).run())
        .isInstanceOf(OpExecutionException.class)
        .hasMessage(
            "StridedSlice 'late': index 5 is out of bounds for input dimension 0 of size 2");
  }

  @Test
  void stridedSliceGradScattersIntoZerosOfTheInputsShape() {
    Output<?> dx =
        tf.op(
                "StridedSliceGrad",
                List.of(
                    tf.constant(new int[] {2, 5}),
                    tf.constant(new int[] {0, -1}),
                    tf.constant(new int[] {0, 0}),
                    tf.constant(new int[] {1, -2}),
                    tf.constant(Tensor.ofFloats(Shape.of(3), 1, 2, 3))),
                Map.of("shrink_axis_mask", AttrValue.of(1L), "end_mask", AttrValue.of(2L)))
            .output(0);
    assertThat(dx.shape()).isEqualTo(Shape.of(2, 5));
    try (Session.Result r = session.runner().fetch(dx).run()) {
      assertThat(r.get(0).toFloatArray()).containsExactly(3, 0, 2, 0, 1, 0, 0, 0, 0, 0);
    }
    assertThatThrownBy(
            () ->
                tf.op(
                    "StridedSliceGrad",
                    List.of(
                        tf.constant(new int[] {5}),
                        tf.constant(new int[] {0}),
                        tf.constant(new int[] {5}),
                        tf.constant(new int[] {2}),
                        tf.constant(new float[] {1, 2})),
                    Map.of()))
        .hasMessageEndingWith("dy has shape [2], but the slice of [5] has [3]");
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Random rnd = new Random(17);
    Tensor x = random(rnd, Shape.of(3, 4, 5), -1, 1);
    check(
        "strided-slice ranges",
        List.of(x),
        (t, in) ->
            t.stridedSlice(in.get(0), v(2, 0, -1), v(-5, 4, 0), v(-1, 2, -2), 0, 0, 0, 0, 0));
    check(
        "strided-slice shrink, new axis, ellipsis",
        List.of(x),
        (t, in) -> t.stridedSlice(in.get(0), v(0, 1, 3), v(0, 0, 0), v(1, 1, 1), 0, 0, 2, 1, 4));
    check(
        "strided-slice of an unknown batch",
        List.of(x),
        List.of(Shape.of(-1, 4, 5)),
        (t, in) -> t.stridedSlice(in.get(0), v(1, 1), v(3, 5), v(1, 3), 0, 0, 0, 0, 0));
  }
}
