package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.Padding;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Static shapes agree with what the kernels produce, and intra-op splitting changes nothing. Each
 * case is numbered by its seed, from which its sizes are derived, so a failing case replays from
 * the seed in its name.
 */
class ShapePropertiesTest {
  private static final Graph GRAPH = new Graph();
  private static final Session SERIAL = new Session(GRAPH, ThreadConfig.of(1, 1));
  private static final Session SPLIT = new Session(GRAPH, ThreadConfig.of(1, 3));

  @AfterAll
  static void close() {
    SERIAL.close();
    SPLIT.close();
    GRAPH.close();
  }

  private static Tensor random(Shape shape, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return Tensor.ofFloats(shape, v);
  }

  static LongStream seeds40() {
    return LongStream.range(0, 40);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds40")
  void inferredBroadcastShapeIsTheRuntimeShape(long seed) {
    Random rnd = new Random(seed);
    int a = rnd.nextInt(1, 6);
    int b = rnd.nextInt(1, 6);
    int ones = (int) (seed % 8); // every choice of the broadcast dimensions
    long[] left = {(ones & 1) != 0 ? 1 : a, b, (ones & 2) != 0 ? 1 : 3};
    long[] right = {(ones & 4) != 0 ? 1 : b, 3};
    Ops tf = Ops.on(GRAPH);
    Output<Float32> x = tf.constant(FLOAT32, random(Shape.of(left), a));
    Output<Float32> y = tf.constant(FLOAT32, random(Shape.of(right), b));
    Output<Float32> z = tf.mul(tf.add(x, y), y);
    assertThat(SERIAL.runner().fetch(z).run().get(0).shape()).isEqualTo(z.shape());
  }

  static LongStream seeds30() {
    return LongStream.range(0, 30);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds30")
  void convolutionShapeInferenceMatchesTheKernelAndSplittingIsExact(long seed) {
    Random rnd = new Random(seed);
    int batch = rnd.nextInt(1, 8);
    int size = rnd.nextInt(3, 12);
    // Every stride, padding and format in turn.
    int stride = (int) (seed % 3) + 1;
    boolean same = seed / 3 % 2 == 0;
    boolean nchw = seed / 6 % 2 == 0;
    DataFormat f = nchw ? DataFormat.NCHW : DataFormat.NHWC;
    Ops tf = Ops.on(GRAPH);
    Output<Float32> x = tf.constant(FLOAT32, random(f.shape(batch, size, size + 2, 5), size));
    Output<Float32> w = tf.constant(FLOAT32, random(Shape.of(3, 3, 5, 7), stride));
    Output<Float32> y = tf.nn.conv2d(x, w, stride, same ? Padding.SAME : Padding.VALID, f);
    Output<Float32> z =
        tf.matmul(tf.reshape(y, -1, 7), tf.constant(FLOAT32, random(Shape.of(7, 3), 1)));
    Tensor serial = SERIAL.runner().fetch(y).fetch(z).run().get(0);
    try (Session.Result split = SPLIT.runner().fetch(y).fetch(z).run()) {
      assertThat(serial.shape()).isEqualTo(y.shape());
      assertThat(split.get(0).toFloatArray()).containsExactly(serial.toFloatArray());
      assertThat(split.get(1).shape()).isEqualTo(z.shape());
    }
  }
}
