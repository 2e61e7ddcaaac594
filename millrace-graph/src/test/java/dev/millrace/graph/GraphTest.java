package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Int32;
import dev.millrace.kernels.Padding;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GraphTest {
  @Test
  void sameConstantValueTwiceIsOneNode() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.on(g);
      Output<Float32> a = tf.constant(new float[] {1, 2, 3});
      Output<Float32> b = tf.withSubScope("elsewhere").constant(new float[] {1, 2, 3});
      Output<Float32> c = tf.constant(Shape.of(3), 1, 2, 3);
      assertThat(b).isEqualTo(a);
      assertThat(c).isEqualTo(a);
      assertThat(g.operations().stream().filter(op -> op.type().equals("Const"))).hasSize(1);
    }
  }

  @Test
  void constantsDifferingInTypeShapeOrBytesAreDistinct() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.on(g);
      Output<Float32> a = tf.constant(new float[] {1, 2});
      assertThat(tf.constant(Shape.of(2, 1), 1, 2)).isNotEqualTo(a);
      assertThat(tf.constant(new float[] {1, 3})).isNotEqualTo(a);
      assertThat((Output<?>) tf.constant(new int[] {1, 2})).isNotEqualTo(a);
      assertThat(tf.constant(-0f)).isNotEqualTo(tf.constant(0f));
      // An explicitly named constant is its own node.
      assertThat(tf.withName("two").constant(new float[] {1, 2})).isNotEqualTo(a);
    }
  }

  @Test
  void namesAreUniqueAndScoped() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(2));
      assertThat(tf.neg(x).op().name()).isEqualTo("Neg");
      assertThat(tf.neg(x).op().name()).isEqualTo("Neg_1");
      Ops block = tf.withSubScope("block");
      assertThat(block.neg(x).op().name()).isEqualTo("block/Neg");
      assertThat(block.withSubScope("inner").withName("y").neg(x).op().name())
          .isEqualTo("block/inner/y");
      assertThat(tf.withSubScope("block").scopePrefix()).isEqualTo("block_1/");
      assertThat(tf.withName("named").neg(x).op().name()).isEqualTo("named");
      assertThatThrownBy(() -> tf.withName("named").neg(x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'named' already exists");
      assertThatThrownBy(() -> tf.withName("bad name!").neg(x))
          .hasMessageContaining("invalid operation name 'bad name!'");
    }
  }

  @Test
  void graphIsEnumerableInTopologicalOrderWithTypedAttributes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(-1, 8, 8, 3));
      Output<Float32> w =
          tf.constant(Tensor.zeros(DType.FLOAT32, Shape.of(3, 3, 3, 4))).expect(FLOAT32);
      Output<Float32> y = tf.withName("conv").nn.conv2d(x, w, 2, Padding.SAME, DataFormat.NHWC);
      List<Operation> ops = g.operations();
      Set<Operation> seen = new HashSet<>();
      for (Operation op : ops) {
        for (Output<?> in : op.inputs()) {
          assertThat(seen).contains(in.op());
        }
        seen.add(op);
      }
      Operation conv = y.op();
      assertThat(conv.type()).isEqualTo("Conv2D");
      assertThat(conv.attrInts("strides")).containsExactly(1, 2, 2, 1);
      assertThat(conv.attrString("padding")).isEqualTo("SAME");
      assertThat(conv.attrString("data_format")).isEqualTo("NHWC");
      assertThat(conv.attrInts("dilations")).containsExactly(1, 1, 1, 1);
      assertThat(conv.attrInts("explicit_paddings")).isEmpty();
      assertThat(conv.attrBool("use_cudnn_on_gpu")).isTrue();
      assertThat(conv.attrType("T")).isEqualTo(DType.FLOAT32);
      assertThat(conv.attributes().keySet())
          .containsExactly(
              "T",
              "data_format",
              "dilations",
              "explicit_paddings",
              "padding",
              "strides",
              "use_cudnn_on_gpu");
      assertThat(x.op().attrShape("shape")).isEqualTo(Shape.of(-1, 8, 8, 3));
      assertThat(w.op().attrTensor("value").shape()).isEqualTo(Shape.of(3, 3, 3, 4));
      assertThat(g.output("conv:0")).isEqualTo(y);
      assertThat(g.output("conv")).isEqualTo(y);
      assertThat(g.operation("nope")).isEmpty();
    }
  }

  @Test
  void operationsCanBeRebuiltFromTypeNameInputsAndAttributes() {
    try (Graph source = new Graph();
        Graph copy = new Graph()) {
      Ops tf = Ops.on(source);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(-1, 4));
      Output<Float32> h =
          tf.nn.relu(tf.matmul(x, tf.constant(Shape.of(4, 2), new float[8]), false, true && false));
      tf.withName("out").nn.softmax(tf.concat(List.of(h, h), 1));
      Map<String, Operation> rebuilt = new java.util.HashMap<>();
      for (Operation op : source.operations()) {
        List<Output<?>> inputs =
            op.inputs().stream()
                .<Output<?>>map(in -> rebuilt.get(in.op().name()).output(in.index()))
                .toList();
        rebuilt.put(op.name(), copy.addOperation(op.type(), op.name(), inputs, op.attributes()));
      }
      Operation out = copy.requireOperation("out");
      assertThat(out.outputShape(0)).isEqualTo(Shape.of(-1, 4));
      assertThat(copy.size()).isEqualTo(source.size());
      for (Operation op : source.operations()) {
        assertThat(copy.requireOperation(op.name()).attributes()).isEqualTo(op.attributes());
      }
    }
  }

  @Test
  void registryRejectsWhatDoesNotFitTheOpDefinitionNamingTheOp() {
    try (Graph g = new Graph()) {
      Output<Int32> i = Ops.on(g).constant(new int[] {1});
      Output<Float32> f = Ops.on(g).constant(new float[] {1});
      assertThatThrownBy(() -> g.addOperation("Conv3DMagic", "c", List.of(), Map.of()))
          .hasMessageContaining("unknown op type 'Conv3DMagic'");
      assertThatThrownBy(
              () -> g.addOperation("Neg", "n", List.of(f), Map.of("stride", AttrValue.of(1L))))
          .hasMessageContaining("Neg 'n': unknown attribute 'stride'");
      assertThatThrownBy(() -> g.addOperation("AddV2", "a", List.of(f, i), Map.of()))
          .hasMessageContaining("AddV2 'a': input y has type INT32 but T is FLOAT32 (from x)");
      assertThatThrownBy(() -> g.addOperation("AddV2", "a", List.of(f), Map.of()))
          .hasMessageContaining("AddV2 'a': expected 2 inputs (x, y), got 1");
      assertThatThrownBy(() -> g.addOperation("Conv2D", "c", List.of(f, f), Map.of()))
          .hasMessageContaining("Conv2D 'c': missing required attribute 'strides' (list(int))");
      assertThatThrownBy(
              () ->
                  g.addOperation(
                      "MatMul", "m", List.of(f, f), Map.of("transpose_a", AttrValue.of(1L))))
          .hasMessageContaining("MatMul 'm': attribute 'transpose_a' must be bool, got int 1");
      assertThatThrownBy(
              () ->
                  g.addOperation(
                      "MaxPool",
                      "p",
                      List.of(f),
                      Map.of(
                          "ksize", AttrValue.of(1L, 2, 2, 1),
                          "strides", AttrValue.of(1L, 1, 1, 1),
                          "padding", AttrValue.of("FULL"))))
          .hasMessageContaining(
              "MaxPool 'p': attribute 'padding' is \"FULL\", allowed: [SAME, VALID, EXPLICIT]");
      assertThatThrownBy(() -> g.addOperation("Relu", "r", List.of(i), Map.of()))
          .hasMessageContaining("Relu 'r': attribute 'T' is INT32, allowed: [FLOAT32, FLOAT64]");
      assertThatThrownBy(() -> g.addOperation("Assign", "as", List.of(f, f), Map.of()))
          .hasMessageContaining("Assign 'as': input ref must be a variable, got Const");
    }
  }

  @Test
  void attributesTensorFlowRecordsAreAccepted() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Output<Float32> a = Ops.on(g).constant(Shape.of(1, 1), 2f);
      Operation mm =
          g.addOperation(
              "MatMul",
              "logits",
              List.of(a, a),
              Map.of(
                  "grad_a", AttrValue.of(false),
                  "grad_b", AttrValue.of(false),
                  "_output_shapes", AttrValue.of("kept")));
      assertThat(mm.attributes()).containsKey("_output_shapes");
      Operation check =
          g.addOperation(
              "CheckNumerics",
              "mid_check",
              List.of(mm.output(0)),
              Map.of("message", AttrValue.of("bad")));
      assertThat(s.runner().fetch(check.output(0)).run().get(0).getFloat(0)).isEqualTo(4f);
      Output<Float32> inf = Ops.on(g).div(a, Ops.on(g).constant(Shape.of(1, 1), 0f));
      Operation failing =
          g.addOperation(
              "CheckNumerics",
              "nan_check",
              List.of(inf),
              Map.of("message", AttrValue.of("layer 3")));
      assertThatThrownBy(() -> s.runner().fetch(failing.output(0)).run())
          .hasMessageContaining("CheckNumerics 'nan_check': layer 3 : Tensor had Inf values");
    }
  }

  @Test
  void opTraitsAreQueryableData() {
    OpRegistry r = OpRegistry.global();
    assertThat(r.hasTrait("AddV2", OpTrait.COMMUTATIVE)).isTrue();
    assertThat(r.hasTrait("Sub", OpTrait.COMMUTATIVE)).isFalse();
    assertThat(r.hasTrait("Relu", OpTrait.ELEMENTWISE)).isTrue();
    assertThat(r.hasTrait("Relu", OpTrait.PRESERVES_ZERO)).isTrue();
    assertThat(r.hasTrait("Sigmoid", OpTrait.PRESERVES_ZERO)).isFalse();
    assertThat(r.hasTrait("VariableV2", OpTrait.STATEFUL)).isTrue();
    assertThat(r.hasTrait("Assign", OpTrait.STATEFUL)).isTrue();
    assertThat(r.hasTrait("Conv2D", OpTrait.STATEFUL)).isFalse();
    assertThat(r.hasTrait("Conv2D", OpTrait.LAYOUT_SENSITIVE)).isTrue();
    assertThat(r.hasTrait("Const", OpTrait.CONSTANT)).isTrue();
    assertThat(r.hasTrait("Conv2DBackpropInput", OpTrait.GRADIENT)).isTrue();
    assertThat(r.traits("NoSuchOp")).isEmpty();
    assertThat(r.opTypes())
        .contains(
            "Conv2D",
            "FusedBatchNormV3",
            "MatMul",
            "BiasAdd",
            "Relu",
            "Relu6",
            "MaxPool",
            "AvgPool",
            "Mean",
            "Sum",
            "Max",
            "Const",
            "Placeholder",
            "VariableV2",
            "Assign",
            "Identity",
            "Softmax",
            "LogSoftmax",
            "SparseSoftmaxCrossEntropyWithLogits",
            "Reshape",
            "Transpose",
            "ConcatV2",
            "Pad",
            "Squeeze",
            "Cast",
            "ArgMax",
            "Equal",
            "DepthwiseConv2dNative",
            "AddV2",
            "Sub",
            "Mul",
            "RealDiv",
            "Sigmoid",
            "Tanh",
            "Conv2DBackpropInput",
            "Conv2DBackpropFilter",
            "MaxPoolGrad",
            "AvgPoolGrad",
            "FusedBatchNormGradV3",
            "ReluGrad",
            "BiasAddGrad");
  }

  @Test
  void registriesCanBeExtendedWithoutTouchingTheGlobalOne() {
    OpRegistry r = OpRegistry.withBuiltins();
    r.register(
        dev.millrace.graph.spi.OpDef.builder("Twice")
            .input("x", "T")
            .output("y", "T")
            .typeAttr("T")
            .shape(c -> List.of(c.inputShape(0)))
            .build());
    assertThat(r.lookup("Twice")).isPresent();
    assertThat(OpRegistry.global().lookup("Twice")).isEmpty();
    assertThatThrownBy(() -> r.register(r.get("Twice"))).hasMessageContaining("already registered");
  }

  @Test
  void closedGraphRefusesNewOperationsAndSessions() {
    Graph g = new Graph();
    g.close();
    assertThatThrownBy(() -> Ops.on(g).constant(1f)).hasMessageContaining("closed");
    assertThatThrownBy(() -> new Session(g)).hasMessageContaining("closed");
  }

  @Test
  void inputsFromAnotherGraphAreRejected() {
    try (Graph a = new Graph();
        Graph b = new Graph()) {
      Output<Float32> x = Ops.on(a).constant(1f);
      assertThatThrownBy(() -> Ops.on(b).neg(x)).hasMessageContaining("belongs to another graph");
    }
  }

  @Test
  void controlDependenciesAndDeviceHintsAreRecorded() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.on(g);
      Operation first = tf.noOp();
      Output<Float32> y =
          tf.withControlDependencies(List.of(first)).withDevice("/cpu:0").constant(2f);
      assertThat(y.op().controlInputs()).containsExactly(first);
      assertThat(y.op().device()).isEqualTo("/cpu:0");
      Operation all = tf.group(List.of(first, y.op()));
      assertThat(all.type()).isEqualTo("NoOp");
      assertThat(all.controlInputs()).containsExactly(first, y.op());
    }
  }

  @Test
  void typedOutputsCheckTheirType() {
    try (Graph g = new Graph()) {
      Output<?> c = Ops.on(g).constant(new int[] {1});
      assertThat(c.expect(INT32).dtype()).isEqualTo(DType.INT32);
      assertThatThrownBy(() -> c.expect(FLOAT32))
          .hasMessageContaining("Const:0 has type INT32, expected FLOAT32");
    }
  }
}
