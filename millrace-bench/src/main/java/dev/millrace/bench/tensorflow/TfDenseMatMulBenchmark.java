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
 * TensorFlow's side of {@code kernels.DenseMatMulBenchmark}: the three products of the tutorial
 * CNN's dense layer (batch 100, 3136 inputs, 1024 outputs) with the transposes its training step
 * uses — forward {@code X · W}, input gradient {@code dY · Wᵀ}, weight gradient {@code Xᵀ · dY}.
 * Operands are fed placeholders so that Grappler cannot fold the product. Score: ms per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class TfDenseMatMulBenchmark {
  /** Which of the layer's products (the names of {@code DenseMatMulBenchmark.Product}). */
  @Param({"forward", "inputGradient", "weightGradient"})
  public String product;

  /** TensorFlow's intra-op and inter-op pool sizes; one setting per fork. */
  @Param({"1", "2"})
  public int threads;

  private Graph graph;
  private Session session;
  private Placeholder<TFloat32> a;
  private Placeholder<TFloat32> b;
  private MatMul<TFloat32> result;
  private TFloat32 aValues;
  private TFloat32 bValues;

  @Setup(Level.Trial)
  public void setUp() {
    Shape x = Shape.of(100, 3136);
    Shape w = Shape.of(3136, 1024);
    Shape dy = Shape.of(100, 1024);
    Shape aShape;
    Shape bShape;
    MatMul.Options options;
    switch (product) {
      case "forward" -> {
        aShape = x;
        bShape = w;
        options = MatMul.transposeB(false);
      }
      case "inputGradient" -> {
        aShape = dy;
        bShape = w;
        options = MatMul.transposeB(true);
      }
      case "weightGradient" -> {
        aShape = x;
        bShape = dy;
        options = MatMul.transposeA(true);
      }
      default -> throw new IllegalArgumentException("product: " + product);
    }
    graph = new Graph();
    Ops tf = Ops.create(graph);
    a = tf.placeholder(TFloat32.class, Placeholder.shape(aShape));
    b = tf.placeholder(TFloat32.class, Placeholder.shape(bShape));
    result = tf.linalg.matMul(a, b, options);
    session = TfSessions.open(graph, threads);
    aValues = TfTensors.uniform(aShape, 1);
    bValues = TfTensors.uniform(bShape, 2);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    aValues.close();
    bValues.close();
    session.close();
    graph.close();
  }

  @Benchmark
  public float matMul() {
    try (Result r = session.runner().feed(a, aValues).feed(b, bValues).fetch(result).run()) {
      return ((TFloat32) r.get(0)).getFloat(0, 0);
    }
  }
}
