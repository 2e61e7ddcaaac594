package dev.millrace.bench.tensorflow;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * TensorFlow's fused batch norm ({@code FusedBatchNormV3}) against the unfused chain of elementary
 * ops that {@code tf.nn.moments} + {@code tf.nn.batch_normalization} build, on a [32, 32, 32, 16]
 * NHWC tensor, for inference (given mean and variance) and training (batch statistics). Epsilon is
 * 1e-3 as in Keras. Scale, offset, mean and variance are fed like the variables of a live model, so
 * Grappler cannot precompute the per-channel factors; Grappler otherwise runs with its defaults,
 * which is what a TensorFlow user gets. Score: ms per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class TfBatchNormBenchmark {
  static final Shape SHAPE = Shape.of(32, 32, 32, 16);
  static final float EPSILON = 1e-3f;

  /** TensorFlow's intra-op and inter-op pool sizes; one setting per fork. */
  @Param({"1", "2"})
  public int threads;

  private Graph graph;
  private Session session;
  private Placeholder<TFloat32> x;
  private Placeholder<TFloat32> scale;
  private Placeholder<TFloat32> offset;
  private Placeholder<TFloat32> mean;
  private Placeholder<TFloat32> variance;
  private TFloat32 xValues;
  private TFloat32 scaleValues;
  private TFloat32 offsetValues;
  private TFloat32 meanValues;
  private TFloat32 varianceValues;

  private FusedBatchNorm<TFloat32, TFloat32> fusedInference;
  private FusedBatchNorm<TFloat32, TFloat32> fusedTraining;
  private Operand<TFloat32> unfusedInference;
  private Output<?>[] unfusedTraining;

  @Setup(Level.Trial)
  public void setUp() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    long channels = SHAPE.get(3);
    x = tf.placeholder(TFloat32.class, Placeholder.shape(SHAPE));
    scale = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(channels)));
    offset = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(channels)));
    mean = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(channels)));
    variance = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(channels)));

    fusedInference =
        tf.nn.fusedBatchNorm(
            x,
            scale,
            offset,
            mean,
            variance,
            FusedBatchNorm.epsilon(EPSILON),
            FusedBatchNorm.isTraining(false),
            FusedBatchNorm.dataFormat("NHWC"));
    // In training the statistics come from the batch; the mean and variance inputs are empty.
    Operand<TFloat32> none = tf.constant(new float[0]);
    fusedTraining =
        tf.nn.fusedBatchNorm(
            x,
            scale,
            offset,
            none,
            none,
            FusedBatchNorm.epsilon(EPSILON),
            FusedBatchNorm.isTraining(true),
            FusedBatchNorm.dataFormat("NHWC"));
    if (!fusedInference.op().type().equals("FusedBatchNormV3")) {
      throw new IllegalStateException(
          "tf.nn.fusedBatchNorm built " + fusedInference.op().type() + " (expected V3)");
    }

    unfusedInference = normalize(tf, mean, variance);
    // tf.nn.moments: mean over N, H, W; variance as the mean squared difference to a stopped mean.
    Operand<TInt32> axes = tf.constant(new int[] {0, 1, 2});
    Operand<TFloat32> batchMean = tf.math.mean(x, axes);
    Operand<TFloat32> batchVariance =
        tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(batchMean)), axes);
    unfusedTraining =
        new Output<?>[] {
          normalize(tf, batchMean, batchVariance).asOutput(),
          batchMean.asOutput(),
          batchVariance.asOutput()
        };

    session = TfSessions.open(graph, threads);
    xValues = TfTensors.uniform(SHAPE, 5, -3f, 3f);
    scaleValues = TfTensors.uniform(Shape.of(channels), 6, 0.5f, 1.5f);
    offsetValues = TfTensors.uniform(Shape.of(channels), 7, -0.5f, 0.5f);
    meanValues = TfTensors.uniform(Shape.of(channels), 8, -0.5f, 0.5f);
    varianceValues = TfTensors.uniform(Shape.of(channels), 9, 0.5f, 2f);
  }

  // tf.nn.batch_normalization: inv = rsqrt(variance + eps) * scale; y = x * inv + (offset - mean *
  // inv).
  private Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> m, Operand<TFloat32> v) {
    Operand<TFloat32> inv = tf.math.mul(tf.math.rsqrt(tf.math.add(v, tf.constant(EPSILON))), scale);
    return tf.math.add(tf.math.mul(x, inv), tf.math.sub(offset, tf.math.mul(m, inv)));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (TFloat32 t :
        new TFloat32[] {xValues, scaleValues, offsetValues, meanValues, varianceValues}) {
      t.close();
    }
    session.close();
    graph.close();
  }

  private Session.Runner fed() {
    return session
        .runner()
        .feed(x, xValues)
        .feed(scale, scaleValues)
        .feed(offset, offsetValues)
        .feed(mean, meanValues)
        .feed(variance, varianceValues);
  }

  @Benchmark
  public float fusedInference() {
    try (Result r = fed().fetch(fusedInference.y()).run()) {
      return ((TFloat32) r.get(0)).getFloat(0, 0, 0, 0);
    }
  }

  @Benchmark
  public float unfusedInference() {
    try (Result r = fed().fetch(unfusedInference).run()) {
      return ((TFloat32) r.get(0)).getFloat(0, 0, 0, 0);
    }
  }

  @Benchmark
  public float fusedTraining() {
    try (Result r =
        fed()
            .fetch(fusedTraining.y())
            .fetch(fusedTraining.batchMean())
            .fetch(fusedTraining.batchVariance())
            .run()) {
      return ((TFloat32) r.get(0)).getFloat(0, 0, 0, 0) + ((TFloat32) r.get(2)).getFloat(0);
    }
  }

  @Benchmark
  public float unfusedTraining() {
    Session.Runner runner = fed();
    for (Output<?> o : unfusedTraining) {
      runner.fetch(o);
    }
    try (Result r = runner.run()) {
      return ((TFloat32) r.get(0)).getFloat(0, 0, 0, 0) + ((TFloat32) r.get(2)).getFloat(0);
    }
  }
}
