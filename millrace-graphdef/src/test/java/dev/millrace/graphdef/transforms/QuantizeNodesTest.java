package dev.millrace.graphdef.transforms;

import static dev.millrace.graphdef.transforms.GraphTransformsTest.argmax;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.constNode;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.find;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.floats;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.ints;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.node;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.placeholder;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.run;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.transform;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.millrace.graph.Graph;
import dev.millrace.graph.RunStats;
import dev.millrace.graph.Session;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * quantize_nodes writes TensorFlow's eight-bit graph, and Millrace runs it with float's answers.
 */
class QuantizeNodesTest {
  private static final String FOLD =
      "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics) fold_constants(ignore_errors=true)"
          + " fold_batch_norms fold_old_batch_norms";

  @Test
  void theResNetRunsInEightBitsWithFloatsTopOne() throws IOException {
    GraphDef g = GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb"));
    GraphDef q =
        transform(
            g,
            FOLD + " quantize_weights quantize_nodes",
            List.of("input"),
            List.of("logits", "probabilities"));
    Map<String, Integer> ops = GraphSummary.of(q).opCounts();
    assertThat(ops)
        .containsKeys("QuantizedConv2D", "QuantizedBiasAdd", "QuantizedRelu", "Requantize");
    assertThat(ops).doesNotContainKey("Conv2D");
    // Adjacent eight-bit ops pass codes: no Dequantize feeds a QuantizeV2 any more.
    for (NodeDef n : q.getNodeList()) {
      if (n.getOp().equals("QuantizeV2")) {
        assertThat(find(q, dev.millrace.graphdef.GraphNames.nodeOf(n.getInput(0))).getOp())
            .as("input of " + n.getName())
            .isNotEqualTo("Dequantize");
      }
    }
    Tensor input = images(64);
    float[] before = run(g, "logits:0", "input:0", input);
    float[] after = run(q, "logits:0", "input:0", input);
    int agree = 0;
    for (int b = 0; b < 64; b++) {
      agree += argmax(after, b, 10) == argmax(before, b, 10) ? 1 : 0;
    }
    assertThat(agree)
        .as("images whose top-1 class the 8-bit graph keeps")
        .isGreaterThanOrEqualTo(62);
  }

  /**
   * A calibrated graph's convolutions and residual adds run fused (conv, requantize, bias,
   * requantize, relu in one kernel; add, requantize, relu in another), and give the codes the
   * separate ops give: fetching the intermediates keeps them apart.
   */
  @Test
  void calibratedConvolutionsRunFusedWithTheUnfusedCodes() throws IOException {
    GraphDef g = GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb"));
    GraphDef dynamic =
        transform(
            g, FOLD + " quantize_weights quantize_nodes", List.of("input"), List.of("logits"));
    Tensor input = images(16);
    GraphDef q = StaticRanges.calibrateOn(dynamic, "input:0", input, Set.of("logits"));
    List<String> chains = new ArrayList<>();
    List<String> intermediates = new ArrayList<>();
    for (NodeDef n : q.getNodeList()) {
      if (n.getOp().equals("QuantizedConv2D") || n.getOp().equals("QuantizedAdd")) {
        intermediates.add(n.getName() + ":0");
      }
    }
    try (Graph graph = GraphImporter.withBuiltins().importGraph(q, "calibrated");
        Session s = new Session(graph)) {
      float[] fused;
      try (Session.Result r = s.runner().feed("input:0", input).fetch("logits:0").run()) {
        fused = r.get(0).toFloatArray();
        r.stats().ops().stream()
            .map(RunStats.OpStat::type)
            .filter(t -> t.startsWith("Fused"))
            .forEach(chains::add);
      }
      Session.Runner apart = s.runner().feed("input:0", input).fetch("logits:0");
      intermediates.forEach(apart::fetch);
      try (Session.Result r = apart.run()) {
        assertThat(r.get(0).toFloatArray()).containsExactly(fused);
        assertThat(r.stats().ops().stream().map(RunStats.OpStat::type))
            .noneMatch(t -> t.startsWith("Fused"));
      }
    }
    assertThat(chains)
        .hasSize(15 + 6)
        .contains(
            "FusedQuantizedConv2D+Requantize+QuantizedBiasAdd+Requantize+QuantizedRelu",
            "FusedQuantizedConv2D+Requantize+QuantizedBiasAdd+Requantize",
            "FusedQuantizedAdd+Requantize+QuantizedRelu");
  }

  @Test
  void namesAndWiresNodesAsTensorFlowDoes() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constNode("w", Tensor.ofFloats(Shape.of(3, 2), 1, -2, 3, 0.5f, 0, 1)))
            .addNode(
                node("mm", "MatMul", "x", "w").toBuilder()
                    .putAttr("transpose_a", AttrValue.newBuilder().setB(false).build())
                    .putAttr("transpose_b", AttrValue.newBuilder().setB(false).build())
                    .build())
            .addNode(node("relu", "Relu", "mm"))
            .build();
    GraphDef q = transform(g, "quantize_nodes", List.of("x"), List.of("relu"));
    NodeDef mm = find(q, "mm/eightbit");
    assertThat(mm.getOp()).isEqualTo("QuantizedMatMul");
    assertThat(mm.getInputList())
        .containsExactly(
            "mm_eightbit/x/quantize:0",
            "mm_eightbit/w/quantize:0",
            "mm_eightbit/x/quantize:1",
            "mm_eightbit/x/quantize:2",
            "mm_eightbit/w/quantize:1",
            "mm_eightbit/w/quantize:2");
    assertThat(find(q, "mm/eightbit/requantize").getInputList())
        .containsExactly(
            "mm/eightbit:0",
            "mm/eightbit:1",
            "mm/eightbit:2",
            "mm/eightbit/requant_range:0",
            "mm/eightbit/requant_range:1");
    // The Relu reads the requantized codes directly, and its Dequantize keeps the name.
    assertThat(find(q, "relu/eightbit").getInput(0)).isEqualTo("mm/eightbit/requantize:0");
    assertThat(find(q, "relu").getOp()).isEqualTo("Dequantize");
    assertThat(find(q, "relu").getAttrOrThrow("mode").getS())
        .isEqualTo(ByteString.copyFromUtf8("MIN_FIRST"));
    assertThat(q.getNodeList().stream().map(NodeDef::getName))
        .as("the float mm's Dequantize, read by nothing now, is gone")
        .doesNotContain("mm");
  }

  @Test
  void fallbackRangeReplacesTheMeasuredOne() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constNode("b", Tensor.ofFloats(Shape.of(2), 0.5f, -1)))
            .addNode(node("add", "BiasAdd", "x", "b"))
            .build();
    GraphDef q =
        transform(
            g, "quantize_nodes(fallback_min=-4, fallback_max=4)", List.of("x"), List.of("add"));
    assertThat(GraphSummary.of(q).opCounts()).doesNotContainKey("RequantizationRange");
    assertThat(find(q, "add/eightbit/requantize").getInput(3))
        .isEqualTo("add/eightbit/fallback_min");
  }

  @Test
  void leavesNchwAndIgnoredOpsInFloat() {
    NodeDef pool =
        node("pool", "MaxPool", "x").toBuilder()
            .putAttr("ksize", ints(1, 1, 2, 2))
            .putAttr("strides", ints(1, 1, 2, 2))
            .putAttr(
                "padding", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("VALID")).build())
            .putAttr(
                "data_format", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("NCHW")).build())
            .build();
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(pool)
            .addNode(node("r", "Relu", "pool"))
            .build();
    GraphDef q = transform(g, "quantize_nodes(ignore_op=Relu)", List.of("x"), List.of("r"));
    assertThat(find(q, "pool").getOp()).isEqualTo("MaxPool");
    assertThat(find(q, "r").getOp()).isEqualTo("Relu");
  }

  static Tensor images(int n) throws IOException {
    float[] images = new float[n * 32 * 32 * 3];
    float[] given = floats("resnet-input-b8.f32");
    System.arraycopy(given, 0, images, 0, given.length);
    SplittableRandom rnd = new SplittableRandom(6);
    for (int i = given.length; i < images.length; i++) {
      images[i] = (float) rnd.nextDouble();
    }
    return Tensor.ofFloats(Shape.of(n, 32, 32, 3), images);
  }
}
