package dev.millrace.bench.tensorflow;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's tutorial network for 28×28×1 images, trained by TensorFlow itself (TensorFlow Java's
 * graph mode: its C++ gradients and its ApplyMomentum kernel): conv5×5-32 SAME + ReLU, max pool 2,
 * conv5×5-64 SAME + ReLU, max pool 2, dense 1024 + ReLU, dense 10; softmax cross-entropy, momentum
 * 0.9. The same network as Millrace's {@code tf-tutorial-cnn}, for two comparisons: the speed of a
 * training step ({@code TfTrainingStepBenchmark}) and a TensorFlow-trained graph to quantize
 * ({@link TfTrainFashion}, which {@link #freeze}s it).
 *
 * <p>Weights start Glorot-uniform and biases at zero, as the tutorial's layers start them; they are
 * drawn here from a seeded generator, so a run is repeatable.
 */
final class TfTutorialCnn implements AutoCloseable {
  static final int SIZE = 28;
  static final int CLASSES = 10;

  private static final long[][] SHAPES = {
    {5, 5, 1, 32},
    {32},
    {5, 5, 32, 64},
    {64},
    {7 * 7 * 64, 1024},
    {1024},
    {1024, CLASSES},
    {CLASSES}
  };

  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TFloat32> images;
  private final Placeholder<TFloat32> labels;
  private final Placeholder<TFloat32> rate;
  private final Operand<TFloat32> loss;
  private final List<Variable<TFloat32>> weights = new ArrayList<>();
  private final List<Op> updates = new ArrayList<>();

  /**
   * @param threads TensorFlow's intra- and inter-op pool sizes (one setting per process: see {@link
   *     TfSessions})
   */
  TfTutorialCnn(int threads, long seed) {
    this(threads, threads, seed);
  }

  /** With {@code interOp} inter-op threads and {@code threads} intra-op threads. */
  TfTutorialCnn(int threads, int interOp, long seed) {
    Ops tf = Ops.create(graph);
    images = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIZE, SIZE, 1)));
    labels = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CLASSES)));
    rate = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    SplittableRandom random = new SplittableRandom(seed);
    for (long[] s : SHAPES) {
      weights.add(tf.variable(tf.constantOf(initial(Shape.of(s), random))));
    }
    List<Operand<TFloat32>> w = new ArrayList<>(weights);
    Operand<TFloat32> logits = forward(tf, images, w);
    loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss(), tf.constant(0));
    var gradients = tf.gradients(loss, weights);
    Operand<TFloat32> momentum = tf.constant(0.9f);
    for (int i = 0; i < weights.size(); i++) {
      Variable<TFloat32> v = weights.get(i);
      Variable<TFloat32> accumulator =
          tf.variable(tf.zeros(tf.constant(SHAPES[i]), TFloat32.class));
      Output<TFloat32> g = gradients.dy(i);
      updates.add(tf.train.applyMomentum(v, accumulator, rate, g, momentum));
    }
    session = TfSessions.open(graph, interOp, threads);
    session.initialize();
  }

  /** The network's logits for {@code x}, with {@code w} its eight weight tensors in order. */
  private static Operand<TFloat32> forward(Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> w) {
    Operand<TFloat32> h = pool(tf, tf.nn.relu(conv(tf, x, w.get(0), w.get(1))));
    h = pool(tf, tf.nn.relu(conv(tf, h, w.get(2), w.get(3))));
    h = tf.reshape(h, tf.constant(new int[] {-1, 7 * 7 * 64}));
    h = tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(h, w.get(4)), w.get(5)));
    return tf.withName("logits").nn.biasAdd(tf.linalg.matMul(h, w.get(6)), w.get(7));
  }

  private static Operand<TFloat32> conv(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, Operand<TFloat32> b) {
    return tf.nn.biasAdd(
        tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), "SAME", Conv2d.dataFormat("NHWC")), b);
  }

  /**
   * A 2×2 max pool, stride 2, SAME. Built as TensorFlow's {@code MaxPool} op (attributes), not the
   * {@code MaxPoolV2} (tensor inputs) that TensorFlow Java's typed API writes.
   */
  private static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> x) {
    Scope scope = tf.scope();
    return tf.scope()
        .env()
        .opBuilder("MaxPool", scope.makeOpName("MaxPool"), scope)
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, 2, 2, 1})
        .setAttr("strides", new long[] {1, 2, 2, 1})
        .setAttr("padding", "SAME")
        .setAttr("data_format", "NHWC")
        .build()
        .<TFloat32>output(0);
  }

  /**
   * Glorot-uniform weights and zero biases, the defaults of TensorFlow's layers ({@code
   * tf.layers.conv2d}, {@code tf.layers.dense}) that the tutorial builds its network with.
   */
  private static TFloat32 initial(Shape shape, SplittableRandom random) {
    float[] v = new float[Math.toIntExact(shape.size())];
    if (shape.numDimensions() > 1) {
      long receptive = 1;
      for (int d = 0; d < shape.numDimensions() - 2; d++) {
        receptive *= shape.get(d);
      }
      long fanIn = receptive * shape.get(shape.numDimensions() - 2);
      long fanOut = receptive * shape.get(shape.numDimensions() - 1);
      double limit = Math.sqrt(6.0 / (fanIn + fanOut));
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
    }
    return TFloat32.tensorOf(shape, DataBuffers.of(v, true, false));
  }

  /** One training step on a batch: {@code x} is {@code [n, 28, 28, 1]}, {@code y} one-hot. */
  float step(TFloat32 x, TFloat32 y, float learningRate) {
    try (TFloat32 lr = TFloat32.scalarOf(learningRate)) {
      Session.Runner r = session.runner().feed(images, x).feed(labels, y).feed(rate, lr);
      updates.forEach(r::addTarget);
      try (Result result = r.fetch(loss).run()) {
        return ((TFloat32) result.get(0)).getFloat();
      }
    }
  }

  /**
   * One training step as {@link #step}, traced: TensorFlow's per-node timings ({@code
   * RunOptions.FULL_TRACE}) for {@link TfStepBreakdown}.
   */
  RunMetadata tracedStep(TFloat32 x, TFloat32 y, float learningRate) {
    try (TFloat32 lr = TFloat32.scalarOf(learningRate)) {
      Session.Runner r = session.runner().feed(images, x).feed(labels, y).feed(rate, lr);
      updates.forEach(r::addTarget);
      r.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
      try (Result result = r.fetch(loss).runAndFetchMetadata()) {
        return result.getMetadata().orElseThrow();
      }
    }
  }

  /**
   * The trained network as a frozen inference graph, written by TensorFlow: the weights as {@code
   * Const}, a placeholder {@code input} of {@code [?, 28, 28, 1]} and the outputs {@code logits}
   * and {@code probabilities}.
   */
  GraphDef freeze() {
    List<TFloat32> values = new ArrayList<>();
    Session.Runner r = session.runner();
    weights.forEach(r::fetch);
    try (Result result = r.run()) {
      for (int i = 0; i < weights.size(); i++) {
        TFloat32 t = (TFloat32) result.get(i);
        float[] copy = new float[Math.toIntExact(t.shape().size())];
        t.asRawTensor().data().asFloats().read(copy);
        values.add(TFloat32.tensorOf(t.shape(), DataBuffers.of(copy, true, false)));
      }
    }
    try (Graph frozen = new Graph()) {
      Ops tf = Ops.create(frozen);
      Placeholder<TFloat32> input =
          tf.withName("input")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIZE, SIZE, 1)));
      List<Operand<TFloat32>> w = new ArrayList<>();
      for (TFloat32 v : values) {
        w.add(tf.constantOf(v));
      }
      tf.withName("probabilities").nn.softmax(forward(tf, input, w));
      values.forEach(TFloat32::close);
      return frozen.toGraphDef();
    }
  }

  /**
   * A batch of {@code n} images uniform in [0, 1) and labels uniform over the classes, from a fixed
   * seed: the synthetic batch the step benchmarks train on.
   */
  static TFloat32[] randomBatch(int n) {
    SplittableRandom random = new SplittableRandom(2);
    float[] pixels = new float[n * SIZE * SIZE];
    int[] classes = new int[n];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      classes[i] = random.nextInt(CLASSES);
    }
    return batch(pixels, classes, 0, n);
  }

  /** Images and one-hot labels as tensors. */
  static TFloat32[] batch(float[] pixels, int[] classes, int from, int n) {
    float[] x = new float[n * SIZE * SIZE];
    System.arraycopy(pixels, from * SIZE * SIZE, x, 0, x.length);
    float[] y = new float[n * CLASSES];
    for (int i = 0; i < n; i++) {
      y[i * CLASSES + classes[from + i]] = 1;
    }
    return new TFloat32[] {
      TFloat32.tensorOf(Shape.of(n, SIZE, SIZE, 1), DataBuffers.of(x, true, false)),
      TFloat32.tensorOf(Shape.of(n, CLASSES), DataBuffers.of(y, true, false))
    };
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
