package dev.millrace.bench.tensorflow;

import java.util.List;
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
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's 3×3 NHWC Conv2D forward (oneDNN) on the five reference layers, batch 32, padding
 * SAME. The input is a fed placeholder and the HWIO filter a constant, as in a frozen graph. Score:
 * ms per call, the unit of the published targets (GFLOP/s = 2·N·Ho·Wo·Cout·9·Cin / time).
 * TensorFlow's CPU build cannot run NCHW Conv2D, so NHWC is its only format here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class TfConv2dBenchmark {
  static final int BATCH = 32;

  /**
   * The reference layers. The constants keep the exact names that {@code millrace bench kernels}
   * reports, so a JMH line and a Millrace line can be matched by eye.
   */
  public enum Layer {
    conv3x3_3to16_32x32(3, 16, 32, 1),
    conv3x3_16to16_32x32(16, 16, 32, 1),
    conv3x3_16to32_s2_32x32(16, 32, 32, 2),
    conv3x3_32to32_16x16(32, 32, 16, 1),
    conv3x3_64to64_8x8(64, 64, 8, 1);

    final int in;
    final int out;
    final int size;
    final int stride;

    Layer(int in, int out, int size, int stride) {
      this.in = in;
      this.out = out;
      this.size = size;
      this.stride = stride;
    }
  }

  @Param public Layer layer;

  /** TensorFlow's intra-op and inter-op pool sizes; one setting per fork. */
  @Param({"1", "2"})
  public int threads;

  private Graph graph;
  private Session session;
  private Placeholder<TFloat32> input;
  private Conv2d<TFloat32> conv;
  private TFloat32 inputValues;
  private TFloat32 filterValues;

  @Setup(Level.Trial)
  public void setUp() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    Shape inputShape = Shape.of(BATCH, layer.size, layer.size, layer.in);
    input = tf.placeholder(TFloat32.class, Placeholder.shape(inputShape));
    filterValues = TfTensors.uniform(Shape.of(3, 3, layer.in, layer.out), 3);
    conv =
        tf.nn.conv2d(
            input,
            tf.constantOf(filterValues),
            List.of(1L, (long) layer.stride, (long) layer.stride, 1L),
            "SAME",
            Conv2d.dataFormat("NHWC"));
    session = TfSessions.open(graph, threads);
    inputValues = TfTensors.uniform(inputShape, 4);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    inputValues.close();
    filterValues.close();
    session.close();
    graph.close();
  }

  @Benchmark
  public float conv2d() {
    try (Result r = session.runner().feed(input, inputValues).fetch(conv).run()) {
      return ((TFloat32) r.get(0)).getFloat(0, 0, 0, 0);
    }
  }
}
