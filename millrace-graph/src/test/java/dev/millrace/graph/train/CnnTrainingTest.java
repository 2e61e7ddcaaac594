package dev.millrace.graph.train;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Initializers;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Session;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.graph.Variable;
import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Int64;
import dev.millrace.kernels.Padding;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * conv → fused batch norm → relu → max pool → dense → softmax cross-entropy, trained with {@code
 * minimize} in both data formats on one fixed synthetic batch.
 */
class CnnTrainingTest {
  private static final int BATCH = 8;

  /** Image side, input channels and filters of the model. */
  private record Dims(int size, int channels, int filters) {}

  private static final Dims SMALL = new Dims(8, 3, 4);

  /**
   * Large enough for the session to recycle its activations (at least {@code
   * OutputBuffers.MIN_FLOATS} elements), with one input channel: so in NCHW every layer from the
   * convolution to the pooling, forward and backward, runs on the NHWC twins of its inputs.
   */
  private static final Dims TWINNED = new Dims(32, 1, 16);

  private static final int CLASSES = 3;
  private static final int STEPS = 8;

  private record Model(
      Graph graph,
      Output<Float32> images,
      Output<Int64> labels,
      Output<Float32> loss,
      Operation train) {}

  private static Model build(Dims d, DataFormat f, Supplier<Optimizer> optimizer) {
    Graph g = new Graph();
    Ops tf = Ops.on(g);
    Output<Float32> x =
        tf.withName("images").placeholder(FLOAT32, f.shape(-1, d.size(), d.size(), d.channels()));
    Output<Int64> y = tf.withName("labels").placeholder(INT64, Shape.of(-1));
    Ops conv = tf.withSubScope("conv");
    Variable<Float32> w1 =
        conv.withName("kernel")
            .variable(FLOAT32, Shape.of(3, 3, d.channels(), d.filters()), Initializers.heNormal(1));
    Variable<Float32> gamma =
        conv.withName("gamma").variable(FLOAT32, Shape.of(d.filters()), Initializers.ones());
    Variable<Float32> beta =
        conv.withName("beta").variable(FLOAT32, Shape.of(d.filters()), Initializers.zeros());
    Output<Float32> h =
        conv.nn.maxPool(
            conv.nn.relu(
                conv.nn.fusedBatchNorm(
                    conv.nn.conv2d(x, w1, 1, Padding.SAME, f),
                    gamma,
                    beta,
                    null,
                    null,
                    1e-3,
                    f,
                    true)),
            2,
            2,
            Padding.VALID,
            f);
    if (f == DataFormat.NCHW) {
      // Flatten in NHWC order, as Keras's Flatten does for channels_first, so that the dense
      // weights mean the same in both formats.
      h = tf.transpose(h, DataFormat.NCHW.permutationTo(DataFormat.NHWC));
    }
    int features = d.size() / 2 * d.size() / 2 * d.filters();
    Ops dense = tf.withSubScope("dense");
    Variable<Float32> w2 =
        dense
            .withName("kernel")
            .variable(FLOAT32, Shape.of(features, CLASSES), Initializers.glorotUniform(2));
    Variable<Float32> b2 =
        dense.withName("bias").variable(FLOAT32, Shape.of(CLASSES), Initializers.zeros());
    Output<Float32> logits = dense.nn.biasAdd(dense.matmul(tf.reshape(h, -1, features), w2), b2);
    Output<Float32> loss =
        tf.withName("loss").mean(tf.nn.sparseSoftmaxCrossEntropyWithLogits(logits, y));
    Operation train = optimizer.get().minimize(loss);
    return new Model(g, x, y, loss, train);
  }

  private static Tensor images(Dims d, DataFormat f) {
    Random rnd = new Random(7);
    float[] v = new float[BATCH * d.size() * d.size() * d.channels()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    Tensor nhwc = Tensor.ofFloats(Shape.of(BATCH, d.size(), d.size(), d.channels()), v);
    return nhwc.toFormat(DataFormat.NHWC, f);
  }

  private static Tensor labels() {
    long[] l = new long[BATCH];
    for (int i = 0; i < BATCH; i++) {
      l[i] = i % CLASSES;
    }
    return Tensor.ofLongs(Shape.of(BATCH), l);
  }

  private static List<Float> train(Dims d, DataFormat f, Supplier<Optimizer> optimizer) {
    Model m = build(d, f, optimizer);
    Tensor images = images(d, f);
    Tensor labels = labels();
    List<Float> losses = new ArrayList<>();
    try (Graph g = m.graph();
        Session s = new Session(g, ThreadConfig.of(2, 1))) {
      for (int step = 0; step < STEPS; step++) {
        try (Session.Result r =
            s.runner()
                .feed(m.images(), images)
                .feed(m.labels(), labels)
                .fetch(m.loss())
                .target(m.train())
                .run()) {
          losses.add(r.get(0).getFloat(0));
        }
      }
    }
    return losses;
  }

  @Test
  void lossFallsAndBothDataFormatsAgreeAtEveryStepWithMomentum() {
    Supplier<Optimizer> sgd = () -> new Sgd(0.1, 0.9);
    List<Float> nhwc = train(SMALL, DataFormat.NHWC, sgd);
    List<Float> nchw = train(SMALL, DataFormat.NCHW, sgd);
    assertAgreeAtEveryStep(nhwc, nchw);
    assertThat(nhwc.get(STEPS - 1)).as("losses %s", nhwc).isLessThan(nhwc.get(0) * 0.7f);
  }

  @Test
  void lossFallsAndBothDataFormatsAgreeWithAdam() {
    Supplier<Optimizer> adam = () -> new Adam(0.01);
    List<Float> nhwc = train(SMALL, DataFormat.NHWC, adam);
    List<Float> nchw = train(SMALL, DataFormat.NCHW, adam);
    assertAgreeAtEveryStep(nhwc, nchw);
    assertThat(nhwc.get(STEPS - 1)).as("losses %s", nhwc).isLessThan(nhwc.get(0) * 0.7f);
  }

  @Test
  void aModelWhoseNchwLayersRunOnLayoutTwinsAgreesWithNhwcAtEveryStep() {
    Supplier<Optimizer> sgd = () -> new Sgd(0.01, 0.9);
    List<Float> nhwc = train(TWINNED, DataFormat.NHWC, sgd);
    List<Float> nchw = train(TWINNED, DataFormat.NCHW, sgd);
    assertAgreeAtEveryStep(nhwc, nchw);
    assertThat(nhwc.get(STEPS - 1)).as("losses %s", nhwc).isLessThan(nhwc.get(0));
  }

  private static void assertAgreeAtEveryStep(List<Float> nhwc, List<Float> nchw) {
    for (int i = 0; i < STEPS; i++) {
      assertThat(nchw.get(i))
          .as("step %d: %s vs %s", i, nhwc, nchw)
          .isCloseTo(nhwc.get(i), within(1e-4f));
    }
  }
}
