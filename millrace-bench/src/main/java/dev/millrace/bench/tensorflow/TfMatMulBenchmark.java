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
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's float32 MatMul (oneDNN) on n×n×n, the GEMM baseline. Both operands are fed
 * placeholders, not constants, so that Grappler cannot fold the product away. The {@code gflop}
 * counter is GFLOP/s (2·n³ per call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class TfMatMulBenchmark {
  @Param({"1024"})
  public int n;

  /** TensorFlow's intra-op and inter-op pool sizes; one setting per fork. */
  @Param({"1", "2"})
  public int threads;

  private Graph graph;
  private Session session;
  private Placeholder<TFloat32> a;
  private Placeholder<TFloat32> b;
  private MatMul<TFloat32> product;
  private TFloat32 aValues;
  private TFloat32 bValues;
  private double gflopPerCall;

  @Setup(Level.Trial)
  public void setUp() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    a = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, n)));
    b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, n)));
    product = tf.linalg.matMul(a, b);
    session = TfSessions.open(graph, threads);
    aValues = TfTensors.uniform(Shape.of(n, n), 1);
    bValues = TfTensors.uniform(Shape.of(n, n), 2);
    gflopPerCall = 2.0 * n * n * n / 1e9;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    aValues.close();
    bValues.close();
    session.close();
    graph.close();
  }

  @Benchmark
  public float matMul(Flops flops) {
    try (Result r = session.runner().feed(a, aValues).feed(b, bValues).fetch(product).run()) {
      flops.gflop += gflopPerCall;
      return ((TFloat32) r.get(0)).getFloat(n - 1, n - 1);
    }
  }
}
