package dev.millrace.graphdef.transforms;

import static dev.millrace.graphdef.transforms.GraphTransformsTest.argmax;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.find;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.run;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.transform;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.graphdef.TensorValues;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.kernels.QuantizedRange;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A calibrated eight-bit graph's layers become TensorFlow's fused eight-bit ops, which round once
 * per layer: the TensorFlow-written ResNet keeps its float top-1 at least as well as before, with
 * fewer ops.
 */
class FusedQuantizedLayersTest {
  private static final String FOLD =
      "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics) fold_constants(ignore_errors=true)"
          + " fold_batch_norms fold_old_batch_norms";
  private static final Set<String> OUTPUTS = Set.of("logits", "probabilities");

  @Test
  void convolutionsWithReluAndTheClassifierBecomeFusedOps() throws IOException {
    Fixture f = Fixture.resnet(false);
    Map<String, Integer> before = GraphSummary.of(f.calibrated).opCounts();
    Map<String, Integer> after = GraphSummary.of(f.fused).opCounts();
    assertThat(after)
        .containsKeys(
            "QuantizedConv2DWithBiasAndReluAndRequantize", "QuantizedMatMulWithBiasAndDequantize");
    // Each fused layer replaces a QuantizedRelu (or the classifier's Dequantize) and its chain.
    int fusedConvs = after.get("QuantizedConv2DWithBiasAndReluAndRequantize");
    assertThat(after.getOrDefault("QuantizedRelu", 0))
        .isEqualTo(before.get("QuantizedRelu") - fusedConvs);
    assertThat(after.get("QuantizedBiasAdd"))
        .isEqualTo(before.get("QuantizedBiasAdd") - fusedConvs - 1);
    assertThat(after).doesNotContainKey("QuantizedMatMul");
    // The classifier's result is never rounded to eight bits.
    NodeDef logits = find(f.fused, "logits");
    assertThat(logits.getOp()).isEqualTo("QuantizedMatMulWithBiasAndDequantize");
  }

  @Test
  void weightsAreSymmetricSignedCodesOneRangePerFilterOrPerChannel() throws IOException {
    for (boolean perChannel : List.of(false, true)) {
      Fixture f = Fixture.resnet(perChannel);
      NodeDef conv =
          f.fused.getNodeList().stream()
              .filter(n -> n.getOp().equals("QuantizedConv2DWithBiasAndReluAndRequantize"))
              .findFirst()
              .orElseThrow();
      Tensor codes = constant(f.fused, conv.getInput(1));
      Tensor min = constant(f.fused, conv.getInput(5));
      Tensor max = constant(f.fused, conv.getInput(6));
      long channels = codes.shape().dim(3);
      assertThat(min.shape()).isEqualTo(perChannel ? Shape.of(channels) : Shape.scalar());
      int[] q = QuantizedRange.codes(codes);
      int[] largest = new int[(int) channels];
      for (int i = 0; i < q.length; i++) {
        int c = perChannel ? (int) (i % channels) : 0;
        largest[c] = Math.max(largest[c], Math.abs(q[i]));
      }
      for (int c = 0; c < (perChannel ? channels : 1); c++) {
        // The largest weight of each range is code ±127, and min = -max.
        assertThat(largest[c]).as("largest code of channel " + c).isEqualTo(127);
        assertThat(min.getFloat(c)).isEqualTo(-max.getFloat(c));
      }
    }
  }

  @Test
  void symmetricCodesGiveBackTheWeightsToHalfAStep() {
    float[] w = {0.5f, -2f, 0.01f, 0.25f, -0.3f, 1f, 0f, 0f};
    Tensor weights = Tensor.ofFloats(Shape.of(4, 2), w);
    for (boolean perChannel : List.of(false, true)) {
      FusedQuantizedLayers.SymmetricCodes s =
          FusedQuantizedLayers.SymmetricCodes.of(weights, perChannel);
      for (int i = 0; i < w.length; i++) {
        float step = s.max().getFloat(perChannel ? i % 2 : 0) / 127f;
        assertThat(Math.abs(s.codes()[i] * step - w[i]))
            .as("weight " + i + (perChannel ? " per channel" : ""))
            .isLessThanOrEqualTo(step / 2 + 1e-7f);
      }
    }
    // Channel 0's largest weight is 0.5, channel 1's is 2: per channel, each spans ±127.
    FusedQuantizedLayers.SymmetricCodes s = FusedQuantizedLayers.SymmetricCodes.of(weights, true);
    assertThat(s.max().toFloatArray()).containsExactly(0.5f, 2f);
    assertThat(s.codes()[0]).isEqualTo((byte) 127);
    assertThat(s.codes()[1]).isEqualTo((byte) -127);
  }

  @Test
  void rangesMeasuredAtRunTimeAreLeftAlone() throws IOException {
    GraphDef g = GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb"));
    GraphDef folded = transform(g, FOLD, List.of("input"), List.copyOf(OUTPUTS));
    GraphDef dynamic =
        transform(
            folded, "quantize_weights quantize_nodes", List.of("input"), List.copyOf(OUTPUTS));
    GraphDef same = FusedQuantizedLayers.apply(dynamic, folded, false, OUTPUTS);
    assertThat(same).isEqualTo(dynamic);
  }

  @Test
  void theFusedResNetKeepsFloatsTopOne() throws IOException {
    Fixture f = Fixture.resnet(true);
    Tensor input = QuantizeNodesTest.images(64);
    float[] before = run(f.floatGraph, "logits:0", "input:0", input);
    float[] after = run(f.fused, "logits:0", "input:0", input);
    int agree = 0;
    for (int b = 0; b < 64; b++) {
      agree += argmax(after, b, 10) == argmax(before, b, 10) ? 1 : 0;
    }
    assertThat(agree)
        .as("images whose top-1 class the fused 8-bit graph keeps")
        .isGreaterThanOrEqualTo(62);
  }

  private static Tensor constant(GraphDef g, String input) {
    return TensorValues.toTensor(
        find(g, GraphNames.nodeOf(input)).getAttrOrThrow("value").getTensor());
  }

  private record Fixture(
      GraphDef floatGraph, GraphDef folded, GraphDef calibrated, GraphDef fused) {
    static Fixture resnet(boolean perChannel) throws IOException {
      GraphDef g = GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb"));
      GraphDef folded = transform(g, FOLD, List.of("input"), List.copyOf(OUTPUTS));
      GraphDef dynamic =
          transform(
              folded, "quantize_weights quantize_nodes", List.of("input"), List.copyOf(OUTPUTS));
      GraphDef calibrated =
          StaticRanges.calibrateOn(dynamic, "input:0", QuantizeNodesTest.images(16), OUTPUTS);
      GraphDef fused = FusedQuantizedLayers.apply(calibrated, folded, perChannel, OUTPUTS);
      return new Fixture(g, folded, calibrated, fused);
    }
  }
}
