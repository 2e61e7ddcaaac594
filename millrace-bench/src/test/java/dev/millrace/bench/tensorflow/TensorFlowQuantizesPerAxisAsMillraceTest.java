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
    float[][] millrace = runMillrace(g);
    float[][] tf = runTensorFlow(g);
    assertThat(millrace[0]).as("codes").containsExactly(tf[0]);
    assertThat(millrace[1]).as("output_min per slice").containsExactly(tf[1]);
    assertThat(millrace[2]).as("output_max per slice").containsExactly(tf[2]);
    assertThat(millrace[3]).as("dequantized per slice").containsExactly(tf[3]);
  }

  /**
   * TensorFlow refuses MIN_FIRST with an axis; Millrace quantizes each slice as TensorFlow's
   * MIN_FIRST quantizes that slice alone with its range: the same codes and ranges, slice by slice,
   * and Dequantize gives back TensorFlow's floats for each slice.
   */
  @Test
  void minFirstPerAxisQuantizesEachSliceAsTensorFlowQuantizesItAlone() throws Exception {
    float[][] slices = {{0, 0.31f, 1, -0.2f}, {-2, 0.5f, 3, 1.25f}, {0.01f, 4, 7.5f, -1}};
    float[] min = {0, -2, -1};
    float[] max = {1, 3, 7.5f};
    // x [4, 3]: slice i along axis 1 is column i.
    float[] x = new float[12];
    for (int r = 0; r < 4; r++) {
      for (int i = 0; i < 3; i++) {
        x[r * 3 + i] = slices[i][r];
      }
    }
    GraphDef perAxis = quantizeAndBack("MIN_FIRST", new long[] {4, 3}, x, min, max, 1);
    float[][] millrace = runMillrace(perAxis);
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(perAxis.toByteArray()));
      try (Session session = TfSessions.open(graph, 1)) {
        assertThatThrownBy(() -> session.runner().fetch("q:1").run().close())
            .as("TensorFlow's own kernel")
            .hasMessageContaining("MIN_FIRST");
      }
    }
    for (int i = 0; i < 3; i++) {
      GraphDef whole =
          quantizeAndBack(
              "MIN_FIRST",
              new long[] {4},
              slices[i],
              new float[] {min[i]},
              new float[] {max[i]},
              -1);
      float[][] tf = runTensorFlow(whole);
      for (int r = 0; r < 4; r++) {
        assertThat(millrace[0][r * 3 + i]).as("code of slice %d row %d", i, r).isEqualTo(tf[0][r]);
        assertThat(millrace[3][r * 3 + i]).as("float of slice %d row %d", i, r).isEqualTo(tf[3][r]);
      }
      assertThat(millrace[1][i]).as("min of slice %d", i).isEqualTo(tf[1][0]);
      assertThat(millrace[2][i]).as("max of slice %d", i).isEqualTo(tf[2][0]);
    }
  }

  /** QuantizeV2 "q" of x (quint8), its codes as floats ("codes") and Dequantize "back". */
  private static GraphDef quantizeAndBack(
      String mode, long[] shape, float[] x, float[] min, float[] max, int axis) {
    GraphDef.Builder g = GraphDef.newBuilder().addNode(floatTensor("x", shape, x));
    if (axis == -1) {
      g.addNode(GraphDefNodes.floatScalar("min", min[0]));
      g.addNode(GraphDefNodes.floatScalar("max", max[0]));
    } else {
      g.addNode(GraphDefNodes.floatVector("min", min));
      g.addNode(GraphDefNodes.floatVector("max", max));
    }
    AttrValue axisAttr = AttrValue.newBuilder().setI(axis).build();
    return g.addNode(
            NodeDef.newBuilder()
                .setName("q")
                .setOp("QuantizeV2")
                .addInput("x")
                .addInput("min")
                .addInput("max")
                .putAttr("T", type(DataType.DT_QUINT8))
                .putAttr("mode", string(mode))
                .putAttr("axis", axisAttr))
        .addNode(GraphDefNodes.floatScalar("zero", 0))
        .addNode(GraphDefNodes.floatScalar("steps", 255))
        .addNode(
            NodeDef.newBuilder()
                .setName("codes")
                .setOp("Dequantize")
                .addInput("q")
                .addInput("zero")
                .addInput("steps")
                .putAttr("T", type(DataType.DT_QUINT8))
                .putAttr("mode", string("MIN_COMBINED")))
        .addNode(
            NodeDef.newBuilder()
                .setName("back")
                .setOp("Dequantize")
                .addInput("q")
                .addInput("q:1")
                .addInput("q:2")
                .putAttr("T", type(DataType.DT_QUINT8))
                .putAttr("mode", string(mode))
                .putAttr("axis", axisAttr))
        .build();
  }

  private static final String[] FETCHES = {"codes", "q:1", "q:2", "back"};

  private static float[][] runMillrace(GraphDef g) throws Exception {
    float[][] out = new float[FETCHES.length][];
    try (var graph = GraphImporter.withBuiltins().importGraph(g, "per-axis");
        var session = new dev.millrace.graph.Session(graph)) {
      var runner = session.runner();
      for (String f : FETCHES) {
        runner.fetch(f.contains(":") ? f : f + ":0");
      }
      try (var result = runner.run()) {
        for (int k = 0; k < FETCHES.length; k++) {
          out[k] = result.get(k).toFloatArray();
        }
      }
    }
    return out;
  }

  private static float[][] runTensorFlow(GraphDef g) throws Exception {
    float[][] out = new float[FETCHES.length][];
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (Session session = TfSessions.open(graph, 1)) {
        var runner = session.runner();
        for (String f : FETCHES) {
          runner.fetch(f);
        }
        try (Result result = runner.run()) {
          for (int k = 0; k < FETCHES.length; k++) {
            TFloat32 r = (TFloat32) result.get(k);
            out[k] = new float[(int) r.size()];
            r.asRawTensor().data().asFloats().read(out[k]);
          }
        }
      }
    }
    return out;
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
