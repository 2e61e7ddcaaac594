package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.graphdef.proto.TensorShapeProto;
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
 * Dequantize in every mode Millrace runs, for every code of quint8 and qint8, against TensorFlow's
 * kernel on the same GraphDef: the same floats within one float rounding.
 */
@Tag("tensorflow")
class TensorFlowDequantizesAsMillraceTest {
  @ParameterizedTest(name = "{0} {1} narrow_range={2} [{3}, {4}]")
  @CsvSource({
    "DT_QUINT8, MIN_COMBINED, false, -1.5, 2.25",
    "DT_QINT8, MIN_COMBINED, false, -1.5, 2.25",
    "DT_QUINT8, MIN_FIRST, false, -0.73, 5.1",
    "DT_QUINT8, SCALED, false, 0, 3.5",
    "DT_QINT8, SCALED, false, -2, 1.75",
    "DT_QINT8, SCALED, true, -2, 1.75",
    "DT_QINT8, SCALED, true, -0.5, 4",
  })
  void sameFloatsAsTensorFlow(String type, String mode, boolean narrow, float min, float max)
      throws Exception {
    DataType t = DataType.valueOf(type);
    byte[] codes = new byte[256];
    for (int i = 0; i < 256; i++) {
      codes[i] = (byte) i;
    }
    if (narrow) {
      codes[128] = (byte) 0x81; // -128 is outside a narrow range: -127 in its place
    }
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(
                NodeDef.newBuilder()
                    .setName("q")
                    .setOp("Const")
                    .putAttr("dtype", AttrValue.newBuilder().setType(t).build())
                    .putAttr(
                        "value",
                        AttrValue.newBuilder()
                            .setTensor(
                                TensorProto.newBuilder()
                                    .setDtype(t)
                                    .setTensorShape(
                                        TensorShapeProto.newBuilder()
                                            .addDim(TensorShapeProto.Dim.newBuilder().setSize(256)))
                                    .setTensorContent(ByteString.copyFrom(codes)))
                            .build()))
            .addNode(GraphDefNodes.floatScalar("min", min))
            .addNode(GraphDefNodes.floatScalar("max", max))
            .addNode(
                NodeDef.newBuilder()
                    .setName("f")
                    .setOp("Dequantize")
                    .addInput("q")
                    .addInput("min")
                    .addInput("max")
                    .putAttr("T", AttrValue.newBuilder().setType(t).build())
                    .putAttr(
                        "mode", AttrValue.newBuilder().setS(ByteString.copyFromUtf8(mode)).build())
                    .putAttr("narrow_range", AttrValue.newBuilder().setB(narrow).build()))
            .build();
    float[] millrace;
    try (var graph = GraphImporter.withBuiltins().importGraph(g, "dequantize");
        var session = new dev.millrace.graph.Session(graph);
        var result = session.runner().fetch("f:0").run()) {
      millrace = result.get(0).toFloatArray();
    }
    float[] tf = new float[256];
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (Session session = TfSessions.open(graph, 1);
          Result result = session.runner().fetch("f").run()) {
        ((TFloat32) result.get(0)).asRawTensor().data().asFloats().read(tf);
      }
    }
    List<String> off = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      if (Math.abs(tf[i] - millrace[i]) > Math.ulp(tf[i]) * 2) {
        off.add(i + ": tf " + tf[i] + " millrace " + millrace[i]);
      }
    }
    assertThat(off).as("codes whose float differs").isEmpty();
  }
}
