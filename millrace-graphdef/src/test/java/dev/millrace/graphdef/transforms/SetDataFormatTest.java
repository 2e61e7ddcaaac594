package dev.millrace.graphdef.transforms;

import static dev.millrace.graphdef.transforms.GraphTransformsTest.constNode;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.floats;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.ints;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.maxDiff;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.node;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.placeholder;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.run;
import static dev.millrace.graphdef.transforms.GraphTransformsTest.transform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.graphdef.GraphSummary;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SetDataFormatTest {
  private static final String FOLD =
      "strip_unused_nodes remove_nodes(op=Identity, op=CheckNumerics)"
          + " fold_constants(ignore_errors=true) fold_batch_norms fold_old_batch_norms";

  @Test
  void tensorFlowsResNetRunsInNchwWithItsOutputsAndOneTranspose() throws IOException {
    GraphDef g = GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb"));
    Tensor input = Tensor.ofFloats(Shape.of(8, 32, 32, 3), floats("resnet-input-b8.f32"));
    for (String before : List.of("", FOLD + " ")) {
      GraphDef nchw =
          transform(
              g,
              before + "set_data_format(data_format=NCHW)",
              List.of("input"),
              List.of("probabilities", "logits"));
      for (NodeDef n : nchw.getNodeList()) {
        if (n.containsAttr("data_format")) {
          // All but the dense layer's bias, which adds to a matrix.
          assertThat(n.getAttrOrThrow("data_format").getS().toStringUtf8())
              .as(n.getName())
              .isEqualTo(n.getName().equals("logits") ? "NHWC" : "NCHW");
        }
      }
      // In at the input; none back: the global mean pool leaves [batch, channels] either way.
      assertThat(
              nchw.getNodeList().stream()
                  .filter(n -> n.getOp().equals("Transpose"))
                  .map(n -> n.getName() + " <- " + n.getInput(0)))
          .hasSize(1);
      assertThat(
              maxDiff(
                  run(nchw, "probabilities:0", "input:0", input), floats("resnet-output-b8.f32")))
          .isLessThanOrEqualTo(1e-4f);
      assertThat(maxDiff(run(nchw, "logits:0", "input:0", input), floats("resnet-logits-b8.f32")))
          .isLessThanOrEqualTo(1e-4f);
    }
  }

  @Test
  void switchingBackGivesTheOriginalLayoutAndAnswers() throws IOException {
    GraphDef g = GraphDefFile.read(TestData.tensorflow("graphs/resnet-cifar.pb"));
    List<String> in = List.of("input");
    List<String> out = List.of("probabilities");
    GraphDef nhwc =
        transform(
            g,
            FOLD + " set_data_format(data_format=NCHW) set_data_format(data_format=NHWC)",
            in,
            out);
    Tensor input = Tensor.ofFloats(Shape.of(8, 32, 32, 3), floats("resnet-input-b8.f32"));
    assertThat(
            maxDiff(run(nhwc, "probabilities:0", "input:0", input), floats("resnet-output-b8.f32")))
        .isLessThanOrEqualTo(1e-4f);
    assertThat(GraphSummary.of(nhwc).opCounts().get("Conv2D")).isEqualTo(15);
  }

  /**
   * Every kind of node the layout spreads through, ending in a switched graph output: the output
   * keeps its name (a transpose back) and its values.
   */
  @Test
  void theLayoutSpreadsThroughElementwiseOpsConcatPadAndReductions() throws IOException {
    Random random = new Random(7);
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constNode("w", randomTensor(random, 3, 3, 2, 4)))
            .addNode(constNode("b", randomTensor(random, 4)))
            .addNode(constNode("scale", randomTensor(random, 1, 1, 1, 4)))
            .addNode(constNode("two", Tensor.scalar(2f)))
            .addNode(intConst("axis", 3))
            .addNode(
                intConst("pads", 0, 0, 1, 2, 0, 1, 0, 0).toBuilder()
                    .putAttr("value", intsValue(Shape.of(4, 2), 0, 0, 1, 2, 0, 1, 0, 0))
                    .build())
            .addNode(intConst("spatial", 1, 2))
            .addNode(
                layered(node("conv", "Conv2D", "x", "w"))
                    .putAttr("strides", ints(1, 2, 1, 1))
                    .putAttr("padding", str("SAME"))
                    .build())
            .addNode(layered(node("bias", "BiasAdd", "conv", "b")).build())
            .addNode(node("relu", "Relu", "bias"))
            .addNode(node("scaled", "Mul", "relu", "scale"))
            .addNode(node("doubled", "Mul", "two", "scaled"))
            .addNode(
                layered(node("pool", "MaxPool", "doubled"))
                    .putAttr("ksize", ints(1, 2, 2, 1))
                    .putAttr("strides", ints(1, 1, 2, 1))
                    .putAttr("padding", str("VALID"))
                    .build())
            .addNode(
                node("cat", "ConcatV2", "pool", "pool", "axis").toBuilder()
                    .putAttr("N", AttrValue.newBuilder().setI(2).build())
                    .putAttr(
                        "Tidx",
                        AttrValue.newBuilder()
                            .setType(dev.millrace.graphdef.proto.DataType.DT_INT32)
                            .build())
                    .build())
            .addNode(
                node("padded", "Pad", "cat", "pads").toBuilder()
                    .putAttr(
                        "Tpaddings",
                        AttrValue.newBuilder()
                            .setType(dev.millrace.graphdef.proto.DataType.DT_INT32)
                            .build())
                    .build())
            .addNode(
                node("mean", "Mean", "padded", "spatial").toBuilder()
                    .putAttr("keep_dims", AttrValue.newBuilder().setB(true).build())
                    .putAttr(
                        "Tidx",
                        AttrValue.newBuilder()
                            .setType(dev.millrace.graphdef.proto.DataType.DT_INT32)
                            .build())
                    .build())
            .build();
    List<String> in = List.of("x");
    List<String> out = List.of("padded", "mean");
    GraphDef nchw = transform(g, "set_data_format(data_format=NCHW)", in, out);
    Tensor x = randomTensor(random, 2, 7, 6, 2);
    for (String fetch : out) {
      float[] expected = run(g, fetch + ":0", "x:0", x);
      assertThat(maxDiff(run(nchw, fetch + ":0", "x:0", x), expected))
          .as(fetch)
          .isLessThanOrEqualTo(1e-5f);
    }
    var ops = GraphSummary.of(nchw).opCounts();
    // One transpose in, one back for each of the two outputs.
    assertThat(ops.get("Transpose")).isEqualTo(3);
    assertThat(nchw.getNodeList().stream().map(NodeDef::getName))
        .contains("conv", "relu", "padded/NCHW", "padded", "mean/NCHW", "mean");
  }

  /**
   * MaxPoolV2 gives its window and strides as constant inputs: switched, it reads them permuted
   * like MaxPool's attributes (one constant shared by both inputs is permuted once).
   */
  @Test
  void aMaxPoolV2ReadsItsWindowInputsPermuted() throws IOException {
    Random random = new Random(9);
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constNode("w", randomTensor(random, 3, 3, 2, 4)))
            .addNode(intConst("k", 1, 3, 2, 1))
            .addNode(intConst("s", 1, 2, 1, 1))
            .addNode(
                layered(node("conv", "Conv2D", "x", "w"))
                    .putAttr("strides", ints(1, 1, 1, 1))
                    .putAttr("padding", str("SAME"))
                    .build())
            .addNode(
                layered(node("pool", "MaxPoolV2", "conv", "k", "s"))
                    .putAttr("padding", str("VALID"))
                    .build())
            .addNode(
                layered(node("same", "MaxPoolV2", "pool", "k", "k"))
                    .putAttr("padding", str("SAME"))
                    .build())
            .build();
    List<String> in = List.of("x");
    List<String> out = List.of("same");
    GraphDef nchw = transform(g, "set_data_format(data_format=NCHW)", in, out);
    Tensor x = randomTensor(random, 2, 9, 7, 2);
    assertThat(maxDiff(run(nchw, "same:0", "x:0", x), run(g, "same:0", "x:0", x)))
        .isLessThanOrEqualTo(1e-6f);
    assertThat(GraphSummary.of(nchw).opCounts().get("Transpose")).isEqualTo(2);
  }

  @Test
  void aBiasAddAfterAMatMulIsLeftAlone() throws IOException {
    GraphDef g =
        GraphDef.newBuilder()
            .addNode(placeholder("x"))
            .addNode(constNode("w", Tensor.ofFloats(Shape.of(2, 2), 1, 2, 3, 4)))
            .addNode(constNode("b", Tensor.ofFloats(Shape.of(2), 5, 6)))
            .addNode(node("mm", "MatMul", "x", "w"))
            .addNode(node("out", "BiasAdd", "mm", "b"))
            .build();
    GraphDef after = transform(g, "set_data_format", List.of("x"), List.of("out"));
    assertThat(after).isEqualTo(g);
    Tensor x = Tensor.ofFloats(Shape.of(1, 2), 1, 1);
    assertThat(run(after, "out:0", "x:0", x)).containsExactly(9, 12);
  }

  @Test
  void anUnknownFormatIsRefused() {
    GraphDef g = GraphDef.newBuilder().addNode(placeholder("x")).build();
    assertThatThrownBy(
            () -> transform(g, "set_data_format(data_format=NCDHW)", List.of("x"), List.of("x")))
        .hasMessageContaining("set_data_format")
        .hasMessageContaining("NCDHW is not one of NHWC, NCHW");
  }

  private static NodeDef.Builder layered(NodeDef n) {
    return n.toBuilder().putAttr("data_format", str("NHWC"));
  }

  private static AttrValue str(String s) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build();
  }

  private static Tensor randomTensor(Random random, long... dims) {
    Shape s = Shape.of(dims);
    float[] v = new float[(int) s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return Tensor.ofFloats(s, v);
  }

  private static NodeDef intConst(String name, int... values) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr(
            "dtype",
            AttrValue.newBuilder().setType(dev.millrace.graphdef.proto.DataType.DT_INT32).build())
        .putAttr("value", intsValue(Shape.of(values.length), values))
        .build();
  }

  private static AttrValue intsValue(Shape shape, int... values) {
    return AttrValue.newBuilder()
        .setTensor(dev.millrace.graphdef.TensorValues.toProto(Tensor.ofInts(shape, values)))
        .build();
  }
}
