package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
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
 * QuantizeV2 in every mode, round mode and range Millrace runs, against TensorFlow's kernel on the
 * same GraphDef: the same codes and the same output range, on floats that include the range's ends,
 * values beyond them, zero and the half-way points between codes.
 */
@Tag("tensorflow")
class TensorFlowQuantizesAsMillraceTest {
  @ParameterizedTest(name = "{0} {1} {2} narrow_range={3} [{4}, {5}]")
  @CsvSource({
    "DT_QUINT8, MIN_COMBINED, HALF_AWAY_FROM_ZERO, false, -1.5, 2.25",
    "DT_QINT8, MIN_COMBINED, HALF_AWAY_FROM_ZERO, false, -1.5, 2.25",
    "DT_QUINT8, MIN_FIRST, HALF_AWAY_FROM_ZERO, false, -0.73, 5.1",
    "DT_QUINT8, SCALED, HALF_AWAY_FROM_ZERO, false, 0, 3.5",
    "DT_QUINT8, SCALED, HALF_TO_EVEN, false, -1, 3.5",
    "DT_QINT8, SCALED, HALF_AWAY_FROM_ZERO, false, -2, 1.75",
    "DT_QINT8, SCALED, HALF_TO_EVEN, false, -2, 1.75",
    "DT_QINT8, SCALED, HALF_AWAY_FROM_ZERO, true, -2, 1.75",
    "DT_QINT8, SCALED, HALF_TO_EVEN, true, -0.5, 4",
    "DT_QINT8, SCALED, HALF_TO_EVEN, false, 0, 0",
  })
  void sameCodesAsTensorFlow(
      String type, String mode, String roundMode, boolean narrow, float min, float max)
      throws Exception {
    DataType t = DataType.valueOf(type);
    float[] x = inputs(min, max);
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(GraphDefNodes.floatVector("x", x))
            .addNode(GraphDefNodes.floatScalar("min", min))
            .addNode(GraphDefNodes.floatScalar("max", max))
            .addNode(
                NodeDef.newBuilder()
                    .setName("q")
                    .setOp("QuantizeV2")
                    .addInput("x")
                    .addInput("min")
                    .addInput("max")
                    .putAttr("T", AttrValue.newBuilder().setType(t).build())
                    .putAttr("mode", string(mode))
                    .putAttr("round_mode", string(roundMode))
                    .putAttr("narrow_range", AttrValue.newBuilder().setB(narrow).build()))
            // TensorFlow Java cannot fetch eight-bit tensors: the codes come back as floats,
            // through a Dequantize whose step is exactly 1 (code - lowest, exact in float).
            .addNode(GraphDefNodes.floatScalar("zero", 0))
            .addNode(GraphDefNodes.floatScalar("steps", 255))
            .addNode(
                NodeDef.newBuilder()
                    .setName("codes")
                    .setOp("Dequantize")
                    .addInput("q")
                    .addInput("zero")
                    .addInput("steps")
                    .putAttr("T", AttrValue.newBuilder().setType(t).build())
                    .putAttr("mode", string("MIN_COMBINED")))
            .build();
    float[] millrace;
    float[] millraceRange = new float[2];
    try (var graph = GraphImporter.withBuiltins().importGraph(g, "quantize");
        var session = new dev.millrace.graph.Session(graph);
        var result = session.runner().fetch("codes:0").fetch("q:1").fetch("q:2").run()) {
      millrace = result.get(0).toFloatArray();
      millraceRange[0] = result.get(1).getFloat(0);
      millraceRange[1] = result.get(2).getFloat(0);
    }
    float[] tf = new float[x.length];
    float[] tfRange = new float[2];
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (Session session = TfSessions.open(graph, 1);
          Result result = session.runner().fetch("codes").fetch("q:1").fetch("q:2").run()) {
        ((TFloat32) result.get(0)).asRawTensor().data().asFloats().read(tf);
        tfRange[0] = ((TFloat32) result.get(1)).getFloat();
        tfRange[1] = ((TFloat32) result.get(2)).getFloat();
      }
    }
    assertThat(millraceRange).as("output range").containsExactly(tfRange);
    List<String> off = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (tf[i] != millrace[i]) {
        off.add(x[i] + ": tf " + tf[i] + " millrace " + millrace[i]);
      }
    }
    assertThat(off).as("inputs whose code differs").isEmpty();
  }

  /** The range's ends and beyond, zero, and a sweep that passes through half-way points. */
  private static float[] inputs(float min, float max) {
    float lo = Math.min(min, -1);
    float hi = Math.max(max, 1);
    int n = 2001;
    float[] x = new float[n + 5];
    for (int i = 0; i < n; i++) {
      x[i] = lo * 1.2f + (hi - lo) * 1.2f * i / (n - 1);
    }
    x[n] = 0;
    x[n + 1] = min;
    x[n + 2] = max;
    x[n + 3] = -1e6f;
    x[n + 4] = 1e6f;
    return x;
  }

  private static AttrValue string(String s) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build();
  }
}
