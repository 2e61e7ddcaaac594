package dev.millrace.graph;

import static dev.millrace.graph.GradientChecker.check;
import static dev.millrace.graph.GradientChecker.distinct;
import static dev.millrace.graph.GradientChecker.random;
import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.Padding;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The op versions older TensorFlow graphs hold, next to today's: Concat (the axis first), Div,
 * PadV2 (a fill value), MaxPoolV2 (window and strides as inputs) and
 * BatchNormWithGlobalNormalization.
 */
class OlderOpVersionsTest {
  private final Graph g = new Graph();
  private final Ops tf = Ops.on(g);
  private final Session session = new Session(g);

  @AfterEach
  void close() {
    session.close();
    g.close();
  }

  private Tensor run(Output<?> y) {
    try (Session.Result r = session.runner().fetch(y).run()) {
      return r.get(0).copy();
    }
  }

  @Test
  void concatTakesItsAxisFirstAndMatchesConcatV2() {
    Output<Float32> a = tf.constant(FLOAT32, Tensor.ofFloats(Shape.of(2, 2), 1, 2, 3, 4));
    Output<Float32> b = tf.constant(FLOAT32, Tensor.ofFloats(Shape.of(2, 1), 5, 6));
    Output<?> c = tf.op("Concat", List.of(tf.constant(-1), a, b), Map.of()).output(0);
    assertThat(c.shape()).isEqualTo(Shape.of(2, 3));
    assertThat(run(c).toFloatArray())
        .containsExactly(run(tf.concat(List.of(a, b), 1)).toFloatArray());
    assertThat(c.op().attrInt("N")).isEqualTo(2);
    assertThatThrownBy(() -> tf.op("Concat", List.of(tf.constant(0L), a, b), Map.of()))
        .hasMessageContaining("input concat_dim must have type INT32, got INT64");
    check(
        "concat v1",
        List.of(
            random(new Random(3), Shape.of(2, 3), -1, 1),
            random(new Random(4), Shape.of(2, 1), -1, 1)),
        (t, x) -> t.op("Concat", List.of(t.constant(1), x.get(0), x.get(1)), Map.of()).output(0));
  }

  @Test
  void divDividesFloatsAndTruncatesIntegersTowardsZero() {
    Output<?> q =
        tf.op(
                "Div",
                List.of(tf.constant(new int[] {-7, 7, -8}), tf.constant(new int[] {2, -2, 3})),
                Map.of())
            .output(0);
    assertThat(run(q).toIntArray()).containsExactly(-3, -3, -2);
    Output<?> f =
        tf.op(
                "Div",
                List.of(tf.constant(new float[] {1, -3}), tf.constant(new float[] {4, 2})),
                Map.of())
            .output(0);
    assertThat(run(f).toFloatArray()).containsExactly(0.25f, -1.5f);
    Output<?> zero =
        tf.op("Div", List.of(tf.constant(new int[] {1}), tf.constant(new int[] {0})), Map.of())
            .output(0);
    assertThatThrownBy(() -> run(zero))
        .isInstanceOf(OpExecutionException.class)
        .hasMessageContaining("integer division by zero");
  }

  @Test
  void padV2FillsWithItsConstantValue() {
    Output<Float32> x = tf.constant(FLOAT32, Tensor.ofFloats(Shape.of(1, 2), 1, 2));
    Output<?> paddings = tf.constant(Tensor.ofInts(Shape.of(2, 2), 1, 0, 0, 2));
    Output<?> p = tf.op("PadV2", List.of(x, paddings, tf.constant(-9f)), Map.of()).output(0);
    assertThat(p.shape()).isEqualTo(Shape.of(2, 4));
    assertThat(run(p).toFloatArray()).containsExactly(-9, -9, -9, -9, 1, 2, -9, -9);
    Output<?> ints =
        tf.op(
                "PadV2",
                List.of(
                    tf.constant(new int[] {3}),
                    tf.constant(Tensor.ofInts(Shape.of(1, 2), 2, 1)),
                    tf.constant(7)),
                Map.of())
            .output(0);
    assertThat(run(ints).toIntArray()).containsExactly(7, 7, 3, 7);
    assertThatThrownBy(
            () -> tf.op("PadV2", List.of(x, paddings, tf.constant(new float[] {1, 2})), Map.of()))
        .hasMessageEndingWith("constant_values must be a scalar, got shape [2]");
    check(
        "padV2",
        List.of(random(new Random(5), Shape.of(2, 3), -1, 1)),
        (t, v) ->
            t.op(
                    "PadV2",
                    List.of(
                        v.get(0),
                        t.constant(Tensor.ofInts(Shape.of(2, 2), 0, 1, 2, 0)),
                        t.constant(0.5)),
                    Map.of())
                .output(0));
  }

  @Test
  void maxPoolV2ReadsItsWindowFromConstantInputsInBothFormats() {
    Random rnd = new Random(11);
    float[] v = new float[2 * 5 * 6 * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat();
    }
    for (DataFormat f : DataFormat.values()) {
      Shape shape = f == DataFormat.NHWC ? Shape.of(2, 5, 6, 3) : Shape.of(2, 3, 5, 6);
      Output<Float32> x = tf.constant(FLOAT32, Tensor.ofFloats(shape, v));
      int[] k = f == DataFormat.NHWC ? new int[] {1, 2, 3, 1} : new int[] {1, 1, 2, 3};
      int[] s = f == DataFormat.NHWC ? new int[] {1, 2, 2, 1} : new int[] {1, 1, 2, 2};
      Output<?> v2 =
          tf.op(
                  "MaxPoolV2",
                  List.of(x, tf.constant(k), tf.constant(s)),
                  Map.of("padding", AttrValue.of("SAME"), "data_format", AttrValue.of(f.name())))
              .output(0);
      Output<Float32> v1 =
          tf.nn.maxPool(x, new dev.millrace.kernels.PoolSpec(2, 3, 2, 2, Padding.SAME, f));
      assertThat(v2.shape()).isEqualTo(v1.shape());
      assertThat(run(v2).toFloatArray()).containsExactly(run(v1).toFloatArray());
    }
    Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(1, 4, 4, 1));
    Output<?> k = tf.placeholder(INT32, Shape.of(4));
    assertThatThrownBy(
            () ->
                tf.withName("pool")
                    .op(
                        "MaxPoolV2",
                        List.of(x, k, tf.constant(new int[] {1, 1, 1, 1})),
                        Map.of("padding", AttrValue.of("VALID"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "MaxPoolV2 'pool': ksize and strides must be constants (Const nodes) for Millrace to"
                + " run it; ksize is computed at run time");
    check(
        "maxPoolV2",
        List.of(distinct(rnd, Shape.of(1, 4, 5, 2))),
        (t, in) ->
            t.op(
                    "MaxPoolV2",
                    List.of(
                        in.get(0),
                        t.constant(new int[] {1, 2, 2, 1}),
                        t.constant(new int[] {1, 2, 2, 1})),
                    Map.of("padding", AttrValue.of("SAME")))
                .output(0));
  }

  @Test
  void batchNormWithGlobalNormalizationIsTensorFlowsFormula() {
    Random rnd = new Random(7);
    Shape shape = Shape.of(2, 3, 2, 4);
    float[] t = new float[(int) shape.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = rnd.nextFloat() * 4 - 2;
    }
    float[] m = {0.5f, -1f, 0f, 2f};
    float[] var = {1f, 0.25f, 4f, 0.01f};
    float[] beta = {0f, 1f, -1f, 0.5f};
    float[] gamma = {2f, 0.5f, 1f, -1f};
    for (boolean scale : new boolean[] {true, false}) {
      Output<?> y =
          tf.op(
                  "BatchNormWithGlobalNormalization",
                  List.of(
                      tf.constant(Tensor.ofFloats(shape, t)),
                      tf.constant(m),
                      tf.constant(var),
                      tf.constant(beta),
                      tf.constant(gamma)),
                  Map.of(
                      "variance_epsilon", AttrValue.of(1e-3),
                      "scale_after_normalization", AttrValue.of(scale)))
              .output(0);
      assertThat(y.shape()).isEqualTo(shape);
      float[] got = run(y).toFloatArray();
      for (int i = 0; i < t.length; i++) {
        int c = i % 4;
        double factor = 1 / Math.sqrt(var[c] + (double) 1e-3f) * (scale ? gamma[c] : 1);
        double want = (t[i] - m[c]) * factor + beta[c];
        assertThat((double) got[i])
            .as("element %d, scale %s", i, scale)
            .isCloseTo(want, within(1e-5));
      }
    }
    Output<Float32> nchw = tf.placeholder(FLOAT32, Shape.of(2, 3));
    assertThatThrownBy(
            () ->
                tf.op(
                    "BatchNormWithGlobalNormalization",
                    List.of(
                        nchw,
                        tf.constant(m),
                        tf.constant(var),
                        tf.constant(beta),
                        tf.constant(gamma)),
                    Map.of(
                        "variance_epsilon", AttrValue.of(1e-3),
                        "scale_after_normalization", AttrValue.of(true))))
        .hasMessageEndingWith("t must have rank 4 (channels last), got shape [2, 3]");
    Output<Float32> three = tf.placeholder(FLOAT32, Shape.of(1, 2, 2, 3));
    assertThatThrownBy(
            () ->
                tf.op(
                    "BatchNormWithGlobalNormalization",
                    List.of(
                        three,
                        tf.constant(m),
                        tf.constant(var),
                        tf.constant(beta),
                        tf.constant(gamma)),
                    Map.of(
                        "variance_epsilon", AttrValue.of(1e-3),
                        "scale_after_normalization", AttrValue.of(true))))
        .hasMessageEndingWith("m [4] must be a vector of one entry per channel of t [1, 2, 2, 3]");
  }
}
