package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.TensorValues;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.VersionDef;
import dev.millrace.kernels.ReferenceKernels;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The ops Millrace imports for older and newer TensorFlow graphs, each built in TensorFlow Java,
 * run there, and run in Millrace from the GraphDef TensorFlow writes: IdentityN, Elu and EluGrad,
 * BatchNormWithGlobalNormalization and PlaceholderV2 (from graphs of the versions that had them),
 * BiasAddV1, Concat, PadV2, Div, MaxPoolV2 and CheckNumericsV2. Integers and data movement agree
 * exactly, floats within 1e-6 relative (where an op's float rounding can cancel, relative to the
 * size of its terms, as each test says). StridedSlice, whose bounds and masks have many rules, is
 * compared on 400 random cases (seed in the test's name).
 */
@Tag("tensorflow")
class TensorFlowRunsImportedOpsTest {
  private static Tensor floats(Random rnd, double lo, double hi, long... dims) {
    Shape s = Shape.of(dims);
    float[] v = new float[(int) s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    }
    return Tensor.ofFloats(s, v);
  }

  /** Same shape and type; element by element {@code |m - t| <= relative * scale[i] + absolute}. */
  private static void assertClose(
      Tensor millrace, Tensor tf, double relative, double absolute, double[] scale, String what) {
    assertThat(millrace.shape()).as(what + " shape").isEqualTo(tf.shape());
    assertThat(millrace.dtype()).as(what + " type").isEqualTo(tf.dtype());
    for (long i = 0; i < tf.size(); i++) {
      double t = tf.getAsDouble(i);
      double m = millrace.getAsDouble(i);
      if (Double.isNaN(t)) {
        assertThat(m).as("%s element %d", what, i).isNaN();
        continue;
      }
      double s = scale == null ? Math.abs(t) : scale[(int) i];
      assertThat(Math.abs(m - t))
          .as("%s element %d: Millrace %s, TensorFlow %s", what, i, m, t)
          .isLessThanOrEqualTo(relative * s + absolute);
    }
  }

  private static void assertExactly(Tensor millrace, Tensor tf, String what) {
    assertThat(millrace.shape()).as(what + " shape").isEqualTo(tf.shape());
    assertThat(millrace.dtype()).as(what + " type").isEqualTo(tf.dtype());
    for (long i = 0; i < tf.size(); i++) {
      assertThat(millrace.getAsDouble(i)).as("%s element %d", what, i).isEqualTo(tf.getAsDouble(i));
    }
  }

  /**
   * The ops the GraphDef importer must run (the float ops and eight-bit ops of TensorFlow's frozen
   * inference graphs, every version TensorFlow writes or wrote, and the gradient ops added here).
   */
  private static final List<String> IMPORTED =
      List.of(
          "Const",
          "Placeholder",
          "PlaceholderV2",
          "PlaceholderWithDefault",
          "Identity",
          "IdentityN",
          "NoOp",
          "CheckNumerics",
          "CheckNumericsV2",
          "StopGradient",
          "Conv2D",
          "DepthwiseConv2dNative",
          "BiasAdd",
          "BiasAddV1",
          "FusedBatchNorm",
          "FusedBatchNormV2",
          "FusedBatchNormV3",
          "BatchNormWithGlobalNormalization",
          "Relu",
          "Relu6",
          "Elu",
          "EluGrad",
          "Sigmoid",
          "Tanh",
          "Softmax",
          "MaxPool",
          "MaxPoolV2",
          "AvgPool",
          "MatMul",
          "Add",
          "AddV2",
          "Sub",
          "Mul",
          "RealDiv",
          "Div",
          "Rsqrt",
          "Sqrt",
          "Square",
          "Maximum",
          "Minimum",
          "Mean",
          "Sum",
          "Max",
          "Reshape",
          "Squeeze",
          "ExpandDims",
          "ConcatV2",
          "Concat",
          "Pad",
          "PadV2",
          "Transpose",
          "Shape",
          "StridedSlice",
          "StridedSliceGrad",
          "Pack",
          "Cast",
          "ArgMax",
          "QuantizeV2",
          "Dequantize",
          "QuantizedConv2D",
          "QuantizedMatMul",
          "QuantizedConv2DWithBiasAndReluAndRequantize",
          "QuantizedMatMulWithBiasAndReluAndRequantize",
          "QuantizedMatMulWithBiasAndRequantize",
          "QuantizedMatMulWithBiasAndDequantize",
          "QuantizedBiasAdd",
          "QuantizedRelu",
          "QuantizedRelu6",
          "QuantizedMaxPool",
          "QuantizedAvgPool",
          "QuantizedReshape",
          "QuantizedConcat",
          "QuantizedAdd",
          "QuantizedMul",
          "RequantizationRange",
          "Requantize");

  /**
   * Each of those, as TensorFlow's own op registry defines it, is an op Millrace runs (itself, or
   * today's version: {@link GraphImporter#runAs}) with TensorFlow's input names, every attribute
   * TensorFlow may write (of the same kind), and a default wherever TensorFlow has one for an
   * attribute no input gives, so that graphs written before the attribute existed import too.
   */
  @Test
  void everyImportedOpHasTensorFlowsInputsAndAttributes() {
    Map<String, org.tensorflow.proto.OpDef> tf = new java.util.HashMap<>();
    for (org.tensorflow.proto.OpDef d : org.tensorflow.TensorFlow.registeredOpList().getOpList()) {
      tf.put(d.getName(), d);
    }
    dev.millrace.graph.OpRegistry registry = dev.millrace.graph.OpRegistry.global();
    List<String> problems = new java.util.ArrayList<>();
    for (String type : IMPORTED) {
      org.tensorflow.proto.OpDef want = tf.get(type);
      var def = registry.lookup(GraphImporter.runAs(type));
      if (want == null || def.isEmpty()) {
        problems.add(type + (want == null ? ": not in TensorFlow's registry" : ": not registered"));
        continue;
      }
      List<String> inputs =
          want.getInputArgList().stream().map(org.tensorflow.proto.OpDef.ArgDef::getName).toList();
      List<String> ours =
          def.get().inputs().stream().map(dev.millrace.graph.spi.ArgDef::name).toList();
      if (!inputs.equals(ours)) {
        problems.add(type + ": inputs " + ours + ", TensorFlow's " + inputs);
      }
      java.util.Set<String> inferred = new java.util.HashSet<>();
      for (var arg : want.getInputArgList()) {
        inferred.addAll(List.of(arg.getTypeAttr(), arg.getNumberAttr(), arg.getTypeListAttr()));
      }
      for (org.tensorflow.proto.OpDef.AttrDef a : want.getAttrList()) {
        var mine = def.get().attrs().get(a.getName());
        if (mine == null) {
          problems.add(type + ": no attribute " + a.getName());
        } else if (!mine.type().tensorflowName().equals(a.getType())) {
          problems.add(
              type
                  + ": attribute "
                  + a.getName()
                  + " is "
                  + mine.type().tensorflowName()
                  + ", TensorFlow's "
                  + a.getType());
        } else if (a.hasDefaultValue() && mine.isRequired() && !inferred.contains(a.getName())) {
          problems.add(type + ": attribute " + a.getName() + " has no default, TensorFlow's has");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void identityNPassesEachTensorThrough() throws Exception {
    try (TfCase c = new TfCase()) {
      Random rnd = new Random(1);
      Output<?> x = c.placeholder("x", floats(rnd, -1, 1, 2, 3), false);
      Output<?> n = c.constant("n", Tensor.ofInts(Shape.of(3), 7, -8, 9));
      c.op("IdentityN", "id", (Object) new Output<?>[] {x, n, x});
      c.op("Neg", "neg", c.graph.operation("id").output(2));
      String[] fetch = {"id:0", "id:1", "neg"};
      List<Tensor> tf = c.runTensorFlow(fetch);
      List<Tensor> millrace = c.runMillrace(fetch);
      for (int i = 0; i < fetch.length; i++) {
        assertExactly(millrace.get(i), tf.get(i), fetch[i]);
      }
    }
  }

  /**
   * Elu and EluGrad in the reference and the fast kernels. TensorFlow computes {@code e^x - 1} in
   * float, which cancels near zero: the tolerance there is 2 ulps of 1 ({@code 2.4e-7}).
   */
  @Test
  void eluAndEluGradAgreeWithTensorFlow() throws Exception {
    Random rnd = new Random(2);
    Tensor x = floats(rnd, -6, 6, 1031);
    float[] v = x.toFloatArray();
    float[] special = {0f, -0f, -1e-8f, 1e-8f, -1e-3f, -20f, -90f, 88f, Float.NaN, -1f};
    System.arraycopy(special, 0, v, 0, special.length);
    x = Tensor.ofFloats(x.shape(), v);
    Tensor g = floats(rnd, -2, 2, 1031);
    try (TfCase c = new TfCase()) {
      Output<?> in = c.placeholder("x", x, true);
      c.op("Elu", "elu", in);
      // EluGrad reads the same outputs in both (its own Elu's would differ by a rounding, which
      // y + 1 amplifies where y nears -1).
      float[] y = new float[v.length];
      for (int i = 0; i < y.length; i++) {
        y[i] = v[i] < 0 ? (float) Math.expm1(v[i]) : v[i];
      }
      c.op(
          "EluGrad",
          "grad",
          c.constant("g", g),
          c.placeholder("y", Tensor.ofFloats(x.shape(), y), true));
      List<Tensor> tf = c.runTensorFlow("elu", "grad");
      for (var kernels : new dev.millrace.kernels.Kernels[] {null, new ReferenceKernels()}) {
        String which = kernels == null ? "fast" : "reference";
        List<Tensor> millrace = c.runMillrace(kernels, "elu", "grad");
        assertClose(millrace.get(0), tf.get(0), 1e-6, 2.4e-7, null, "Elu " + which);
        assertClose(millrace.get(1), tf.get(1), 1e-6, 1e-30, null, "EluGrad " + which);
      }
    }
  }

  /**
   * The first batch norm, with and without the scale. TensorFlow refuses to build it in a graph of
   * today's version, so the graph is written as TensorFlow wrote it before the op was deprecated
   * (GraphDef version 8). The tolerance is relative to the terms ({@code |t - m| * |factor| +
   * |beta|}), which the result may cancel.
   */
  @Test
  void batchNormWithGlobalNormalizationAgreesWithTensorFlow() throws Exception {
    Random rnd = new Random(3);
    Tensor t = floats(rnd, -3, 3, 2, 3, 4, 5);
    Tensor m = floats(rnd, -1, 1, 5);
    Tensor var = floats(rnd, 0.01, 2, 5);
    Tensor beta = floats(rnd, -1, 1, 5);
    Tensor gamma = floats(rnd, -2, 2, 5);
    try (TfCase c = new TfCase()) {
      Output<?> in = c.placeholder("t", t, true);
      assertThatThrownBy(
              () ->
                  c.op(
                      "BatchNormWithGlobalNormalization",
                      "bn",
                      b ->
                          b.setAttr("variance_epsilon", 1e-3f)
                              .setAttr("scale_after_normalization", true),
                      in,
                      in,
                      in,
                      in,
                      in))
          .hasMessageContaining("It has been removed in version 9");
    }
    for (boolean scale : new boolean[] {true, false}) {
      GraphDef g =
          GraphDef.newBuilder()
              .setVersions(VersionDef.newBuilder().setProducer(8))
              .addNode(placeholder("t"))
              .addNode(constant("m", m))
              .addNode(constant("v", var))
              .addNode(constant("beta", beta))
              .addNode(constant("gamma", gamma))
              .addNode(
                  NodeDef.newBuilder()
                      .setName("bn")
                      .setOp("BatchNormWithGlobalNormalization")
                      .addAllInput(List.of("t", "m", "v", "beta", "gamma"))
                      .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
                      .putAttr("variance_epsilon", AttrValue.newBuilder().setF(1e-3f).build())
                      .putAttr(
                          "scale_after_normalization", AttrValue.newBuilder().setB(scale).build()))
              .build();
      Tensor tf = runTensorFlow(g, "t", t, "bn");
      Tensor millrace = runMillrace(g, "t", t, "bn");
      double[] terms = new double[(int) t.size()];
      for (int i = 0; i < terms.length; i++) {
        int ch = i % 5;
        double factor = 1 / Math.sqrt(var.getFloat(ch) + 1e-3) * (scale ? gamma.getFloat(ch) : 1);
        terms[i] =
            Math.abs(t.getFloat(i) - m.getFloat(ch)) * Math.abs(factor)
                + Math.abs(beta.getFloat(ch));
      }
      assertClose(millrace, tf, 1e-6, 0, terms, "scale_after_normalization=" + scale);
    }
  }

  /** PlaceholderV2, which TensorFlow wrote for a few releases (GraphDef versions before 23). */
  @Test
  void placeholderV2FeedsAsInTensorFlow() throws Exception {
    GraphDef g =
        GraphDef.newBuilder()
            .setVersions(VersionDef.newBuilder().setProducer(22))
            .addNode(
                NodeDef.newBuilder()
                    .setName("t")
                    .setOp("PlaceholderV2")
                    .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
                    .putAttr(
                        "shape",
                        AttrValue.newBuilder()
                            .setShape(TensorValues.shapeProto(Shape.of(-1, 2)))
                            .build()))
            .addNode(
                NodeDef.newBuilder()
                    .setName("neg")
                    .setOp("Neg")
                    .addInput("t")
                    .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build()))
            .build();
    Tensor t = Tensor.ofFloats(Shape.of(3, 2), 1, -2, 3, -4, 5, -6);
    assertExactly(runMillrace(g, "t", t, "neg"), runTensorFlow(g, "t", t, "neg"), "PlaceholderV2");
  }

  private static NodeDef placeholder(String name) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Placeholder")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .build();
  }

  private static NodeDef constant(String name, Tensor value) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(TensorValues.toProto(value)).build())
        .build();
  }

  /** {@code fetch} of {@code g} run by TensorFlow, {@code feed} fed with {@code value}. */
  private static Tensor runTensorFlow(GraphDef g, String feed, Tensor value, String fetch)
      throws Exception {
    try (org.tensorflow.Graph graph = new org.tensorflow.Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (org.tensorflow.Session session = TfSessions.open(graph, 1);
          TFloat32 in =
              TFloat32.tensorOf(
                  org.tensorflow.ndarray.Shape.of(value.shape().dims()),
                  DataBuffers.of(value.toFloatArray(), true, false));
          Result r = session.runner().feed(feed, in).fetch(fetch).run()) {
        float[] out = new float[(int) r.get(0).shape().size()];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
        return Tensor.ofFloats(Shape.of(r.get(0).shape().asArray()), out);
      }
    }
  }

  private static Tensor runMillrace(GraphDef g, String feed, Tensor value, String fetch)
      throws Exception {
    try (dev.millrace.graph.Graph graph = GraphImporter.withBuiltins().importGraph(g, "old.pb");
        dev.millrace.graph.Session s = new dev.millrace.graph.Session(graph);
        dev.millrace.graph.Session.Result r =
            s.runner().feed(feed + ":0", value).fetch(fetch + ":0").run()) {
      return r.get(0).copy();
    }
  }

  @Test
  void biasAddV1ConcatPadV2AndDivAgreeWithTensorFlow() throws Exception {
    Random rnd = new Random(4);
    try (TfCase c = new TfCase()) {
      Output<?> x4 = c.placeholder("x4", floats(rnd, -1, 1, 2, 3, 4, 5), true);
      Output<?> x2 = c.placeholder("x2", floats(rnd, -1, 1, 3, 5), false);
      Output<?> bias = c.constant("bias", floats(rnd, -1, 1, 5));
      c.op("BiasAddV1", "ba4", x4, bias);
      c.op("BiasAddV1", "ba2", x2, bias);
      Output<?> a = c.constant("a", floats(rnd, -1, 1, 2, 3));
      Output<?> b = c.constant("b", floats(rnd, -1, 1, 2, 1));
      Output<?> d = c.constant("d", floats(rnd, -1, 1, 2, 4));
      Output<?>[] parts = {a, b, d};
      c.op("Concat", "concat", c.constant("axis", Tensor.ofInts(Shape.scalar(), -1)), parts);
      c.op(
          "Concat",
          "concat0",
          c.constant("axis0", Tensor.ofInts(Shape.scalar(), 0)),
          (Object) new Output<?>[] {a, a});
      Output<?> p = c.constant("p", Tensor.ofInts(Shape.of(2, 2), 1, 2, 0, 3));
      c.op("PadV2", "padf", a, p, c.constant("fill", Tensor.scalar(-2.5f)));
      Output<?> ints =
          c.placeholder("ints", Tensor.ofInts(Shape.of(2, 3), -7, 7, -8, 9, 0, -1), true);
      c.op("PadV2", "padi", ints, p, c.constant("filli", Tensor.ofInts(Shape.scalar(), 42)));
      Output<?> den = c.constant("den", Tensor.ofInts(Shape.of(3), 2, -2, 3));
      c.op("Div", "divi", ints, den);
      c.op("Div", "divf", a, c.constant("denf", floats(rnd, 0.5, 2, 3)));
      String[] exact = {"ba4", "ba2", "concat", "concat0", "padf", "padi", "divi"};
      List<Tensor> tf = c.runTensorFlow(exact);
      List<Tensor> millrace = c.runMillrace(exact);
      for (int i = 0; i < exact.length; i++) {
        assertExactly(millrace.get(i), tf.get(i), exact[i]);
      }
      assertClose(
          c.runMillrace("divf").get(0), c.runTensorFlow("divf").get(0), 1e-6, 0, null, "divf");
    }
  }

  /**
   * MaxPoolV2 with its window and strides as constant inputs: NHWC against TensorFlow directly,
   * NCHW (which TensorFlow's CPU kernel refuses) against TensorFlow's NHWC result transposed.
   */
  @Test
  void maxPoolV2AgreesWithTensorFlowInBothFormats() throws Exception {
    Random rnd = new Random(5);
    Tensor x = floats(rnd, -1, 1, 2, 7, 6, 3);
    for (String padding : List.of("SAME", "VALID")) {
      Tensor nhwc;
      try (TfCase c = new TfCase()) {
        c.op(
            "MaxPoolV2",
            "pool",
            b -> b.setAttr("padding", padding),
            c.placeholder("x", x, true),
            c.constant("k", Tensor.ofInts(Shape.of(4), 1, 2, 3, 1)),
            c.constant("s", Tensor.ofInts(Shape.of(4), 1, 2, 1, 1)));
        Tensor tf = c.runTensorFlow("pool").get(0);
        nhwc = c.runMillrace("pool").get(0);
        assertExactly(nhwc, tf, padding + " NHWC");
      }
      try (TfCase c = new TfCase()) {
        Output<?> perm = c.constant("perm", Tensor.ofInts(Shape.of(4), 0, 3, 1, 2));
        Output<?> nchw = c.op("Transpose", "nchw", c.placeholder("x", x, true), perm).output(0);
        c.op(
            "MaxPoolV2",
            "pool",
            b -> b.setAttr("padding", padding).setAttr("data_format", "NCHW"),
            nchw,
            c.constant("k", Tensor.ofInts(Shape.of(4), 1, 1, 2, 3)),
            c.constant("s", Tensor.ofInts(Shape.of(4), 1, 1, 2, 1)));
        c.op(
            "Transpose",
            "back",
            c.graph.operation("pool").output(0),
            c.constant("perm2", Tensor.ofInts(Shape.of(4), 0, 2, 3, 1)));
        assertExactly(c.runMillrace("back").get(0), nhwc, padding + " NCHW");
      }
    }
  }

  @Test
  void checkNumericsV2PassesFiniteValuesAndStopsOnNan() throws Exception {
    try (TfCase c = new TfCase()) {
      c.op(
          "CheckNumericsV2",
          "check",
          b -> b.setAttr("message", "bad"),
          c.placeholder("x", Tensor.ofFloats(Shape.of(3), 1, -2, 3), true));
      assertExactly(c.runMillrace("check").get(0), c.runTensorFlow("check").get(0), "finite");
    }
    try (TfCase c = new TfCase()) {
      c.op(
          "CheckNumericsV2",
          "check",
          b -> b.setAttr("message", "bad"),
          c.placeholder("x", Tensor.ofFloats(Shape.of(2), 1, Float.NaN), true));
      assertThatThrownBy(() -> c.runTensorFlow("check")).hasMessageContaining("bad");
      assertThatThrownBy(() -> c.runMillrace("check")).hasMessageContaining("bad");
    }
  }

  static LongStream sliceSeeds() {
    return LongStream.range(0, 400);
  }

  /**
   * A random StridedSlice ({@link RandomSlice}) in TensorFlow and in Millrace: both refuse it (when
   * the graph is built or when it runs), or both give the same shape and elements; Millrace's
   * inferred shape is the run's where the bounds are constant and the input's shape known; and
   * StridedSliceGrad of the same slice scatters the same values.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("sliceSeeds")
  void stridedSliceAgreesWithTensorFlow(long seed) throws Exception {
    RandomSlice k = RandomSlice.of(seed);
    Tensor x = k.input();
    Tensor tf = null;
    RuntimeException tfError = null;
    try (TfCase c = new TfCase()) {
      Output<?> in = c.placeholder("x", x, k.knownShape());
      Output<?>[] bounds = bounds(c, k, "");
      try {
        c.op("StridedSlice", "s", b -> setMasks(b, k.masks()), in, bounds[0], bounds[1], bounds[2]);
      } catch (RuntimeException e) {
        tfError = e;
      }
      if (tfError != null) {
        assertMillraceRefusesToBuild(k, x);
        sliceOutcomes[1]++;
        return;
      }
      try {
        tf = c.runTensorFlow("s").get(0);
      } catch (RuntimeException e) {
        tfError = e;
      }
      Tensor millrace = null;
      Exception millraceError = null;
      try {
        millrace = c.runMillrace("s").get(0);
      } catch (java.io.IOException | dev.millrace.graph.OpExecutionException e) {
        millraceError = e;
      }
      if (tfError != null) {
        assertThat(millraceError)
            .as(
                "%s: TensorFlow refuses it when it runs (%s), Millrace gave %s",
                k, tfError.getMessage(), millrace)
            .isNotNull();
        sliceOutcomes[2]++;
        return;
      }
      assertThat(millraceError).as("%s: TensorFlow gives %s", k, tf).isNull();
      assertExactly(millrace, tf, k.toString());
      if (k.constantBounds() && k.knownShape()) {
        try (dev.millrace.graph.Graph g =
            GraphImporter.withBuiltins().importGraph(c.graphDef(), "tensorflow.pb")) {
          assertThat(g.requireOperation("s").outputShape(0))
              .as("%s: inferred shape", k)
              .isEqualTo(tf.shape());
        }
      }
    }
    sliceOutcomes[0]++;
    assertGradientAgrees(k, tf.shape());
  }

  /** How many random slices both ran, both refused when built, both refused when run. */
  private static final int[] sliceOutcomes = new int[3];

  @org.junit.jupiter.api.AfterAll
  static void mostRandomSlicesRunAndSomeAreRefused() {
    if (sliceOutcomes[0] + sliceOutcomes[1] + sliceOutcomes[2] == sliceSeeds().count()) {
      assertThat(sliceOutcomes[0]).as("slices that ran").isGreaterThan(200);
      assertThat(sliceOutcomes[1] + sliceOutcomes[2]).as("slices refused").isGreaterThan(20);
    }
  }

  private static Output<?>[] bounds(TfCase c, RandomSlice k, String suffix) {
    long[][] v = {k.begin(), k.end(), k.strides()};
    String[] names = {"begin", "end", "strides"};
    Output<?>[] out = new Output<?>[3];
    for (int i = 0; i < 3; i++) {
      out[i] =
          k.constantBounds()
              ? c.constant(names[i] + suffix, k.bound(v[i]))
              : c.placeholder(names[i] + suffix, k.bound(v[i]), true);
    }
    return out;
  }

  private static void setMasks(org.tensorflow.OperationBuilder b, int[] masks) {
    for (int i = 0; i < masks.length; i++) {
      b.setAttr(RandomSlice.MASKS[i], masks[i]);
    }
  }

  /** What TensorFlow refuses to build, Millrace refuses to build. */
  private static void assertMillraceRefusesToBuild(RandomSlice k, Tensor x) {
    try (dev.millrace.graph.Graph g = new dev.millrace.graph.Graph()) {
      dev.millrace.graph.Ops m = dev.millrace.graph.Ops.on(g);
      var in =
          k.knownShape()
              ? m.placeholder(dev.millrace.graph.types.Types.FLOAT32, x.shape())
              : m.placeholder(dev.millrace.graph.types.Types.FLOAT32);
      Map<String, dev.millrace.graph.AttrValue> masks = new java.util.HashMap<>();
      for (int i = 0; i < 5; i++) {
        masks.put(RandomSlice.MASKS[i], dev.millrace.graph.AttrValue.of((long) k.masks()[i]));
      }
      assertThatThrownBy(
              () ->
                  m.op(
                      "StridedSlice",
                      List.of(
                          in,
                          m.constant(k.bound(k.begin())),
                          m.constant(k.bound(k.end())),
                          m.constant(k.bound(k.strides()))),
                      masks))
          .as("%s: TensorFlow refuses to build it", k)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** StridedSliceGrad of the same slice, {@code dy} of the slice's shape: the same scatter. */
  private static void assertGradientAgrees(RandomSlice k, Shape sliced) throws Exception {
    Random rnd = new Random(~k.dims().length);
    try (TfCase c = new TfCase()) {
      Output<?>[] bounds = bounds(c, k, "");
      c.op(
          "StridedSliceGrad",
          "grad",
          b -> setMasks(b, k.masks()),
          c.constant("shape", k.bound(k.dims())),
          bounds[0],
          bounds[1],
          bounds[2],
          c.placeholder("dy", floats(rnd, -1, 1, sliced.dims()), k.knownShape()));
      assertExactly(
          c.runMillrace("grad").get(0), c.runTensorFlow("grad").get(0), "gradient of " + k);
    }
  }
}
