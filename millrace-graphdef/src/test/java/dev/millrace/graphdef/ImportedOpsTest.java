package dev.millrace.graphdef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.millrace.graph.Graph;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GraphDefs written as TensorFlow writes them, one per op that older or newer TensorFlow graphs
 * hold (IdentityN's list(type) attribute, Elu, StridedSlice, the first batch norm, BiasAddV1,
 * Concat, MaxPoolV2, PadV2, Div, PlaceholderV2, CheckNumericsV2), import and run.
 */
class ImportedOpsTest {
  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  private static AttrValue i(long v) {
    return AttrValue.newBuilder().setI(v).build();
  }

  private static AttrValue s(String v) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(v)).build();
  }

  private static NodeDef constant(String name, Tensor value) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", type(TensorValues.dataType(value.dtype())))
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorValues.toProto(value)).build())
        .build();
  }

  private static NodeDef.Builder node(String name, String op, String... inputs) {
    NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op);
    for (String in : inputs) {
      b.addInput(in);
    }
    return b;
  }

  private static NodeDef.Builder floatNode(String name, String op, String... inputs) {
    return node(name, op, inputs).putAttr("T", type(DataType.DT_FLOAT));
  }

  /**
   * Imports {@code g}, feeds {@code x:0} with {@code x} (when given) and fetches {@code fetches}.
   */
  private static List<Tensor> run(GraphDef g, Tensor x, String... fetches) throws IOException {
    try (Graph graph = GraphImporter.withBuiltins().importGraph(g, "test.pb");
        Session session = new Session(graph)) {
      Session.Runner r = session.runner();
      if (x != null) {
        r.feed("x:0", x);
      }
      for (String f : fetches) {
        r.fetch(f);
      }
      try (Session.Result result = r.run()) {
        List<Tensor> out = new java.util.ArrayList<>();
        for (Tensor t : result) {
          out.add(t.copy());
        }
        return out;
      }
    }
  }

  private static GraphDef graph(NodeDef.Builder... nodes) {
    GraphDef.Builder b = GraphDef.newBuilder();
    for (NodeDef.Builder n : nodes) {
      b.addNode(n);
    }
    return b.build();
  }

  private static NodeDef.Builder placeholder(String name, DataType t) {
    return node(name, "Placeholder", new String[0]).putAttr("dtype", type(t));
  }

  @Test
  void identityNWithItsTypeListImportsRunsAndExportsAgain() throws IOException {
    AttrValue types =
        AttrValue.newBuilder()
            .setList(
                AttrValue.ListValue.newBuilder()
                    .addType(DataType.DT_FLOAT)
                    .addType(DataType.DT_INT32))
            .build();
    GraphDef g =
        graph(
            placeholder("x", DataType.DT_FLOAT),
            constant("n", Tensor.ofInts(Shape.of(2), 7, 8)).toBuilder(),
            node("id", "IdentityN", "x", "n").putAttr("T", types),
            floatNode("r", "Relu", "id:0"));
    Tensor x = Tensor.ofFloats(Shape.of(3), -1, 2, -3);
    List<Tensor> out = run(g, x, "r:0", "id:1");
    assertThat(out.get(0).toFloatArray()).containsExactly(0, 2, 0);
    assertThat(out.get(1).toIntArray()).containsExactly(7, 8);
    try (Graph graph = GraphImporter.withBuiltins().importGraph(g, "id.pb");
        Session session = new Session(graph)) {
      GraphDef exported = GraphExporter.export(graph, session, List.of("r"));
      NodeDef id =
          exported.getNodeList().stream()
              .filter(n -> n.getName().equals("id"))
              .findFirst()
              .orElseThrow();
      assertThat(id.getAttrOrThrow("T")).isEqualTo(types);
      assertThat(run(exported, x, "r:0").get(0).toFloatArray()).containsExactly(0, 2, 0);
    }
    GraphDef wrongType =
        graph(
            placeholder("x", DataType.DT_FLOAT),
            constant("n", Tensor.ofInts(Shape.of(2), 7, 8)).toBuilder(),
            node("id", "IdentityN", "x", "n")
                .putAttr(
                    "T",
                    AttrValue.newBuilder()
                        .setList(
                            AttrValue.ListValue.newBuilder()
                                .addType(DataType.DT_FLOAT)
                                .addType(DataType.DT_FLOAT))
                        .build()));
    assertThatThrownBy(() -> run(wrongType, x, "id:0"))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "test.pb: node 'id' (IdentityN): IdentityN 'id': input input[1] (n:0) has type INT32 but T"
                + " is [FLOAT32, FLOAT32]");
  }

  @Test
  void eluImports() throws IOException {
    GraphDef g = graph(placeholder("x", DataType.DT_FLOAT), floatNode("e", "Elu", "x"));
    float[] y = run(g, Tensor.ofFloats(Shape.of(2), -1, 2), "e:0").get(0).toFloatArray();
    assertThat(y[0])
        .isCloseTo((float) Math.expm1(-1), org.assertj.core.api.Assertions.within(1e-6f));
    assertThat(y[1]).isEqualTo(2);
  }

  @Test
  void stridedSliceWithInt64BoundsAndMasksImports() throws IOException {
    // x[..., ::-2, tf.newaxis, 1] of a [2, 3, 4] input
    GraphDef g =
        graph(
            placeholder("x", DataType.DT_FLOAT),
            constant("b", Tensor.ofLongs(Shape.of(4), 0, 0, 0, 1)).toBuilder(),
            constant("e", Tensor.ofLongs(Shape.of(4), 0, 0, 0, 2)).toBuilder(),
            constant("st", Tensor.ofLongs(Shape.of(4), 1, -2, 1, 1)).toBuilder(),
            floatNode("s", "StridedSlice", "x", "b", "e", "st")
                .putAttr("Index", type(DataType.DT_INT64))
                .putAttr("begin_mask", i(2))
                .putAttr("end_mask", i(2))
                .putAttr("ellipsis_mask", i(1))
                .putAttr("new_axis_mask", i(4))
                .putAttr("shrink_axis_mask", i(8)));
    float[] v = new float[24];
    for (int k = 0; k < v.length; k++) {
      v[k] = k;
    }
    Tensor y = run(g, Tensor.ofFloats(Shape.of(2, 3, 4), v), "s:0").get(0);
    assertThat(y.shape()).isEqualTo(Shape.of(2, 2, 1));
    assertThat(y.toFloatArray()).containsExactly(9, 1, 21, 13);
  }

  /**
   * The flatten TensorFlow writes for an unknown batch: {@code reshape(x, [shape(x)[0], -1])},
   * StridedSlice with shrink_axis_mask on the run-time shape, then Pack.
   */
  @Test
  void stridedSliceOfAShapeFlattensAnUnknownBatch() throws IOException {
    AttrValue unknownBatch =
        AttrValue.newBuilder().setShape(GraphSummaryTest.shape(-1, 2, 3)).build();
    GraphDef g =
        graph(
            placeholder("x", DataType.DT_FLOAT).putAttr("shape", unknownBatch),
            floatNode("shape", "Shape", "x").putAttr("out_type", type(DataType.DT_INT32)),
            constant("b", Tensor.ofInts(Shape.of(1), 0)).toBuilder(),
            constant("e", Tensor.ofInts(Shape.of(1), 1)).toBuilder(),
            constant("st", Tensor.ofInts(Shape.of(1), 1)).toBuilder(),
            node("batch", "StridedSlice", "shape", "b", "e", "st")
                .putAttr("T", type(DataType.DT_INT32))
                .putAttr("Index", type(DataType.DT_INT32))
                .putAttr("shrink_axis_mask", i(1)),
            constant("rest", Tensor.ofInts(Shape.scalar(), -1)).toBuilder(),
            node("dims", "Pack", "batch", "rest")
                .putAttr("T", type(DataType.DT_INT32))
                .putAttr("N", i(2)),
            floatNode("flat", "Reshape", "x", "dims").putAttr("Tshape", type(DataType.DT_INT32)));
    try (Graph graph = GraphImporter.withBuiltins().importGraph(g, "flatten.pb")) {
      assertThat(graph.requireOperation("batch").outputShape(0)).isEqualTo(Shape.scalar());
      assertThat(graph.requireOperation("flat").outputShape(0).rank()).isEqualTo(2);
    }
    Tensor y = run(g, Tensor.zeros(DType.FLOAT32, Shape.of(4, 2, 3)), "flat:0").get(0);
    assertThat(y.shape()).isEqualTo(Shape.of(4, 6));
  }

  @Test
  void theFirstBatchNormImportsAndRuns() throws IOException {
    GraphDef g =
        graph(
            placeholder("x", DataType.DT_FLOAT),
            constant("m", Tensor.ofFloats(Shape.of(2), 1, -1)).toBuilder(),
            constant("v", Tensor.ofFloats(Shape.of(2), 4, 0.25f)).toBuilder(),
            constant("beta", Tensor.ofFloats(Shape.of(2), 0.5f, 0)).toBuilder(),
            constant("gamma", Tensor.ofFloats(Shape.of(2), 2, 3)).toBuilder(),
            floatNode("bn", "BatchNormWithGlobalNormalization", "x", "m", "v", "beta", "gamma")
                .putAttr("variance_epsilon", AttrValue.newBuilder().setF(0).build())
                .putAttr("scale_after_normalization", AttrValue.newBuilder().setB(true).build()));
    Tensor y = run(g, Tensor.ofFloats(Shape.of(1, 1, 2, 2), 3, 0, 1, -2), "bn:0").get(0);
    // (3 - 1) / 2 * 2 + 0.5, (0 + 1) / 0.5 * 3, (1 - 1) / 2 * 2 + 0.5, (-2 + 1) / 0.5 * 3
    assertThat(y.toFloatArray()).containsExactly(2.5f, 6f, 0.5f, -6f);
  }

  @Test
  void biasAddV1ConcatPadV2AndDivImport() throws IOException {
    GraphDef g =
        graph(
            placeholder("x", DataType.DT_FLOAT),
            constant("bias", Tensor.ofFloats(Shape.of(2), 10, 20)).toBuilder(),
            floatNode("ba", "BiasAddV1", "x", "bias"),
            constant("dim", Tensor.ofInts(Shape.scalar(), 0)).toBuilder(),
            floatNode("c", "Concat", "dim", "ba", "x").putAttr("N", i(2)),
            constant("p", Tensor.ofInts(Shape.of(2, 2), 0, 1, 1, 0)).toBuilder(),
            constant("fill", Tensor.scalar(-1f)).toBuilder(),
            floatNode("pad", "PadV2", "c", "p", "fill")
                .putAttr("Tpaddings", type(DataType.DT_INT32)),
            constant("two", Tensor.scalar(2f)).toBuilder(),
            floatNode("d", "Div", "pad", "two"));
    Tensor y = run(g, Tensor.ofFloats(Shape.of(1, 2), 1, 2), "d:0").get(0);
    assertThat(y.shape()).isEqualTo(Shape.of(3, 3));
    assertThat(y.toFloatArray())
        .containsExactly(-0.5f, 5.5f, 11, -0.5f, 0.5f, 1, -0.5f, -0.5f, -0.5f);
  }

  @Test
  void maxPoolV2ImportsInBothFormats() throws IOException {
    for (String format : List.of("NHWC", "NCHW")) {
      boolean nhwc = format.equals("NHWC");
      Tensor k =
          nhwc ? Tensor.ofInts(Shape.of(4), 1, 2, 2, 1) : Tensor.ofInts(Shape.of(4), 1, 1, 2, 2);
      GraphDef g =
          graph(
              placeholder("x", DataType.DT_FLOAT),
              constant("k", k).toBuilder(),
              floatNode("pool", "MaxPoolV2", "x", "k", "k")
                  .putAttr("padding", s("VALID"))
                  .putAttr("data_format", s(format)));
      Tensor y =
          run(
                  g,
                  Tensor.ofFloats(Shape.of(1, 1, 2, 4), 1, 5, 2, 3, 4, 0, 9, 8)
                      .reshape(nhwc ? Shape.of(1, 2, 4, 1) : Shape.of(1, 1, 2, 4)),
                  "pool:0")
              .get(0);
      assertThat(y.toFloatArray()).as(format).containsExactly(5, 9);
    }
    AttrValue rank4 = AttrValue.newBuilder().setShape(GraphSummaryTest.shape(1, 2, 2, 1)).build();
    AttrValue vector = AttrValue.newBuilder().setShape(GraphSummaryTest.shape(4)).build();
    GraphDef computed =
        graph(
            placeholder("x", DataType.DT_FLOAT).putAttr("shape", rank4),
            placeholder("k", DataType.DT_INT32).putAttr("shape", vector),
            floatNode("pool", "MaxPoolV2", "x", "k", "k").putAttr("padding", s("VALID")));
    assertThatThrownBy(() -> run(computed, null, "pool:0"))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "test.pb: node 'pool' (MaxPoolV2): MaxPoolV2 'pool': ksize and strides must be constants"
                + " (Const nodes) for Millrace to run it; ksize and strides are computed at run time");
    // Where shapes are unknown when the graph is built, the run says the same.
    GraphDef unknown =
        graph(
            placeholder("x", DataType.DT_FLOAT),
            placeholder("k", DataType.DT_INT32),
            floatNode("pool", "MaxPoolV2", "x", "k", "k").putAttr("padding", s("VALID")));
    try (Graph graph = GraphImporter.withBuiltins().importGraph(unknown, "test.pb");
        Session session = new Session(graph)) {
      assertThatThrownBy(
              () ->
                  session
                      .runner()
                      .feed("x:0", Tensor.zeros(DType.FLOAT32, Shape.of(1, 2, 2, 1)))
                      .feed("k:0", Tensor.ofInts(Shape.of(4), 1, 1, 1, 1))
                      .fetch("pool:0")
                      .run())
          .hasMessage(
              "MaxPoolV2 'pool': ksize and strides must be constants (Const nodes) for Millrace to"
                  + " run it; ksize and strides are computed at run time");
    }
  }

  @Test
  void placeholderV2AndCheckNumericsV2RunAsTodaysOps() throws IOException {
    GraphDef g =
        graph(
            node("x", "PlaceholderV2")
                .putAttr("dtype", type(DataType.DT_FLOAT))
                .putAttr(
                    "shape", AttrValue.newBuilder().setShape(GraphSummaryTest.shape(2)).build()),
            floatNode("check", "CheckNumericsV2", "x").putAttr("message", s("bad input")));
    assertThat(run(g, Tensor.ofFloats(Shape.of(2), 1, 2), "check:0").get(0).toFloatArray())
        .containsExactly(1, 2);
    assertThatThrownBy(() -> run(g, Tensor.ofFloats(Shape.of(2), 1, Float.NaN), "check:0"))
        .hasMessageContaining("bad input");
    try (Graph graph = GraphImporter.withBuiltins().importGraph(g, "v2.pb")) {
      assertThat(graph.requireOperation("x").type()).isEqualTo("Placeholder");
      assertThat(graph.requireOperation("x").outputType(0)).isEqualTo(DType.FLOAT32);
    }
  }
}
