package dev.millrace.bench.kernels;

import static dev.millrace.graph.types.Types.FLOAT32;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Session;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
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

/**
 * Fused batch norm ({@code FusedBatchNormV3}) against the unfused chain of elementary ops ({@code
 * Ops.nn.batchNormUnfused}: Mean, Sub, Mul, Rsqrt, Add), both run through a Millrace session on a
 * [32, 32, 32, 16] NHWC tensor and its NCHW twin, for inference and training: the twin of {@code
 * TfBatchNormBenchmark}. Scale, offset, mean and variance are fed, as live variables would be.
 * Score: ms per session run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--add-modules", "jdk.incubator.vector"})
public class MillraceBatchNormBenchmark {
  static final int CHANNELS = 16;

  @Param({"true", "false"})
  public boolean fused;

  @Param({"false", "true"})
  public boolean training;

  @Param({"NHWC", "NCHW"})
  public DataFormat format;

  @Param({"1", "2"})
  public int threads;

  private Graph graph;
  private Session session;
  private Session.Runner runner;
  private Output<Float32> y;

  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(42);
    Shape shape = format.shape(32, 32, 32, CHANNELS);
    graph = new Graph();
    session = new Session(graph, ThreadConfig.of(1, threads));
    Ops tf = Ops.on(graph);
    Output<Float32> x = tf.placeholder(FLOAT32, shape);
    Output<Float32> scale = tf.placeholder(FLOAT32, Shape.of(CHANNELS));
    Output<Float32> offset = tf.placeholder(FLOAT32, Shape.of(CHANNELS));
    Output<Float32> mean = tf.placeholder(FLOAT32, Shape.of(CHANNELS));
    Output<Float32> variance = tf.placeholder(FLOAT32, Shape.of(CHANNELS));
    y =
        fused
            ? tf.nn.fusedBatchNorm(x, scale, offset, mean, variance, 1e-3, format, training).y()
            : tf.nn.batchNormUnfused(x, scale, offset, mean, variance, 1e-3, format, training).y();
    float[] ones = new float[CHANNELS];
    java.util.Arrays.fill(ones, 0.8f);
    runner =
        session
            .runner()
            .feed(x, KernelBenchData.random(rnd, shape))
            .feed(scale, KernelBenchData.random(rnd, Shape.of(CHANNELS)))
            .feed(offset, KernelBenchData.random(rnd, Shape.of(CHANNELS)))
            .feed(mean, KernelBenchData.random(rnd, Shape.of(CHANNELS)))
            .feed(variance, Tensor.ofFloats(Shape.of(CHANNELS), ones))
            .fetch(y);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    session.close();
    graph.close();
  }

  @Benchmark
  public Tensor batchNorm() {
    try (Session.Result r = runner.run()) {
      return r.get(0);
    }
  }
}
