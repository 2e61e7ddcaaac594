package dev.millrace.graphdef.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.Graph;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.graphdef.TensorValues;
import dev.millrace.graphdef.TransformSpec;
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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GraphTransformsTest {
  private static final OpRegistry REGISTRY = OpRegistry.withBuiltins();

  static GraphDef transform(GraphDef g, String steps, List<String> in, List<String> out) {
    return GraphTransforms.apply(g, in, out, TransformSpec.parseAll(steps), REGISTRY, m -> {});
  }

  static float[] floats(String file) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(TestData.tensorflow("graphs/" + file)))
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[b.remaining() / 4];
    b.asFloatBuffer().get(v);
    return v;
  }

  static float[] run(GraphDef g, String fetch, String feed, Tensor value) throws IOException {
    try (Graph graph = GraphImporter.withBuiltins().importGraph(g, "test");
        Session s = new Session(graph)) {
      Session.Runner r = s.runner().fetch(fetch);
      if (feed != null) {
        r.feed(feed, value);
      }
      try (Session.Result result = r.run()) {
        return result.get(0).toFloatArray();
      }
    }
  }

  static float maxDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    float worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  @Test
  void theGuidesInferencePipelineFoldsEveryBatchNormAndKeepsTensorFlowsOutputs()
      throws IOException {
    GraphDef g = GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb"));
    GraphDef folded =
        transform(
            g,
            "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
                + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms",
            List.of("input"),
            List.of("probabilities", "logits"));
    var ops = GraphSummary.of(folded).opCounts();
    assertThat(ops).doesNotContainKeys("FusedBatchNormV3", "Identity", "CheckNumerics");
    assertThat(ops.get("Conv2D")).isEqualTo(15);
    assertThat(ops.get("BiasAdd")).isEqualTo(16); // 15 folded norms and the dense layer's
    Tensor input = Tensor.ofFloats(Shape.of(8, 32, 32, 3), floats("resnet-input-b8.f32"));
    assertThat(
            maxDiff(
                run(folded, "probabilities:0", "input:0", input), floats("resnet-output-b8.f32")))
        .isLessThanOrEqualTo(1e-4f);
    assertThat(maxDiff(run(folded, "logits:0", "input:0", input), floats("resnet-logits-b8.f32")))
        .isLessThanOrEqualTo(1e-4f);
    assertThat(folded.getNodeCount()).isLessThan(g.getNodeCount());
  }

  @Test
  void removeNodesRewiresReadersAndKeepsControlDependencies() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(node("guard", "NoOp"))
            .addNode(node("id", "Identity", "x", "^guard"))
            .addNode(node("relu", "Relu", "id:0"))
            .addNode(node("after", "NoOp", "^id"))
            .build();
    GraphDef r = transform(g, "remove_nodes(op=Identity)", List.of(), List.of("relu"));
    assertThat(r.getNodeList()).extracting(NodeDef::getName).doesNotContain("id");
    NodeDef relu = find(r, "relu");
    assertThat(relu.getInputList()).containsExactly("x", "^guard");
    assertThat(find(r, "after").getInputList()).containsExactly("^x", "^guard");
    // A named output is never removed.
    GraphDef kept = transform(g, "remove_nodes(op=Identity)", List.of(), List.of("id"));
    assertThat(kept.getNodeList()).extracting(NodeDef::getName).contains("id");
  }

  @Test
  void stripUnusedNodesKeepsWhatTheOutputsNeedAndTurnsInputsIntoPlaceholders() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(constant("raw", 1f, 2f))
            .addNode(node("decoded", "Relu", "raw"))
            .addNode(node("out", "Relu", "decoded"))
            .addNode(node("unused", "Relu", "decoded"))
            .build();
    GraphDef r =
        transform(
            g, "strip_unused_nodes(type=float, shape=\"1,2\")", List.of("decoded"), List.of("out"));
    assertThat(r.getNodeList()).extracting(NodeDef::getName).containsExactly("decoded", "out");
    NodeDef p = find(r, "decoded");
    assertThat(p.getOp()).isEqualTo("Placeholder");
    assertThat(p.getAttrOrThrow("dtype").getType()).isEqualTo(DataType.DT_FLOAT);
    assertThat(TensorValues.show(p.getAttrOrThrow("shape").getShape())).isEqualTo("[1,2]");
    assertThatThrownBy(() -> transform(g, "strip_unused_nodes", List.of(), List.of()))
        .hasMessage("strip_unused_nodes: strip_unused_nodes needs --outputs");
  }

  @Test
  void foldConstantsComputesConstantSubgraphsOnce() throws IOException {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constant("a", 1f, 2f))
            .addNode(constant("b", 10f, 20f))
            .addNode(node("sum", "Add", "a", "b"))
            .addNode(node("scaled", "Mul", "sum", "sum"))
            .addNode(node("out", "Mul", "x", "scaled"))
            .build();
    GraphDef r = transform(g, "fold_constants", List.of("x"), List.of("out"));
    assertThat(r.getNodeList()).extracting(NodeDef::getName).containsExactly("x", "scaled", "out");
    NodeDef scaled = find(r, "scaled");
    assertThat(scaled.getOp()).isEqualTo("Const");
    assertThat(TensorValues.toTensor(scaled.getAttrOrThrow("value").getTensor()).toFloatArray())
        .containsExactly(121f, 484f);
    Tensor x = Tensor.ofFloats(Shape.of(2), 1f, 2f);
    assertThat(run(r, "out:0", "x:0", x)).containsExactly(121f, 968f);
    // exclude_op keeps a type as it is.
    GraphDef excluded =
        transform(g, "fold_constants(exclude_op=Mul)", List.of("x"), List.of("out"));
    assertThat(find(excluded, "scaled").getOp()).isEqualTo("Mul");
  }

  @Test
  void foldBatchNormsMergesAPerChannelMultiplyIntoTheConvolution() throws IOException {
    SplittableRandom rnd = new SplittableRandom(3);
    float[] w = new float[3 * 3 * 2 * 4];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rnd.nextDouble(-1, 1);
    }
    NodeDef conv =
        node("conv", "Conv2D", "x", "w").toBuilder()
            .putAttr("strides", ints(1, 1, 1, 1))
            .putAttr(
                "padding",
                AttrValue.newBuilder()
                    .setS(com.google.protobuf.ByteString.copyFromUtf8("SAME"))
                    .build())
            .build();
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constNode("w", Tensor.ofFloats(Shape.of(3, 3, 2, 4), w)))
            .addNode(conv)
            .addNode(constant("s", 0.5f, 2f, -1f, 3f))
            .addNode(node("bn", "Mul", "conv", "s"))
            .addNode(node("out", "Relu", "bn"))
            .build();
    GraphDef r = transform(g, "fold_batch_norms", List.of("x"), List.of("out"));
    assertThat(r.getNodeList()).extracting(NodeDef::getOp).doesNotContain("Mul");
    assertThat(find(r, "bn").getOp()).isEqualTo("Conv2D");
    float[] img = new float[5 * 5 * 2];
    for (int i = 0; i < img.length; i++) {
      img[i] = (float) rnd.nextDouble(-1, 1);
    }
    Tensor x = Tensor.ofFloats(Shape.of(1, 5, 5, 2), img);
    assertThat(maxDiff(run(r, "out:0", "x:0", x), run(g, "out:0", "x:0", x))).isLessThan(1e-5f);
  }

  @Test
  void unknownTransformsAndBadParametersNameTheStep() {
    GraphDef g = GraphDef.newBuilder().addNode(placeholder("x")).build();
    assertThatThrownBy(() -> transform(g, "fold_everything", List.of(), List.of()))
        .hasMessageStartingWith(
            "transform 'fold_everything' is not one of add_default_attributes, fold_batch_norms, ");
    assertThatThrownBy(() -> transform(g, "remove_nodes", List.of(), List.of()))
        .hasMessage("remove_nodes: remove_nodes needs at least one op=TYPE");
    // ignore_errors keeps the graph and goes on.
    List<String> log = new ArrayList<>();
    GraphDef same =
        GraphTransforms.apply(
            g,
            List.of(),
            List.of(),
            TransformSpec.parseAll("strip_unused_nodes(ignore_errors=true)"),
            REGISTRY,
            log::add);
    assertThat(same).isEqualTo(g);
    assertThat(log)
        .containsExactly(
            "Applying strip_unused_nodes",
            "strip_unused_nodes: ignoring error strip_unused_nodes needs --outputs");
  }

  @Test
  void attributeAndDeviceEdits() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x").toBuilder().setDevice("/gpu:0"))
            .addNode(node("r", "Relu", "x"))
            .build();
    GraphDef d =
        transform(g, "set_device(device=\"/cpu:0\", if_default=true)", List.of(), List.of());
    assertThat(find(d, "x").getDevice()).isEqualTo("/gpu:0");
    assertThat(find(d, "r").getDevice()).isEqualTo("/cpu:0");
    GraphDef renamed =
        transform(
            g,
            "rename_attribute(old_attribute_name=T, new_attribute_name=U, op_name=Relu)",
            List.of(),
            List.of());
    assertThat(find(renamed, "r").containsAttr("U")).isTrue();
    assertThat(find(renamed, "r").containsAttr("T")).isFalse();
    GraphDef removed = transform(g, "remove_attribute(attribute_name=dtype)", List.of(), List.of());
    assertThat(find(removed, "x").containsAttr("dtype")).isFalse();
  }

  @Test
  void roundWeightsLeavesAtMostNumStepsValuesWithinHalfABucket() {
    float[] w = new float[100];
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rnd.nextDouble(-2, 3);
    }
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(constNode("w", Tensor.ofFloats(Shape.of(100), w)))
            .addNode(constant("eps", 1e-3f))
            .build();
    GraphDef r = transform(g, "round_weights(num_steps=8)", List.of(), List.of());
    float[] rounded =
        TensorValues.toTensor(find(r, "w").getAttrOrThrow("value").getTensor()).toFloatArray();
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float x : w) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    float width = (max - min) / 8;
    java.util.Set<Float> distinct = new java.util.HashSet<>();
    for (int i = 0; i < w.length; i++) {
      distinct.add(rounded[i]);
      assertThat(Math.abs(rounded[i] - w[i])).isLessThanOrEqualTo(width / 2 + 1e-6f);
    }
    assertThat(distinct.size()).isLessThanOrEqualTo(8);
    assertThat(find(r, "eps")).isEqualTo(find(g, "eps")); // too small to round
  }

  @Test
  void addDefaultAttributesWritesWhatTheDefinitionDefaults() {
    NodeDef conv =
        node("conv", "Conv2D", "x", "w").toBuilder()
            .putAttr("strides", ints(1, 1, 1, 1))
            .putAttr(
                "padding",
                AttrValue.newBuilder()
                    .setS(com.google.protobuf.ByteString.copyFromUtf8("VALID"))
                    .build())
            .build();
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constNode("w", Tensor.ofFloats(Shape.of(1, 1, 1, 1), 1f)))
            .addNode(conv)
            .addNode(NodeDef.newBuilder().setName("f").setOp("Frobnicate"))
            .build();
    GraphDef r = transform(g, "add_default_attributes", List.of(), List.of());
    NodeDef c = find(r, "conv");
    assertThat(c.getAttrOrThrow("data_format").getS().toStringUtf8()).isEqualTo("NHWC");
    assertThat(c.getAttrOrThrow("dilations").getList().getIList()).containsExactly(1L, 1L, 1L, 1L);
    assertThat(c.getAttrOrThrow("padding").getS().toStringUtf8()).isEqualTo("VALID");
    assertThat(find(r, "f")).isEqualTo(find(g, "f"));
  }

  @Test
  void mergeDuplicateNodesKeepsTheFirstAndRewiresReadersTransitively() throws IOException {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constant("c1", 2f))
            .addNode(constant("c2", 2f))
            .addNode(node("m1", "Mul", "x", "c1"))
            .addNode(node("m2", "Mul", "x", "c2"))
            .addNode(node("out", "Add", "m1", "m2"))
            .build();
    GraphDef r = transform(g, "merge_duplicate_nodes", List.of("x"), List.of("out"));
    assertThat(r.getNodeList())
        .extracting(NodeDef::getName)
        .containsExactly("x", "c1", "m1", "out");
    assertThat(find(r, "out").getInputList()).containsExactly("m1", "m1");
    assertThat(run(r, "out:0", "x:0", Tensor.ofFloats(Shape.of(2), 1f, 3f)))
        .containsExactly(4f, 12f);
  }

  @Test
  void quantizeWeightsShrinksTheResNetToAQuarterAndKeepsItsAnswers() throws IOException {
    GraphDef g = GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb"));
    GraphDef q = transform(g, "quantize_weights", List.of("input"), List.of("probabilities"));
    // Constants under 1,024 values stay float: here the batch norms' parameters, the first and
    // the projection convolutions, the dense layer; folding the norms first leaves fewer of them.
    assertThat((double) q.getSerializedSize() / g.getSerializedSize()).isLessThan(0.30);
    GraphDef folded =
        transform(
            g,
            "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics) fold_old_batch_norms"
                + " quantize_weights",
            List.of("input"),
            List.of("probabilities"));
    assertThat((double) folded.getSerializedSize() / g.getSerializedSize())
        .as("size of the folded and quantized file / the float file")
        .isLessThanOrEqualTo(0.27);
    assertThat(GraphSummary.of(q).opCounts()).containsKey("Dequantize");
    // Top-1 of the float and the 8-bit graph on 64 images: TensorFlow's 8 and 56 random ones.
    float[] images = new float[64 * 32 * 32 * 3];
    float[] given = floats("resnet-input-b8.f32");
    System.arraycopy(given, 0, images, 0, given.length);
    SplittableRandom rnd = new SplittableRandom(6);
    for (int i = given.length; i < images.length; i++) {
      images[i] = (float) rnd.nextDouble();
    }
    Tensor input = Tensor.ofFloats(Shape.of(64, 32, 32, 3), images);
    float[] before = run(g, "logits:0", "input:0", input);
    float[] after = run(q, "logits:0", "input:0", input);
    int agree = 0;
    for (int b = 0; b < 64; b++) {
      agree += argmax(after, b, 10) == argmax(before, b, 10) ? 1 : 0;
    }
    assertThat(agree)
        .as("images whose top-1 class the 8-bit weights keep")
        .isGreaterThanOrEqualTo(63);
  }

  @Test
  void quantizedWeightsDequantizeToWithinOneStep() throws IOException {
    float[] w = new float[2048];
    SplittableRandom rnd = new SplittableRandom(4);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rnd.nextDouble(-0.5, 1.5);
    }
    GraphDef g =
        GraphDef.newBuilder().addNode(constNode("w", Tensor.ofFloats(Shape.of(2048), w))).build();
    GraphDef q = transform(g, "quantize_weights(minimum_size=2048)", List.of(), List.of("w"));
    assertThat(find(q, "w").getOp()).isEqualTo("Dequantize");
    assertThat(find(q, "w").getAttrOrThrow("mode").getS().toStringUtf8()).isEqualTo("MIN_FIRST");
    float[] back = run(q, "w:0", null, null);
    // MIN_FIRST rounds the value and the range's minimum each once: within one step of 2 / 255.
    float step = 2.0f / 255;
    for (int i = 0; i < w.length; i++) {
      assertThat(Math.abs(back[i] - w[i])).isLessThanOrEqualTo(step + 1e-4f);
    }
    GraphDef small = transform(g, "quantize_weights(minimum_size=4096)", List.of(), List.of("w"));
    assertThat(find(small, "w").getOp()).isEqualTo("Const");
  }

  static int argmax(float[] v, int row, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (v[row * n + i] > v[row * n + best]) {
        best = i;
      }
    }
    return best;
  }

  static NodeDef find(GraphDef g, String name) {
    return g.getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
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
    if (!op.equals("NoOp")) {
      b.putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build());
    }
    return b.build();
  }

  static NodeDef constant(String name, float... values) {
    return constNode(name, Tensor.ofFloats(Shape.of(values.length), values));
  }

  static NodeDef constNode(String name, Tensor t) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorValues.toProto(t)).build())
        .build();
  }

  static AttrValue ints(long... v) {
    AttrValue.ListValue.Builder l = AttrValue.ListValue.newBuilder();
    for (long x : v) {
      l.addI(x);
    }
    return AttrValue.newBuilder().setList(l).build();
  }
}
