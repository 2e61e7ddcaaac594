package dev.millrace.bench.tensorflow;

import dev.millrace.bench.graphdef.ResNetGraph;
import java.io.IOException;
import java.nio.file.Files;
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
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's side of the frozen-graph comparison ({@code GraphInferenceBenchmark}): the same
 * ResNet, batch and images, with TensorFlow's intra-op and inter-op pools at {@code threads}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class TfGraphInferenceBenchmark {
  @Param({"1", "32"})
  public int batch;

  /** One setting per fork: TensorFlow's pools are process-wide. */
  @Param({"2"})
  public int threads;

  private Graph graph;
  private Session session;
  private TFloat32 input;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    graph = new Graph();
    graph.importGraphDef(GraphDef.parseFrom(Files.readAllBytes(ResNetGraph.file())));
    session = TfSessions.open(graph, threads);
    input =
        TFloat32.tensorOf(
            org.tensorflow.ndarray.Shape.of(batch, 32, 32, 3),
            DataBuffers.of(ResNetGraph.randomImages(batch), true, false));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    input.close();
    session.close();
    graph.close();
  }

  @Benchmark
  public float probabilities() {
    try (Result r = session.runner().feed("input", input).fetch("probabilities").run()) {
      return ((TFloat32) r.get(0)).getFloat(0, 0);
    }
  }
}
