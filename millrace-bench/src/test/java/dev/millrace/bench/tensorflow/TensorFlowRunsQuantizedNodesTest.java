package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.transforms.FusedQuantizedLayers;
import dev.millrace.graphdef.transforms.GraphTransforms;
import dev.millrace.graphdef.transforms.StaticRanges;
import dev.millrace.tensor.Shape;
import dev.millrace.testkit.TestData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow loads the eight-bit ResNet that Millrace's {@code quantize_weights quantize_nodes}
 * writes, and its quantized kernels compute what Millrace's compute, op by op: every eight-bit
 * result of the graph is dequantized by a probe node added for the test and compared, so that a
 * difference is pinned to the first op that makes it.
 */
@Tag("tensorflow")
class TensorFlowRunsQuantizedNodesTest {
  private static final Set<String> PROBED =
      Set.of(
          "QuantizeV2",
          "QuantizedConv2D",
          "QuantizedBiasAdd",
          "QuantizedRelu",
          "QuantizedAdd",
          "QuantizedMatMul",
          "QuantizedAvgPool",
          "QuantizedMaxPool",
          "Requantize");

  @Test
  void tensorFlowComputesWhatMillraceComputesOpByOp() throws Exception {
    GraphDef quantized = quantizedResNet();
    GraphDef.Builder probed = quantized.toBuilder();
    Map<String, Float> step = new LinkedHashMap<>();
    List<String> fetches = new ArrayList<>();
    for (NodeDef n : quantized.getNodeList()) {
      if (!PROBED.contains(n.getOp())) {
        continue;
      }
      DataType t =
          n.getOp().equals("Requantize") || n.getOp().equals("QuantizeV2")
              ? DataType.DT_QUINT8
              : outputType(n);
      String probe = "probe/" + n.getName();
      probed.addNode(
          NodeDef.newBuilder()
              .setName(probe)
              .setOp("Dequantize")
              .addInput(n.getName() + ":0")
              .addInput(n.getName() + ":1")
              .addInput(n.getName() + ":2")
              .putAttr("T", AttrValue.newBuilder().setType(t).build())
              .putAttr(
                  "mode",
                  AttrValue.newBuilder().setS(ByteString.copyFromUtf8("MIN_FIRST")).build()));
      fetches.add(probe);
      fetches.add(n.getName() + ":1");
      fetches.add(n.getName() + ":2");
    }
    fetches.add("logits");
    GraphDef g = probed.build();
    int batch = 4;
    float[] pixels = new float[batch * 32 * 32 * 3];
    SplittableRandom r = new SplittableRandom(12);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) r.nextDouble();
    }
    List<float[]> millrace = new ArrayList<>();
    try (var graph = GraphImporter.withBuiltins().importGraph(g, "probed");
        var session = new dev.millrace.graph.Session(graph)) {
      var runner =
          session
              .runner()
              .feed(
                  "input:0",
                  dev.millrace.tensor.Tensor.ofFloats(Shape.of(batch, 32, 32, 3), pixels));
      fetches.forEach(f -> runner.fetch(f.contains(":") ? f : f + ":0"));
      try (var result = runner.run()) {
        for (int i = 0; i < fetches.size(); i++) {
          millrace.add(result.get(i).toFloatArray());
        }
      }
    }
    List<float[]> tf = new ArrayList<>();
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (Session session = TfSessions.open(graph, 1);
          TFloat32 in =
              TFloat32.tensorOf(
                  org.tensorflow.ndarray.Shape.of(batch, 32, 32, 3),
                  DataBuffers.of(pixels, true, false))) {
        var runner = session.runner().feed("input", in);
        fetches.forEach(runner::fetch);
        try (Result result = runner.run()) {
          for (int i = 0; i < fetches.size(); i++) {
            TFloat32 out = (TFloat32) result.get(i);
            float[] v = new float[(int) out.size()];
            out.asRawTensor().data().asFloats().read(v);
            tf.add(v);
          }
        }
      }
    }
    for (int i = 0; i + 2 < fetches.size(); i += 3) {
      String name = fetches.get(i);
      float min = tf.get(i + 1)[0];
      float max = tf.get(i + 2)[0];
      assertThat(millrace.get(i + 1)[0]).as("%s min", name).isCloseTo(min, within(min));
      assertThat(millrace.get(i + 2)[0]).as("%s max", name).isCloseTo(max, within(max));
      float[] a = tf.get(i);
      float[] b = millrace.get(i);
      // One eight-bit code apart would be a whole step; the same codes dequantize the same but
      // for float rounding of large 32-bit codes.
      float oneCode = (max - min) / 255f;
      assertThat(b).hasSameSizeAs(a);
      for (int k = 0; k < a.length; k++) {
        assertThat(Math.abs(a[k] - b[k]))
            .as("%s element %d: TensorFlow %s, Millrace %s", name, k, a[k], b[k])
            .isLessThanOrEqualTo(oneCode * 1e-3f);
      }
    }
    float[] lt = tf.get(fetches.size() - 1);
    float[] lm = millrace.get(fetches.size() - 1);
    for (int k = 0; k < lt.length; k++) {
      assertThat(Math.abs(lt[k] - lm[k])).as("logit %d", k).isLessThanOrEqualTo(1e-5f);
    }
  }

  /**
   * The graph {@code millrace quantize} writes (run-time ranges replaced by calibrated constants)
   * loads in TensorFlow and gives Millrace's logits.
   */
  @Test
  void tensorFlowRunsTheCalibratedGraphAsMillraceDoes() throws Exception {
    GraphDef dynamic = quantizedResNet();
    int batch = 4;
    float[] pixels = new float[batch * 32 * 32 * 3];
    SplittableRandom r = new SplittableRandom(13);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) r.nextDouble();
    }
    var input = dev.millrace.tensor.Tensor.ofFloats(Shape.of(batch, 32, 32, 3), pixels);
    GraphDef calibrated =
        StaticRanges.calibrateOn(dynamic, "input:0", input, Set.of("logits", "probabilities"));
    assertThat(calibrated.getNodeList())
        .noneMatch(n -> n.getOp().equals("RequantizationRange") || n.getOp().equals("Min"));
    float[] millrace;
    try (var graph = GraphImporter.withBuiltins().importGraph(calibrated, "calibrated");
        var session = new dev.millrace.graph.Session(graph);
        var result = session.runner().feed("input:0", input).fetch("logits:0").run()) {
      millrace = result.get(0).toFloatArray();
    }
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(calibrated.toByteArray()));
      try (Session session = TfSessions.open(graph, 1);
          TFloat32 in =
              TFloat32.tensorOf(
                  org.tensorflow.ndarray.Shape.of(batch, 32, 32, 3),
                  DataBuffers.of(pixels, true, false));
          Result result = session.runner().feed("input", in).fetch("logits").run()) {
        float[] tf = new float[millrace.length];
        ((TFloat32) result.get(0)).asRawTensor().data().asFloats().read(tf);
        for (int i = 0; i < tf.length; i++) {
          assertThat(Math.abs(tf[i] - millrace[i])).as("logit %d", i).isLessThanOrEqualTo(1e-5f);
        }
      }
    }
  }

  /**
   * The calibrated graph with its layers fused into TensorFlow's fused eight-bit ops (what {@code
   * millrace quantize} writes by default), per tensor and per channel: TensorFlow loads it and its
   * oneDNN kernels give Millrace's logits.
   */
  @Test
  void tensorFlowRunsTheFusedGraphAsMillraceDoes() throws Exception {
    GraphDef folded =
        GraphTransforms.apply(
            GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb")),
            List.of("input"),
            List.of("logits", "probabilities"),
            TransformSpec.parseAll(
                "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
                    + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms"),
            OpRegistry.withBuiltins(),
            m -> {});
    int batch = 4;
    float[] pixels = new float[batch * 32 * 32 * 3];
    SplittableRandom r = new SplittableRandom(14);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) r.nextDouble();
    }
    var input = dev.millrace.tensor.Tensor.ofFloats(Shape.of(batch, 32, 32, 3), pixels);
    Set<String> outputs = Set.of("logits", "probabilities");
    GraphDef calibrated = StaticRanges.calibrateOn(quantizedResNet(), "input:0", input, outputs);
    for (boolean perChannel : List.of(false, true)) {
      GraphDef fused = FusedQuantizedLayers.apply(calibrated, folded, perChannel, outputs);
      assertThat(fused.getNodeList())
          .anyMatch(n -> n.getOp().equals("QuantizedConv2DWithBiasAndReluAndRequantize"));
      long[] shape = {batch, 32, 32, 3};
      float[] millrace = ImageBatchRuns.millrace(fused, "logits", shape, pixels);
      float[] tf = ImageBatchRuns.tensorFlow(fused, "logits", shape, pixels);
      for (int i = 0; i < tf.length; i++) {
        assertThat(Math.abs(tf[i] - millrace[i]))
            .as("logit %d, per channel %s", i, perChannel)
            .isLessThanOrEqualTo(1e-4f);
      }
    }
  }

  /** The TensorFlow ResNet folded and run through {@code quantize_weights quantize_nodes}. */
  private static GraphDef quantizedResNet() throws java.io.IOException {
    return GraphTransforms.apply(
        GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb")),
        List.of("input"),
        List.of("logits", "probabilities"),
        TransformSpec.parseAll(
            "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
                + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms"
                + " quantize_weights quantize_nodes"),
        OpRegistry.withBuiltins(),
        m -> {});
  }

  private static org.assertj.core.data.Offset<Float> within(float v) {
    return org.assertj.core.data.Offset.offset(Math.max(1e-6f, Math.abs(v) * 1e-5f));
  }

  private static DataType outputType(NodeDef n) {
    for (String a : List.of("out_type", "Toutput", "T", "Tinput")) {
      if (n.containsAttr(a)) {
        return n.getAttrOrThrow(a).getType();
      }
    }
    throw new IllegalStateException("no output type on " + n.getName());
  }
}
