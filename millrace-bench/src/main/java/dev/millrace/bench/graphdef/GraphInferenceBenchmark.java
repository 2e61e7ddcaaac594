package dev.millrace.bench.graphdef;

import dev.millrace.graph.Graph;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.transforms.GraphTransforms;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
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

/**
 * Millrace's side of the frozen-graph comparison ({@code TfGraphInferenceBenchmark}): the
 * TensorFlow-written ResNet of {@code testdata/tensorflow/graphs}, imported and run for its {@code
 * probabilities} on a batch of random images. Score: batches per second (× batch = images/s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class GraphInferenceBenchmark {
  @Param({"1", "32"})
  public int batch;

  /**
   * NHWC: the file as TensorFlow wrote it. NCHW: the same graph after {@code
   * set_data_format(data_format=NCHW)} (one transpose of the input, then NCHW kernels throughout).
   */
  @Param({"NHWC", "NCHW"})
  public String format;

  private Graph graph;
  private Session session;
  private Tensor input;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    OpRegistry registry = OpRegistry.withBuiltins();
    GraphDef g = GraphDefFile.read(ResNetGraph.file());
    if (format.equals("NCHW")) {
      g =
          GraphTransforms.apply(
              g,
              List.of("input"),
              List.of("probabilities"),
              TransformSpec.parseAll("set_data_format(data_format=NCHW)"),
              registry,
              m -> {});
    }
    graph = new GraphImporter(registry).importGraph(g, format + " ResNet");
    session = new Session(graph);
    input = Tensor.ofFloats(Shape.of(batch, 32, 32, 3), ResNetGraph.randomImages(batch));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    session.close();
    graph.close();
  }

  @Benchmark
  public float probabilities() {
    try (Session.Result r =
        session.runner().feed("input:0", input).fetch("probabilities:0").run()) {
      return r.get(0).getFloat(0);
    }
  }
}
