package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * The fake-quantization ops of quantization-aware training, against TensorFlow's kernels on the
 * same GraphDef: the same floats, bit for bit, on values that sweep past both ends of the range and
 * through the half-way points between levels, for ranges whose zero point must be nudged.
 */
@Tag("tensorflow")
class TensorFlowFakeQuantizesAsMillraceTest {
  @ParameterizedTest(name = "{0} [{1}, {2}] num_bits={3} narrow_range={4}")
  @CsvSource({
    "FakeQuantWithMinMaxArgs, -6, 6, 8, false",
    "FakeQuantWithMinMaxArgs, -0.37, 2.9, 8, true",
    "FakeQuantWithMinMaxArgs, 0.5, 3, 4, false",
    "FakeQuantWithMinMaxVars, -1.1, 5.3, 8, false",
    "FakeQuantWithMinMaxVars, -2.5, -0.5, 7, true",
    "FakeQuantWithMinMaxVars, 0, 0, 8, false",
    "FakeQuantWithMinMaxVarsPerChannel, -1.1, 5.3, 8, false",
    "FakeQuantWithMinMaxVarsPerChannel, -3, 0.25, 5, true",
  })
  void sameFloatsAsTensorFlow(String op, float min, float max, int bits, boolean narrow)
      throws Exception {
    int channels = 3;
    int n = 3 * 700;
    float[] x = new float[n];
    float lo = Math.min(min, -1) * 1.3f;
    float hi = Math.max(max, 1) * 1.3f;
    for (int i = 0; i < n; i++) {
      x[i] = lo + (hi - lo) * i / (n - 1);
    }
    NodeDef.Builder fq =
        NodeDef.newBuilder()
            .setName("fq")
            .setOp(op)
            .addInput("x")
            .putAttr("num_bits", AttrValue.newBuilder().setI(bits).build())
            .putAttr("narrow_range", AttrValue.newBuilder().setB(narrow).build());
    GraphDef.Builder g = GraphDef.newBuilder().addNode(GraphDefNodes.floatVector("flat", x));
    g.addNode(GraphDefNodes.intVector("shape", n / channels, channels));
    g.addNode(
        NodeDef.newBuilder()
            .setName("x")
            .setOp("Reshape")
            .addInput("flat")
            .addInput("shape")
            .putAttr(
                "T",
                AttrValue.newBuilder()
                    .setType(dev.millrace.graphdef.proto.DataType.DT_FLOAT)
                    .build()));
    switch (op) {
      case "FakeQuantWithMinMaxArgs" ->
          fq.putAttr("min", AttrValue.newBuilder().setF(min).build())
              .putAttr("max", AttrValue.newBuilder().setF(max).build());
      case "FakeQuantWithMinMaxVars" -> {
        g.addNode(GraphDefNodes.floatScalar("min", min));
        g.addNode(GraphDefNodes.floatScalar("max", max));
        fq.addInput("min").addInput("max");
      }
      default -> {
        // A different range per channel: the given one, then wider ones.
        g.addNode(GraphDefNodes.floatVector("min", min, min * 2 - 0.1f, min - 1));
        g.addNode(GraphDefNodes.floatVector("max", max, max * 2 + 0.1f, max + 0.5f));
        fq.addInput("min").addInput("max");
      }
    }
    GraphDef graph = g.addNode(fq).build();
    float[] millrace;
    try (var imported = GraphImporter.withBuiltins().importGraph(graph, "fake-quant");
        var session = new dev.millrace.graph.Session(imported);
        var result = session.runner().fetch("fq:0").run()) {
      millrace = result.get(0).toFloatArray();
    }
    float[] tf = new float[n];
    try (Graph tfGraph = new Graph()) {
      tfGraph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(graph.toByteArray()));
      try (Session session = TfSessions.open(tfGraph, 1);
          Result result = session.runner().fetch("fq").run()) {
        ((TFloat32) result.get(0)).asRawTensor().data().asFloats().read(tf);
      }
    }
    List<String> off = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (Float.floatToIntBits(tf[i]) != Float.floatToIntBits(millrace[i])) {
        off.add(x[i] + ": tf " + tf[i] + " millrace " + millrace[i]);
      }
    }
    assertThat(off).as("inputs whose fake-quantized value differs").isEmpty();
  }
}
