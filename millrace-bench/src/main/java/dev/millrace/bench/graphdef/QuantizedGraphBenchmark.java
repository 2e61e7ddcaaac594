package dev.millrace.bench.graphdef;

import dev.millrace.graph.Graph;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.transforms.FusedQuantizedLayers;
import dev.millrace.graphdef.transforms.GraphTransforms;
import dev.millrace.graphdef.transforms.StaticRanges;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Set;
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
 * The TensorFlow-written ResNet in float and in eight bits, in Millrace: {@code folded} (batch
 * norms folded into the weights, the float graph to beat), {@code eightbit} ({@code
 * quantize_weights quantize_nodes}: ranges measured at run time) and {@code calibrated} (those
 * ranges fixed as {@code millrace quantize --unfused} fixes them, here from the min/max over the
 * benchmark's own batch), {@code fused} (then each conv + bias + ReLU and the classifier as one of
 * TensorFlow's fused eight-bit ops, as {@code millrace quantize} writes it) and {@code
 * fused-per-channel} (the same with one weight range per output channel, {@code --per-channel}).
 * Score: batches per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class QuantizedGraphBenchmark {
  private static final String FOLD =
      "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
          + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms";

  private static final Set<String> OUTPUTS = Set.of("probabilities");

  @Param({"32"})
  public int batch;

  @Param({"folded", "eightbit", "calibrated", "fused", "fused-per-channel"})
  public String graph;

  private Graph imported;
  private Session session;
  private Tensor input;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    input = Tensor.ofFloats(Shape.of(batch, 32, 32, 3), ResNetGraph.randomImages(batch));
    GraphDef g = GraphDefFile.read(ResNetGraph.file());
    GraphDef folded = transform(g, FOLD);
    GraphDef t =
        graph.equals("folded") ? folded : transform(folded, "quantize_weights quantize_nodes");
    if (!graph.equals("folded") && !graph.equals("eightbit")) {
      t = StaticRanges.calibrateOn(t, "input:0", input, OUTPUTS);
    }
    if (graph.startsWith("fused")) {
      t = FusedQuantizedLayers.apply(t, folded, graph.endsWith("per-channel"), OUTPUTS);
    }
    imported = GraphImporter.withBuiltins().importGraph(t, graph);
    session = new Session(imported);
  }

  private static GraphDef transform(GraphDef g, String steps) {
    return GraphTransforms.apply(
        g,
        List.of("input"),
        List.copyOf(OUTPUTS),
        TransformSpec.parseAll(steps),
        OpRegistry.withBuiltins(),
        m -> {});
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    session.close();
    imported.close();
  }

  @Benchmark
  public float probabilities() {
    try (Session.Result r =
        session.runner().feed("input:0", input).fetch("probabilities:0").run()) {
      return r.get(0).getFloat(0);
    }
  }
}
