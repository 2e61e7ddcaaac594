package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.graphdef.proto.TensorShapeProto;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * QuantizeV2 and Dequantize with {@code axis} (one range per slice, as per-channel weights use
 * them), against TensorFlow's kernels on the same GraphDef: the same codes, the same ranges per
 * slice and the same floats back, on a {@code [3, 4, 5]} tensor along each of its axes.
 */
@Tag("tensorflow")
class TensorFlowQuantizesPerAxisAsMillraceTest {
  private static final long[] SHAPE = {3, 4, 5};

  @ParameterizedTest(name = "{0} {1} {2} narrow_range={3} axis={4}")
  @CsvSource({
    "DT_QUINT8, MIN_COMBINED, HALF_AWAY_FROM_ZERO, false, 0",
    "DT_QINT8, MIN_COMBINED, HALF_AWAY_FROM_ZERO, false, 1",
    "DT_QINT8, SCALED, HALF_TO_EVEN, false, 2",
    "DT_QINT8, SCALED, HALF_AWAY_FROM_ZERO, true, 1",
    "DT_QUINT8, SCALED, HALF_AWAY_FROM_ZERO, false, 0",
  })
  void sameCodesRangesAndFloatsAsTensorFlow(
      String type, String mode, String roundMode, boolean narrow, int axis) throws Exception {
    DataType t = DataType.valueOf(type);
    int slices = (int) SHAPE[axis];
    SplittableRandom rnd = new SplittableRandom(axis * 31L + mode.length());
    float[] x = new float[3 * 4 * 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextDouble() * 6 - 2.5);
    }
    float[] min = new float[slices];
    float[] max = new float[slices];
    for (int i = 0; i < slices; i++) {
      // Different widths per slice, one of them narrower than the values (so they clamp).
      min[i] = mode.equals("SCALED") && t == DataType.DT_QUINT8 ? 0 : -0.5f - i;
      max[i] = 0.75f + 0.8f * i;
    }
    AttrValue axisAttr = AttrValue.newBuilder().setI(axis).build();
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(floatTensor("x", SHAPE, x))
            .addNode(GraphDefNodes.floatVector("min", min))
            .addNode(GraphDefNodes.floatVector("max", max))
            .addNode(
                NodeDef.newBuilder()
                    .setName("q")
                    .setOp("QuantizeV2")
                    .addInput("x")
                    .addInput("min")
                    .addInput("max")
                    .putAttr("T", type(t))
                    .putAttr("mode", string(mode))
                    .putAttr("round_mode", string(roundMode))
                    .putAttr("narrow_range", AttrValue.newBuilder().setB(narrow).build())
                    .putAttr("axis", axisAttr))
            // The codes as floats: one scalar range whose step is exactly 1.
            .addNode(GraphDefNodes.floatScalar("zero", 0))
            .addNode(GraphDefNodes.floatScalar("steps", 255))
            .addNode(
                NodeDef.newBuilder()
                    .setName("codes")
                    .setOp("Dequantize")
                    .addInput("q")
                    .addInput("zero")
                    .addInput("steps")
                    .putAttr("T", type(t))
                    .putAttr("mode", string("MIN_COMBINED")))
            .addNode(
                NodeDef.newBuilder()
                    .setName("back")
                    .setOp("Dequantize")
                    .addInput("q")
                    .addInput("q:1")
                    .addInput("q:2")
                    .putAttr("T", type(t))
                    .putAttr("mode", string(mode))
                    .putAttr("narrow_range", AttrValue.newBuilder().setB(narrow).build())
                    .putAttr("axis", axisAttr))
            .build();
    String[] fetches = {"codes", "q:1", "q:2", "back"};
    float[][] millrace = new float[4][];
    try (var graph = GraphImporter.withBuiltins().importGraph(g, "per-axis");
        var session = new dev.millrace.graph.Session(graph)) {
      var runner = session.runner();
      for (String f : fetches) {
        runner.fetch(f.contains(":") ? f : f + ":0");
      }
      try (var result = runner.run()) {
        for (int k = 0; k < 4; k++) {
          millrace[k] = result.get(k).toFloatArray();
        }
      }
    }
    float[][] tf = new float[4][];
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (Session session = TfSessions.open(graph, 1)) {
        var runner = session.runner();
        for (String f : fetches) {
          runner.fetch(f);
        }
        try (Result result = runner.run()) {
          for (int k = 0; k < 4; k++) {
            TFloat32 r = (TFloat32) result.get(k);
            tf[k] = new float[(int) r.size()];
            r.asRawTensor().data().asFloats().read(tf[k]);
          }
        }
      }
    }
    assertThat(millrace[0]).as("codes").containsExactly(tf[0]);
    assertThat(millrace[1]).as("output_min per slice").containsExactly(tf[1]);
    assertThat(millrace[2]).as("output_max per slice").containsExactly(tf[2]);
    assertThat(millrace[3]).as("dequantized per slice").containsExactly(tf[3]);
  }

  @Test
  void minFirstPerAxisIsRefusedAsTensorFlowRefusesIt() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(floatTensor("x", new long[] {2, 2}, 0, 1, 2, 3))
            .addNode(GraphDefNodes.floatVector("min", 0, 0))
            .addNode(GraphDefNodes.floatVector("max", 1, 3))
            .addNode(
                NodeDef.newBuilder()
                    .setName("q")
                    .setOp("QuantizeV2")
                    .addInput("x")
                    .addInput("min")
                    .addInput("max")
                    .putAttr("T", type(DataType.DT_QUINT8))
                    .putAttr("mode", string("MIN_FIRST"))
                    .putAttr("axis", AttrValue.newBuilder().setI(1).build()))
            .build();
    assertThatThrownBy(
            () -> {
              try (var graph = GraphImporter.withBuiltins().importGraph(g, "per-axis");
                  var session = new dev.millrace.graph.Session(graph);
                  var r = session.runner().fetch("q:0").run()) {
                r.get(0);
              }
            })
        .hasMessageContaining("MIN_FIRST mode is not implemented for QuantizeV2 with axis != -1");
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (Session session = TfSessions.open(graph, 1)) {
        assertThatThrownBy(() -> session.runner().fetch("q:1").run().close())
            .hasMessageContaining("MIN_FIRST");
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRangeVectorOfTheWrongLengthNamesTheOpAndTheSliceCount() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(floatTensor("x", new long[] {2, 3}, 0, 1, 2, 3, 4, 5))
            .addNode(GraphDefNodes.floatVector("min", -1, -1))
            .addNode(GraphDefNodes.floatVector("max", 1, 3))
            .addNode(
                NodeDef.newBuilder()
                    .setName("q")
                    .setOp("QuantizeV2")
                    .addInput("x")
                    .addInput("min")
                    .addInput("max")
                    .putAttr("T", type(DataType.DT_QINT8))
                    .putAttr("mode", string("SCALED"))
                    .putAttr("axis", AttrValue.newBuilder().setI(1).build()))
            .build();
    assertThatThrownBy(
            () -> {
              try (var graph = GraphImporter.withBuiltins().importGraph(g, "per-axis");
                  var session = new dev.millrace.graph.Session(graph);
                  var r = session.runner().fetch("q:0").run()) {
                r.get(0);
              }
            })
        .hasMessageContaining("'q'")
        .hasMessageContaining("min_range must be 3 floats, one per slice along the axis");
  }

  private static NodeDef floatTensor(String name, long[] shape, float... v) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : shape) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    TensorProto.Builder p = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(s);
    for (float f : v) {
      p.addFloatVal(f);
    }
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", type(DataType.DT_FLOAT))
        .putAttr("value", AttrValue.newBuilder().setTensor(p).build())
        .build();
  }

  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  private static AttrValue string(String s) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build();
  }
}
