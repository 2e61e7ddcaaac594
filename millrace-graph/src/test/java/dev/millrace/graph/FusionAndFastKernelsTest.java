package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.ReferenceKernels;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The session's default fast kernels and its Conv2D + BiasAdd / batch norm + Relu fusion. */
class FusionAndFastKernelsTest {
  private static final int N = 3;
  private static final int SIZE = 7;
  private static final int IN = 5;
  private static final int OUT = 11;

  @Test
  void sessionsUseTheFastKernelsByDefaultOnTheIntraOpPool() {
    try (Graph g = new Graph();
        Session one = new Session(g, ThreadConfig.of(1, 1));
        Session two = new Session(g, ThreadConfig.of(1, 2))) {
      assertThat(one.kernels()).isInstanceOf(FastKernels.class);
      assertThat(one.kernels().splitsWork()).isFalse();
      assertThat(two.kernels()).isInstanceOf(FastKernels.class);
      assertThat(two.kernels().splitsWork()).isTrue();
    }
  }

  private static Tensor random(Random rnd, Shape s) {
    float[] v = new float[Math.toIntExact(s.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return Tensor.ofFloats(s, v);
  }

  /** Builds conv → tail in {@code format}; returns the output to fetch. */
  private record Net(Graph graph, Output<Float32> images, Output<Float32> conv, Output<?> out) {}

  private static Net net(
      DataFormat format, BiFunction<Ops, Output<Float32>, Output<?>> tail, long seed) {
    Random rnd = new Random(seed);
    Graph g = new Graph();
    Ops tf = Ops.on(g);
    Output<Float32> x = tf.placeholder(FLOAT32, format.shape(-1, SIZE, SIZE, IN));
    Output<Float32> w = tf.constant(FLOAT32, random(rnd, Shape.of(3, 3, IN, OUT)));
    Output<Float32> conv = tf.nn.conv2d(x, w, 1, Padding.SAME, format);
    return new Net(g, x, conv, tail.apply(tf, conv));
  }

  private static List<String> types(Session.Result r) {
    return r.stats().ops().stream().map(RunStats.OpStat::type).toList();
  }

  private static float[] run(Net net, Session s, Tensor images, List<String> typesOut) {
    try (Session.Result r = s.runner().feed(net.images(), images).fetch(net.out()).run()) {
      typesOut.addAll(types(r));
      return r.get(0).toFloatArray();
    }
  }

  @Test
  void convBiasAddReluBecomesOneOperationWithTheSameResult() {
    for (DataFormat format : DataFormat.values()) {
      Random rnd = new Random(3);
      Tensor bias = random(rnd, Shape.of(OUT));
      Net net =
          net(
              format,
              (tf, conv) -> tf.nn.relu(tf.nn.biasAdd(conv, tf.constant(FLOAT32, bias), format)),
              5);
      Tensor images = random(rnd, format.shape(N, SIZE, SIZE, IN));
      try (Session fast = new Session(net.graph(), ThreadConfig.of(1, 2));
          Session reference =
              new Session(net.graph(), ThreadConfig.of(1, 1), new ReferenceKernels())) {
        List<String> fastTypes = new java.util.ArrayList<>();
        List<String> referenceTypes = new java.util.ArrayList<>();
        float[] a = run(net, fast, images, fastTypes);
        float[] b = run(net, reference, images, referenceTypes);
        assertThat(fastTypes).contains("FusedConv2D+BiasAdd+Relu").doesNotContain("Conv2D", "Relu");
        assertThat(referenceTypes).contains("FusedConv2D+BiasAdd+Relu");
        assertThat(a).hasSize(b.length);
        for (int i = 0; i < a.length; i++) {
          assertThat(a[i]).as("element %d (%s)", i, format).isCloseTo(b[i], within(1e-4f));
        }
      }
      net.graph().close();
    }
  }

  @Test
  void aFetchedIntermediateIsNotFused() {
    Random rnd = new Random(4);
    Tensor bias = random(rnd, Shape.of(OUT));
    Net net =
        net(
            DataFormat.NHWC,
            (tf, conv) -> tf.nn.relu(tf.nn.biasAdd(conv, tf.constant(FLOAT32, bias))),
            6);
    Tensor images = random(rnd, DataFormat.NHWC.shape(N, SIZE, SIZE, IN));
    try (Graph g = net.graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      try (Session.Result r =
          s.runner().feed(net.images(), images).fetch(net.out()).fetch(net.conv()).run()) {
        assertThat(types(r)).contains("Conv2D", "BiasAdd", "Relu");
        assertThat(types(r)).noneMatch(t -> t.startsWith("FusedConv2D"));
      }
    }
  }

  @Test
  void convInferenceBatchNormReluFoldsTheStatisticsIntoTheConvolution() {
    for (DataFormat format : DataFormat.values()) {
      Random rnd = new Random(8);
      Tensor scale = random(rnd, Shape.of(OUT));
      Tensor offset = random(rnd, Shape.of(OUT));
      Tensor mean = random(rnd, Shape.of(OUT));
      float[] var = new float[OUT];
      for (int i = 0; i < OUT; i++) {
        var[i] = 0.5f + rnd.nextFloat();
      }
      Net net =
          net(
              format,
              (tf, conv) ->
                  tf.nn.relu(
                      tf.nn.fusedBatchNorm(
                          conv,
                          tf.constant(FLOAT32, scale),
                          tf.constant(FLOAT32, offset),
                          tf.constant(FLOAT32, mean),
                          tf.constant(var),
                          1e-3,
                          format,
                          false)),
              9);
      Tensor images = random(rnd, format.shape(N, SIZE, SIZE, IN));
      try (Graph g = net.graph();
          Session fast = new Session(g, ThreadConfig.of(1, 2));
          Session reference = new Session(g, ThreadConfig.of(1, 1), new ReferenceKernels())) {
        List<String> fastTypes = new java.util.ArrayList<>();
        float[] a = run(net, fast, images, fastTypes);
        float[] b = run(net, reference, images, new java.util.ArrayList<>());
        assertThat(fastTypes).contains("FusedConv2D+FusedBatchNormV3+Relu");
        for (int i = 0; i < a.length; i++) {
          assertThat(a[i]).as("element %d (%s)", i, format).isCloseTo(b[i], within(1e-4f));
        }
      }
    }
  }

  @Test
  void trainingGraphsStillFuseTheForwardChainAndMatchTheReference() {
    Random rnd = new Random(11);
    Graph g = new Graph();
    Ops tf = Ops.on(g);
    Output<Float32> x = tf.placeholder(FLOAT32, DataFormat.NHWC.shape(-1, SIZE, SIZE, IN));
    Variable<Float32> w = tf.variable(tf.constant(FLOAT32, random(rnd, Shape.of(3, 3, IN, OUT))));
    Variable<Float32> b = tf.variable(tf.constant(FLOAT32, random(rnd, Shape.of(OUT))));
    Output<Float32> y =
        tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, w, 1, Padding.SAME, DataFormat.NHWC), b));
    Output<Float32> loss = tf.sum(tf.mul(y, y));
    List<Output<?>> grads = Gradients.of(loss, List.of(w.asOutput(), b.asOutput()));
    Tensor images = random(rnd, DataFormat.NHWC.shape(N, SIZE, SIZE, IN));
    try (g;
        Session fast = new Session(g, ThreadConfig.of(1, 2));
        Session reference = new Session(g, ThreadConfig.of(1, 1), new ReferenceKernels())) {
      fast.initialize();
      reference.initialize();
      try (Session.Result rf =
              fast.runner().feed(x, images).fetch(grads.get(0)).fetch(grads.get(1)).run();
          Session.Result rr =
              reference.runner().feed(x, images).fetch(grads.get(0)).fetch(grads.get(1)).run()) {
        assertThat(types(rf)).contains("FusedConv2D+BiasAdd+Relu");
        for (int k = 0; k < 2; k++) {
          float[] a = rf.get(k).toFloatArray();
          float[] e = rr.get(k).toFloatArray();
          for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isCloseTo(e[i], within(1e-3f * (1 + Math.abs(e[i]))));
          }
        }
      }
    }
  }

  @Test
  void theGradientOfReluThenMaxPoolIsOnePassWithTheSameResult() {
    for (DataFormat format : DataFormat.values()) {
      Random rnd = new Random(9);
      Net net =
          net(format, (tf, conv) -> tf.nn.maxPool(tf.nn.relu(conv), 2, 2, Padding.SAME, format), 7);
      Ops tf = Ops.on(net.graph());
      Output<Float32> loss = tf.sum(tf.mul(net.out().expect(FLOAT32), tf.constant(1.5f)));
      Output<?> dConv = Gradients.of(loss, List.of(net.conv())).get(0);
      Tensor images = random(rnd, format.shape(N, SIZE, SIZE, IN));
      try (Session fast = new Session(net.graph(), ThreadConfig.of(1, 2));
          Session reference =
              new Session(net.graph(), ThreadConfig.of(1, 1), new ReferenceKernels());
          Session.Result a = fast.runner().feed(net.images(), images).fetch(dConv).run();
          Session.Result b = reference.runner().feed(net.images(), images).fetch(dConv).run()) {
        assertThat(types(a)).contains("FusedMaxPoolGrad+ReluGrad").doesNotContain("ReluGrad");
        float[] x = a.get(0).toFloatArray();
        float[] y = b.get(0).toFloatArray();
        assertThat(x).hasSize(y.length);
        long zeros = 0;
        for (int i = 0; i < x.length; i++) {
          assertThat(x[i]).as("element %d (%s)", i, format).isEqualTo(y[i]);
          zeros += x[i] == 0 ? 1 : 0;
        }
        // Most pixels are not a window's maximum, and some maxima are not above 0.
        assertThat(zeros).isGreaterThan(x.length / 2).isLessThan(x.length);
      }
      net.graph().close();
    }
  }
}
