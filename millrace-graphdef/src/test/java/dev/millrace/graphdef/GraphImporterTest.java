package dev.millrace.graphdef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Importing TensorFlow graphs, checked against TensorFlow's own outputs for the same input. */
class GraphImporterTest {
  static float[] floats(String file) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(TestData.tensorflow("graphs/" + file)))
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  @Test
  void theTensorFlowResNetGivesTensorFlowsLogitsAndProbabilities() throws IOException {
    try (Graph g = GraphImporter.withBuiltins().importFile(GraphDefFileTest.RESNET);
        Session s = new Session(g)) {
      Tensor input = Tensor.ofFloats(Shape.of(8, 32, 32, 3), floats("resnet-input-b8.f32"));
      try (Session.Result r =
          s.runner().feed("input:0", input).fetch("logits:0").fetch("probabilities:0").run()) {
        assertClose(r.get(0).toFloatArray(), floats("resnet-logits-b8.f32"), 1e-4f);
        assertClose(r.get(1).toFloatArray(), floats("resnet-output-b8.f32"), 1e-4f);
        assertThat(r.get(1).shape()).isEqualTo(Shape.of(8, 10));
      }
    }
  }

  private static void assertClose(float[] actual, float[] expected, float tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    float worst = 0;
    for (int i = 0; i < actual.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    }
    assertThat(worst).as("largest absolute difference").isLessThanOrEqualTo(tolerance);
  }

  @Test
  void unsupportedOpsAreListedAllAtOnceWithTheirNodes() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(node("a", "Frobnicate", "x"))
            .addNode(node("b", "Frobnicate", "a"))
            .addNode(node("c", "Quux", "b"))
            .build();
    assertThatThrownBy(() -> GraphImporter.withBuiltins().importGraph(g, "g.pb"))
        .isInstanceOf(IOException.class)
        .hasMessage("g.pb: 2 op type(s) Millrace does not run: Frobnicate (a, b), Quux (c)");
  }

  @Test
  void danglingInputsDuplicateNamesAndCyclesAreOneLineErrors() {
    GraphDef dangling = GraphDef.newBuilder().addNode(node("r", "Relu", "ghost:0")).build();
    assertThatThrownBy(() -> GraphImporter.withBuiltins().importGraph(dangling, "d.pb"))
        .hasMessage("d.pb: node 'r' input 'ghost:0' names no node");
    GraphDef twice =
        GraphDef.newBuilder().addNode(placeholder("x")).addNode(placeholder("x")).build();
    assertThatThrownBy(() -> GraphImporter.withBuiltins().importGraph(twice, "t.pb"))
        .hasMessage("t.pb: two nodes are named 'x'");
    GraphDef cyclic =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(node("a", "Add", "x", "c"))
            .addNode(node("b", "Relu", "a"))
            .addNode(node("c", "Relu", "b"))
            .build();
    assertThatThrownBy(() -> GraphImporter.withBuiltins().importGraph(cyclic, "c.pb"))
        .hasMessageStartingWith("c.pb: the graph has a cycle through ")
        .hasMessageContaining("'a'")
        .hasMessageContaining("'b'")
        .hasMessageContaining("'c'")
        .hasMessageNotContaining("'x'");
  }

  @Test
  void aNodeThatCannotBeBuiltIsNamedWithTheReason() {
    GraphDef g =
        GraphDef.newBuilder().addNode(placeholder("x")).addNode(node("r", "Relu", "x:3")).build();
    assertThatThrownBy(() -> GraphImporter.withBuiltins().importGraph(g, "o.pb"))
        .hasMessage("o.pb: node 'r' (Relu): input 'x:3': 'x' has 1 outputs");
  }

  @Test
  void olderBatchNormVersionsAndAnnotationsImport() throws IOException {
    GraphDef g = GraphDefFile.read(GraphDefFileTest.RESNET);
    GraphDef.Builder b = g.toBuilder();
    for (int i = 0; i < b.getNodeCount(); i++) {
      NodeDef n = b.getNode(i);
      NodeDef.Builder nb = n.toBuilder().putAttr("_output_shapes", AttrValue.getDefaultInstance());
      if (n.getOp().equals("FusedBatchNormV3")) {
        nb.setOp("FusedBatchNorm").removeAttr("U");
      }
      b.setNode(i, nb);
    }
    try (Graph imported = GraphImporter.withBuiltins().importGraph(b.build(), "v1.pb");
        Session s = new Session(imported)) {
      Tensor input = Tensor.ofFloats(Shape.of(8, 32, 32, 3), floats("resnet-input-b8.f32"));
      try (Session.Result r = s.runner().feed("input:0", input).fetch("probabilities:0").run()) {
        assertClose(r.get(0).toFloatArray(), floats("resnet-output-b8.f32"), 1e-4f);
      }
    }
  }

  @Test
  void anUnknownAttributeIsAnErrorNotSilentlyDropped() {
    NodeDef relu =
        node("r", "Relu", "x").toBuilder()
            .putAttr("alpha", AttrValue.newBuilder().setF(0.2f).build())
            .build();
    GraphDef g = GraphDef.newBuilder().addNode(placeholder("x")).addNode(relu).build();
    assertThatThrownBy(() -> GraphImporter.withBuiltins().importGraph(g, "a.pb"))
        .hasMessage("a.pb: node 'r' (Relu) has attribute 'alpha', which Millrace does not know");
  }

  @Test
  void aPlaceholderWithDefaultGivesItsInputUnlessFed() throws IOException {
    NodeDef c =
        NodeDef.newBuilder()
            .setName("c")
            .setOp("Const")
            .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
            .putAttr(
                "value",
                AttrValue.newBuilder()
                    .setTensor(TensorValues.toProto(Tensor.ofFloats(Shape.of(2), 1f, 2f)))
                    .build())
            .build();
    NodeDef p =
        NodeDef.newBuilder()
            .setName("p")
            .setOp("PlaceholderWithDefault")
            .addInput("c")
            .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
            .putAttr("shape", AttrValue.newBuilder().setShape(GraphSummaryTest.shape(2)).build())
            .build();
    GraphDef g =
        GraphDef.newBuilder().addNode(c).addNode(p).addNode(node("r", "Relu", "p")).build();
    try (Graph graph = GraphImporter.withBuiltins().importGraph(g, "d.pb");
        Session s = new Session(graph)) {
      try (Session.Result r = s.runner().fetch("r:0").run()) {
        assertThat(r.get(0).toFloatArray()).containsExactly(1f, 2f);
      }
      try (Session.Result r =
          s.runner().feed("p:0", Tensor.ofFloats(Shape.of(2), -1f, 5f)).fetch("r:0").run()) {
        assertThat(r.get(0).toFloatArray()).containsExactly(0f, 5f);
      }
    }
  }

  @Test
  void expandDimsInsertsADimensionOfOneAsTensorFlowDoes() throws IOException {
    for (int[] axisAndShape :
        new int[][] {{0, 1, 2, 3}, {1, 2, 1, 3}, {-1, 2, 3, 1}, {2, 2, 3, 1}}) {
      NodeDef axis =
          NodeDef.newBuilder()
              .setName("axis")
              .setOp("Const")
              .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_INT32).build())
              .putAttr(
                  "value",
                  AttrValue.newBuilder()
                      .setTensor(
                          TensorValues.toProto(Tensor.ofInts(Shape.scalar(), axisAndShape[0])))
                      .build())
              .build();
      NodeDef e =
          node("e", "ExpandDims", "x", "axis").toBuilder()
              .putAttr("Tdim", AttrValue.newBuilder().setType(DataType.DT_INT32).build())
              .build();
      GraphDef g = GraphDef.newBuilder().addNode(placeholder("x")).addNode(axis).addNode(e).build();
      try (Graph graph = GraphImporter.withBuiltins().importGraph(g, "e.pb");
          Session s = new Session(graph);
          Session.Result r =
              s.runner()
                  .feed("x:0", Tensor.ofFloats(Shape.of(2, 3), 1, 2, 3, 4, 5, 6))
                  .fetch("e:0")
                  .run()) {
        assertThat(r.get(0).shape())
            .isEqualTo(Shape.of(axisAndShape[1], axisAndShape[2], axisAndShape[3]));
        assertThat(r.get(0).toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
      }
    }
  }

  @Test
  void packStacksAlongANewDimension() throws IOException {
    for (long axis : new long[] {0, 1, -1}) {
      NodeDef pack =
          node("p", "Pack", "a", "b").toBuilder()
              .putAttr("N", AttrValue.newBuilder().setI(2).build())
              .putAttr("axis", AttrValue.newBuilder().setI(axis).build())
              .build();
      GraphDef g =
          GraphDef.newBuilder()
              .addNode(placeholder("a"))
              .addNode(placeholder("b"))
              .addNode(pack)
              .build();
      try (Graph graph = GraphImporter.withBuiltins().importGraph(g, "p.pb");
          Session s = new Session(graph);
          Session.Result r =
              s.runner()
                  .feed("a:0", Tensor.ofFloats(Shape.of(3), 1, 2, 3))
                  .feed("b:0", Tensor.ofFloats(Shape.of(3), 4, 5, 6))
                  .fetch("p:0")
                  .run()) {
        if (axis == 0) {
          assertThat(r.get(0).shape()).isEqualTo(Shape.of(2, 3));
          assertThat(r.get(0).toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        } else {
          assertThat(r.get(0).shape()).isEqualTo(Shape.of(3, 2));
          assertThat(r.get(0).toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
        }
      }
    }
  }

  @Test
  void controlCharactersInNamesAreEscapedSoTheErrorStaysOneLine() {
    // Found by fuzzing: an op type holding a newline split the error line.
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(NodeDef.newBuilder().setName("c\tc").setOp("Const\n*dtype"))
            .build();
    assertThatThrownBy(() -> GraphImporter.withBuiltins().importGraph(g, "n.pb"))
        .hasMessage("n.pb: 1 op type(s) Millrace does not run: Const\\n*dtype (c\\tc)");
    assertThat(GraphNames.printable("a\u0001b\rc")).isEqualTo("a\\u0001b\\rc");
  }

  static NodeDef placeholder(String name) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Placeholder")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .build();
  }

  static NodeDef node(String name, String op, String... inputs) {
    NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op);
    for (String in : inputs) {
      b.addInput(in);
    }
    if (!op.equals("Frobnicate") && !op.equals("Quux")) {
      b.putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build());
    }
    return b.build();
  }
}
