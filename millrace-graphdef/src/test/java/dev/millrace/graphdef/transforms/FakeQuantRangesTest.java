package dev.millrace.graphdef.transforms;

import static dev.millrace.graphdef.transforms.GraphTransformsTest.constNode;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.find;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.ints;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.node;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.placeholder;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.run;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.transform;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A quantization-aware graph's trained ranges: quantize_nodes narrows the convolution's biased
 * result to the FakeQuantWithMinMaxVars range that followed its ReLU, measures no range there at
 * run time, and computes what the float graph with the fake quantization computes.
 */
class FakeQuantRangesTest {
  /** Below the largest activation, so that the trained range clips some. */
  private static final float TRAINED_MAX = 1.0f;

  @Test
  void theTrainedRangeReplacesTheMeasuredOneAfterTheConvolution() throws IOException {
    GraphDef q = transform(graph(), "quantize_nodes", List.of("x"), List.of("out"));
    assertThat(GraphSummary.of(q).opCounts())
        .doesNotContainKeys("FakeQuantWithMinMaxVars")
        .containsKeys("QuantizedConv2D", "QuantizedBiasAdd", "QuantizedRelu");
    // The bias add's 32-bit result goes straight into a Requantize to the trained range.
    NodeDef narrowing =
        q.getNodeList().stream()
            .filter(n -> n.getOp().equals("Requantize"))
            .filter(n -> n.getInput(0).equals("bias/eightbit:0"))
            .findFirst()
            .orElseThrow();
    assertThat(GraphNames.nodeOf(narrowing.getInput(3))).isEqualTo("fq_min");
    assertThat(GraphNames.nodeOf(narrowing.getInput(4))).isEqualTo("fq_max");
    // Only the convolution's own narrowing is still measured at run time.
    assertThat(GraphSummary.of(q).opCounts().get("RequantizationRange")).isEqualTo(1);
    // The ReLU, now after the narrowing, reads its codes; the graph's output keeps its name.
    assertThat(find(q, "fq/eightbit").getOp()).isEqualTo("QuantizedRelu");
    assertThat(find(q, "fq/eightbit").getInput(0)).isEqualTo(narrowing.getName() + ":0");
  }

  @Test
  void theEightBitGraphComputesWhatTheFakeQuantizedFloatGraphComputes() throws IOException {
    GraphDef g = graph();
    GraphDef q = transform(g, "quantize_nodes", List.of("x"), List.of("out"));
    Tensor x = input();
    float[] fakeQuantized = run(g, "out:0", "x:0", x);
    float[] eightBit = run(q, "out:0", "x:0", x);
    float step = TRAINED_MAX / 255;
    for (int i = 0; i < fakeQuantized.length; i++) {
      // Both hold levels of the trained range, a few apart at most: the eight-bit graph also
      // rounds its input, its weights and the convolution's sums.
      assertThat(Math.abs(eightBit[i] - fakeQuantized[i]))
          .as("output " + i)
          .isLessThanOrEqualTo(4 * step);
    }
    // The trained range clips the largest activations, in both.
    assertThat(max(fakeQuantized))
        .isEqualTo(TRAINED_MAX, org.assertj.core.data.Offset.offset(step));
    assertThat(max(eightBit)).isEqualTo(TRAINED_MAX, org.assertj.core.data.Offset.offset(step));
  }

  @Test
  void aFakeQuantizationIsNotMovedPastAnOpThatDoesNotCommuteWithIt() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(node("s", "Sigmoid", "x"))
            .addNode(constNode("fq_min", Tensor.scalar(0f)))
            .addNode(constNode("fq_max", Tensor.scalar(1f)))
            .addNode(fakeQuant("fq", "s"))
            .build();
    GraphDef hoisted = FakeQuantRanges.hoist(g);
    assertThat(find(hoisted, "fq").getOp()).isEqualTo("FakeQuantWithMinMaxVars");
    assertThat(find(hoisted, "fq").getInput(0)).isEqualTo("s");
  }

  @Test
  void aFakeQuantizationMovesUpPastReluAndMaxPool() {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(node("r", "Relu", "x"))
            .addNode(pool("p", "r"))
            .addNode(constNode("fq_min", Tensor.scalar(0f)))
            .addNode(constNode("fq_max", Tensor.scalar(1f)))
            .addNode(fakeQuant("fq", "p"))
            .addNode(node("after", "Tanh", "fq"))
            .build();
    GraphDef hoisted = FakeQuantRanges.hoist(g);
    // x -> fq_hoisted -> r -> fq (the pool, under the fake quantization's name) -> after
    assertThat(find(hoisted, "fq_hoisted").getInput(0)).isEqualTo("x");
    assertThat(find(hoisted, "r").getInput(0)).isEqualTo("fq_hoisted");
    assertThat(find(hoisted, "fq").getOp()).isEqualTo("MaxPool");
    assertThat(find(hoisted, "fq").getInput(0)).isEqualTo("r");
    assertThat(find(hoisted, "after").getInput(0)).isEqualTo("fq");
  }

  /**
   * x [2, 6, 6, 2] → Conv2D 3×3×2×3 → BiasAdd → Relu → FakeQuantWithMinMaxVars [0, 1] → MaxPool 2×2
   * → out.
   */
  private static GraphDef graph() {
    SplittableRandom rnd = new SplittableRandom(11);
    float[] w = new float[3 * 3 * 2 * 3];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (rnd.nextDouble() - 0.4) * 0.8f;
    }
    NodeDef conv =
        node("conv", "Conv2D", "x", "w").toBuilder()
            .putAttr("strides", ints(1, 1, 1, 1))
            .putAttr("padding", string("SAME"))
            .build();
    return GraphDef.newBuilder()
        .addNode(placeholder("x"))
        .addNode(constNode("w", Tensor.ofFloats(Shape.of(3, 3, 2, 3), w)))
        .addNode(conv)
        .addNode(constNode("b", Tensor.ofFloats(Shape.of(3), 0.1f, -0.2f, 0.3f)))
        .addNode(node("bias", "BiasAdd", "conv", "b"))
        .addNode(node("relu", "Relu", "bias"))
        .addNode(constNode("fq_min", Tensor.scalar(0f)))
        .addNode(constNode("fq_max", Tensor.scalar(TRAINED_MAX)))
        .addNode(fakeQuant("fq", "relu"))
        .addNode(pool("out", "fq"))
        .build();
  }

  private static NodeDef fakeQuant(String name, String input) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("FakeQuantWithMinMaxVars")
        .addInput(input)
        .addInput("fq_min")
        .addInput("fq_max")
        .build();
  }

  private static NodeDef pool(String name, String input) {
    return node(name, "MaxPool", input).toBuilder()
        .putAttr("ksize", ints(1, 2, 2, 1))
        .putAttr("strides", ints(1, 2, 2, 1))
        .putAttr("padding", string("VALID"))
        .build();
  }

  private static Tensor input() {
    SplittableRandom rnd = new SplittableRandom(5);
    float[] v = new float[2 * 6 * 6 * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextDouble() * 4 - 1);
    }
    return Tensor.ofFloats(Shape.of(2, 6, 6, 2), v);
  }

  private static float max(float[] v) {
    float m = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static AttrValue string(String s) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build();
  }
}
