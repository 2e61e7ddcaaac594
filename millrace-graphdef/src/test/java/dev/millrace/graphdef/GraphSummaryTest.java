package dev.millrace.graphdef;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.graphdef.proto.TensorShapeProto;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphSummaryTest {
  @Test
  void summarisesTheTensorFlowGraphAsItsManifestDescribesIt() throws IOException {
    GraphSummary s = GraphSummary.of(GraphDefFile.read(GraphDefFileTest.RESNET));
    JsonNode m =
        new ObjectMapper().readTree(TestData.tensorflow("graphs/resnet-cifar.json").toFile());
    Map<String, Integer> expected = new LinkedHashMap<>();
    m.get("op_counts")
        .fields()
        .forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asInt()));
    assertThat(s.opCounts()).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(s.opCounts().keySet().iterator().next()).isEqualTo("Const"); // most used first
    assertThat(s.inputs())
        .containsExactly(new GraphSummary.Endpoint("input", "float", 1, "[?,32,32,3]"));
    assertThat(s.outputs()).containsExactly(new GraphSummary.Output("probabilities", "Softmax"));
    assertThat(s.variables()).isEmpty();
    assertThat(s.invalidInputs()).isEmpty();
    assertThat(s.undecodable()).isEmpty();
    // All weights are float32 constants: 4 bytes each, and nearly the whole file.
    assertThat(s.constBytes()).isEqualTo(4 * s.constParameters());
    assertThat(s.constBytes()).isBetween(700_000L, 717_023L);
    String text = s.toText();
    assertThat(text)
        .startsWith("Found 1 possible inputs: (name=input, type=float(1), shape=[?,32,32,3]) \n")
        .contains("No variables spotted.\n")
        .contains("Found 1 possible outputs: (name=probabilities, op=Softmax) \n")
        .contains("Op types used: 78 Const, 15 Conv2D, 15 FusedBatchNormV3, 13 Relu, 6 Add, ");
  }

  @Test
  void countsControlEdgesDevicesVariablesAndInvalidInputs() {
    NodeDef c =
        NodeDef.newBuilder()
            .setName("c")
            .setOp("Const")
            .putAttr(
                "value",
                AttrValue.newBuilder()
                    .setTensor(
                        TensorProto.newBuilder()
                            .setDtype(DataType.DT_FLOAT)
                            .setTensorShape(shape(2, 3))
                            .addFloatVal(1f))
                    .build())
            .build();
    NodeDef v =
        NodeDef.newBuilder()
            .setName("v")
            .setOp("VariableV2")
            .setDevice("/cpu:0")
            .putAttr("shape", AttrValue.newBuilder().setShape(shape(4, 5)).build())
            .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
            .build();
    NodeDef add =
        NodeDef.newBuilder()
            .setName("add")
            .setOp("Add")
            .addInput("c")
            .addInput("v:0")
            .addInput("^missing")
            .build();
    GraphSummary s =
        GraphSummary.of(GraphDef.newBuilder().addNode(c).addNode(v).addNode(add).build());
    assertThat(s.constParameters()).isEqualTo(6);
    assertThat(s.variableParameters()).isEqualTo(20);
    assertThat(s.controlEdges()).isEqualTo(1);
    assertThat(s.devices()).containsExactly(Map.entry("/cpu:0", 1));
    assertThat(s.invalidInputs()).containsExactly("add <- ^missing");
    assertThat(s.variables()).extracting(GraphSummary.Endpoint::shape).containsExactly("[4,5]");
    assertThat(s.outputs()).containsExactly(new GraphSummary.Output("add", "Add"));
    assertThat(s.toText())
        .contains("Found 6 (6) const parameters, 20 (20) variable parameters, and 1 control_edges");
  }

  @Test
  void aConstWhoseValueDisagreesWithItsShapeIsReportedNotCounted() {
    NodeDef bad =
        NodeDef.newBuilder()
            .setName("bad")
            .setOp("Const")
            .putAttr(
                "value",
                AttrValue.newBuilder()
                    .setTensor(
                        TensorProto.newBuilder()
                            .setDtype(DataType.DT_FLOAT)
                            .setTensorShape(shape(2))
                            .setTensorContent(com.google.protobuf.ByteString.copyFrom(new byte[7])))
                    .build())
            .build();
    GraphSummary s = GraphSummary.of(GraphDef.newBuilder().addNode(bad).build());
    assertThat(s.constParameters()).isZero();
    assertThat(s.undecodable())
        .containsExactly("bad: tensor_content has 7 bytes, float [2] needs 8");
  }

  @Test
  void humanReadableNumbersFollowTensorFlow() {
    assertThat(GraphSummary.humanReadable(999)).isEqualTo("999");
    assertThat(GraphSummary.humanReadable(272146)).isEqualTo("272.15k");
    assertThat(GraphSummary.humanReadable(25_600_000)).isEqualTo("25.60M");
  }

  static TensorShapeProto shape(long... dims) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (long d : dims) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }
}
