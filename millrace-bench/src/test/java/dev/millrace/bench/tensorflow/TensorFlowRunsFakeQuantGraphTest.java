package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.TransformSpec;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.transforms.GraphTransforms;
import dev.millrace.testkit.TestData;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A quantization-aware graph: the TensorFlow ResNet with a FakeQuantWithMinMaxVars after every
 * ReLU, as quantization-aware training leaves them. TensorFlow runs the float graph with Millrace's
 * logits, and the eight-bit graph that {@code quantize_nodes} writes from it (trained ranges in
 * place of measured ones) loads in TensorFlow and gives Millrace's logits too.
 */
@Tag("tensorflow")
class TensorFlowRunsFakeQuantGraphTest {
  @Test
  void tensorFlowRunsTheFakeQuantizedAndTheEightBitGraphAsMillraceDoes() throws Exception {
    GraphDef folded =
        transform(
            GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb")),
            "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
                + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms");
    GraphDef trained = withFakeQuantAfterRelus(folded);
    GraphDef quantized = transform(trained, "quantize_weights quantize_nodes");
    assertThat(quantized.getNodeList()).noneMatch(n -> n.getOp().startsWith("FakeQuant"));
    long measured =
        quantized.getNodeList().stream()
            .filter(n -> n.getOp().equals("RequantizationRange"))
            .count();
    long narrowings =
        quantized.getNodeList().stream().filter(n -> n.getOp().equals("Requantize")).count();
    assertThat(measured).as("ranges still measured at run time").isLessThan(narrowings);
    int batch = 4;
    float[] pixels = new float[batch * 32 * 32 * 3];
    SplittableRandom r = new SplittableRandom(17);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) r.nextDouble();
    }
    // The eight-bit graph: the same integer arithmetic, so the same logits.
    float[] tf = tensorFlowLogits(quantized, batch, pixels);
    float[] millrace = millraceLogits(quantized, batch, pixels);
    for (int i = 0; i < tf.length; i++) {
      assertThat(Math.abs(tf[i] - millrace[i]))
          .as("eight-bit logit %d", i)
          .isLessThanOrEqualTo(1e-5f);
    }
    // The float graph: a convolution's last-bit difference can move a value across a fake
    // quantization's level (4 / 255 wide), so the logits agree to a few such steps' effect.
    tf = tensorFlowLogits(trained, batch, pixels);
    millrace = millraceLogits(trained, batch, pixels);
    for (int i = 0; i < tf.length; i++) {
      assertThat(Math.abs(tf[i] - millrace[i])).as("float logit %d", i).isLessThanOrEqualTo(2e-2f);
    }
  }

  /** A FakeQuantWithMinMaxVars of range [0, 4] after each Relu, read by the Relu's readers. */
  private static GraphDef withFakeQuantAfterRelus(GraphDef g) {
    GraphDef.Builder b = g.toBuilder().clearNode();
    b.addNode(GraphDefNodes.floatScalar("qat/min", 0f));
    b.addNode(GraphDefNodes.floatScalar("qat/max", 4f));
    for (NodeDef n : g.getNodeList()) {
      NodeDef.Builder nb = n.toBuilder().clearInput();
      for (String in : n.getInputList()) {
        boolean fromRelu =
            !GraphNames.isControl(in)
                && g.getNodeList().stream()
                    .anyMatch(
                        p -> p.getName().equals(GraphNames.nodeOf(in)) && p.getOp().equals("Relu"));
        nb.addInput(fromRelu ? GraphNames.nodeOf(in) + "/fake_quant" : in);
      }
      b.addNode(nb);
      if (n.getOp().equals("Relu")) {
        b.addNode(
            NodeDef.newBuilder()
                .setName(n.getName() + "/fake_quant")
                .setOp("FakeQuantWithMinMaxVars")
                .addInput(n.getName())
                .addInput("qat/min")
                .addInput("qat/max"));
      }
    }
    return b.build();
  }

  private static float[] millraceLogits(GraphDef g, int batch, float[] pixels) throws Exception {
    return ImageBatchRuns.millrace(g, "logits", new long[] {batch, 32, 32, 3}, pixels);
  }

  private static float[] tensorFlowLogits(GraphDef g, int batch, float[] pixels) throws Exception {
    return ImageBatchRuns.tensorFlow(g, "logits", new long[] {batch, 32, 32, 3}, pixels);
  }

  private static GraphDef transform(GraphDef g, String steps) {
    return GraphTransforms.apply(
        g,
        List.of("input"),
        List.of("logits", "probabilities"),
        TransformSpec.parseAll(steps),
        OpRegistry.withBuiltins(),
        m -> {});
  }
}
