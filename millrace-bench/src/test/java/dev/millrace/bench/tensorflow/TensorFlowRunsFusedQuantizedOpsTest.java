package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.GraphImporter;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.graphdef.proto.TensorShapeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's fused eight-bit layer ops (its oneDNN kernels) against Millrace's on the same
 * GraphDef with random codes, filters, ranges and biases: QUINT8 codes within 1 of TensorFlow's on
 * every element (the share of exact matches is printed), the freezed range returned as the output
 * range, and for QuantizedMatMulWithBiasAndDequantize floats within one output step.
 */
@Tag("tensorflow")
class TensorFlowRunsFusedQuantizedOpsTest {
  private static final String CONV = "QuantizedConv2DWithBiasAndReluAndRequantize";

  @ParameterizedTest(name = "seed={0} {1} stride={2} perChannel={3}")
  @CsvSource({
    "1, SAME, 1, true",
    "2, VALID, 1, true",
    "3, SAME, 2, false",
    "4, VALID, 2, true",
    "5, SAME, 1, false",
  })
  void convolutionCodesWithinOneOfTensorFlows(
      long seed, String padding, int stride, boolean perChannel) throws Exception {
    Random rnd = new Random(seed);
    int batch = 2;
    int h = 9;
    int w = 11;
    int ic = 5;
    int oc = 7;
    Layer l = Layer.random(rnd, batch * h * w * ic, 3 * 3 * ic * oc, oc, perChannel);
    GraphDef.Builder g = l.constants(new long[] {batch, h, w, ic}, new long[] {3, 3, ic, oc});
    g.addNode(
        l.op(CONV, "Tinput", "Tfilter", "out_type", DataType.DT_QUINT8)
            .putAttr("strides", ints(1, stride, stride, 1))
            .putAttr("padding", string(padding)));
    // Freezed range: [0, the largest real result · 0.8], so that some codes clamp at 255.
    compareCodes(g, l, CONV, 0f, 0.8f);
  }

  @ParameterizedTest(name = "{0} seed={1}")
  @CsvSource({
    "QuantizedMatMulWithBiasAndReluAndRequantize, 1",
    "QuantizedMatMulWithBiasAndReluAndRequantize, 2",
    "QuantizedMatMulWithBiasAndRequantize, 3",
    "QuantizedMatMulWithBiasAndRequantize, 4",
  })
  void matMulCodesWithinOneOfTensorFlows(String op, long seed) throws Exception {
    // TensorFlow's oneDNN kernel cannot run transpose_b (no inner-product primitive for it).
    boolean transposeB = false;
    Random rnd = new Random(seed);
    int m = 13;
    int k = 37;
    int n = 19;
    Layer l = Layer.random(rnd, m * k, k * n, n, false);
    GraphDef.Builder g =
        l.constants(new long[] {m, k}, transposeB ? new long[] {n, k} : new long[] {k, n});
    g.addNode(
        l.op(op, "T1", "T2", "Toutput", DataType.DT_QUINT8)
            .putAttr("transpose_b", AttrValue.newBuilder().setB(transposeB).build()));
    compareCodes(g, l, op, 0f, 0.8f);
  }

  @ParameterizedTest(name = "seed={0}")
  @CsvSource({"1", "2"})
  void dequantizedMatMulWithinOneOutputStepOfTensorFlows(long seed) throws Exception {
    boolean transposeB = false;
    String op = "QuantizedMatMulWithBiasAndDequantize";
    Random rnd = new Random(seed);
    int m = 9;
    int k = 45;
    int n = 21;
    Layer l = Layer.random(rnd, m * k, k * n, n, false);
    GraphDef.Builder g =
        l.constants(new long[] {m, k}, transposeB ? new long[] {n, k} : new long[] {k, n});
    g.addNode(GraphDefNodes.floatScalar("out_min", -1f))
        .addNode(GraphDefNodes.floatScalar("out_max", 1f))
        .addNode(
            l.op(op, "T1", "T2", "Toutput", DataType.DT_FLOAT)
                .putAttr("transpose_b", AttrValue.newBuilder().setB(transposeB).build()));
    GraphDef graph = g.build();
    float[] millrace = millrace(graph, "y:0").get(0);
    float[] tf = tensorFlow(graph, "y").get(0);
    // One step of the input's and filter's codes times the largest filter value: far above
    // float round-off, well below any real error (a wrong zero point or scale moves results by
    // whole steps of the output).
    float step = l.outputStep();
    int exact = 0;
    float worst = 0;
    for (int i = 0; i < tf.length; i++) {
      float d = Math.abs(tf[i] - millrace[i]);
      worst = Math.max(worst, d);
      exact += d <= Math.ulp(tf[i]) * 4 ? 1 : 0;
    }
    System.out.printf(
        "%s: %d of %d within 4 ulps, worst difference %.3g (output step %.3g)%n",
        op, exact, tf.length, worst, step);
    assertThat(worst).isLessThanOrEqualTo(step);
  }

  /**
   * An input range with min below 0 (a zero code of 64, not 0): Millrace reads the codes as
   * TensorFlow's Dequantize does ({@code x = min + q · step}, min rounded to whole steps) and its
   * results equal that math's within float round-off. What TensorFlow's kernel returns is printed
   * beside it: it is not asserted (see the class comment of the op in Millrace).
   */
  @ParameterizedTest(name = "seed={0}")
  @CsvSource({"1", "2"})
  void negativeInputMinIsReadWithItsZeroCode(long seed) throws Exception {
    String op = "QuantizedMatMulWithBiasAndDequantize";
    Random rnd = new Random(seed);
    int m = 9;
    int k = 45;
    int n = 21;
    Layer l = Layer.random(rnd, m * k, k * n, n, false).withInputRange(-0.5f, 1.5f);
    GraphDef.Builder g = l.constants(new long[] {m, k}, new long[] {k, n});
    g.addNode(GraphDefNodes.floatScalar("out_min", -1f))
        .addNode(GraphDefNodes.floatScalar("out_max", 1f))
        .addNode(l.op(op, "T1", "T2", "Toutput", DataType.DT_FLOAT));
    GraphDef graph = g.build();
    float[] millrace = millrace(graph, "y:0").get(0);
    float[] tf = tensorFlow(graph, "y").get(0);
    double[] exact = l.matMul(m, k, n);
    double worstMillrace = 0;
    double worstTf = 0;
    for (int i = 0; i < exact.length; i++) {
      worstMillrace = Math.max(worstMillrace, Math.abs(millrace[i] - exact[i]));
      worstTf = Math.max(worstTf, Math.abs(tf[i] - exact[i]));
    }
    System.out.printf(
        "%s, input range [-0.5, 1.5]: worst difference from the exact result: Millrace %.3g,"
            + " TensorFlow %.3g (output step %.3g)%n",
        op, worstMillrace, worstTf, l.outputStep());
    assertThat(worstMillrace).isLessThan(1e-4);
  }

  private static void compareCodes(
      GraphDef.Builder g, Layer l, String op, float minFraction, float maxFraction)
      throws Exception {
    float outMax = l.largestResult() * maxFraction;
    float outMin = minFraction * outMax;
    g.addNode(GraphDefNodes.floatScalar("out_min", outMin))
        .addNode(GraphDefNodes.floatScalar("out_max", outMax))
        // Codes come back as floats through a Dequantize whose step is exactly 1.
        .addNode(GraphDefNodes.floatScalar("zero", 0))
        .addNode(GraphDefNodes.floatScalar("steps", 255))
        .addNode(
            NodeDef.newBuilder()
                .setName("codes")
                .setOp("Dequantize")
                .addInput("y")
                .addInput("zero")
                .addInput("steps")
                .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_QUINT8).build())
                .putAttr("mode", string("MIN_COMBINED")));
    GraphDef graph = g.build();
    List<float[]> millrace = millrace(graph, "codes:0", "y:1", "y:2");
    List<float[]> tf = tensorFlow(graph, "codes", "y:1", "y:2");
    assertThat(millrace.get(1)).as("min_output").containsExactly(tf.get(1));
    assertThat(millrace.get(2)).as("max_output").containsExactly(tf.get(2));
    float[] a = millrace.get(0);
    float[] b = tf.get(0);
    assertThat(a).hasSameSizeAs(b);
    int exact = 0;
    List<String> off = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      exact += a[i] == b[i] ? 1 : 0;
      if (Math.abs(a[i] - b[i]) > 1) {
        off.add(i + ": millrace " + a[i] + " tf " + b[i]);
      }
    }
    System.out.printf(
        "%s: %d of %d codes equal TensorFlow's (%.2f %%)%n",
        op, exact, a.length, 100.0 * exact / a.length);
    assertThat(off).as("codes more than 1 from TensorFlow's").isEmpty();
  }

  /**
   * A layer's random constants: input codes in [0, 2] (MIN_FIRST, min 0), QINT8 filter codes with a
   * symmetric range per output channel (or one), a float bias.
   */
  private record Layer(
      byte[] input,
      byte[] filter,
      float minInput,
      float maxInput,
      float[] filterMax,
      float[] bias) {
    Layer withInputRange(float min, float max) {
      return new Layer(input, filter, min, max, filterMax, bias);
    }

    /** {@code a · b + bias} in double, from the codes' real values. */
    double[] matMul(int m, int k, int n) {
      double[] y = new double[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double sum = bias[j];
          for (int p = 0; p < k; p++) {
            double x =
                dev.millrace.kernels.QuantizedRange.toFloat(
                    input[i * k + p] & 0xff, minInput, maxInput, dev.millrace.tensor.DType.QUINT8);
            double w = filter[p * n + j] * (double) filterMax[filterMax.length == 1 ? 0 : j] / 127;
            sum += x * w;
          }
          y[i * n + j] = sum;
        }
      }
      return y;
    }

    static Layer random(
        Random rnd, int inputSize, int filterSize, int channels, boolean perChannel) {
      byte[] x = new byte[inputSize];
      rnd.nextBytes(x);
      byte[] f = new byte[filterSize];
      for (int i = 0; i < f.length; i++) {
        f[i] = (byte) rnd.nextInt(-127, 128);
      }
      float[] fmax = new float[perChannel ? channels : 1];
      for (int c = 0; c < fmax.length; c++) {
        fmax[c] = 0.1f + rnd.nextFloat() * 0.5f;
      }
      float[] bias = new float[channels];
      for (int c = 0; c < channels; c++) {
        bias[c] = rnd.nextFloat() * 2 - 0.7f;
      }
      return new Layer(x, f, 0f, 2f, fmax, bias);
    }

    /** A bound on the real results, for the freezed range: every product at its largest. */
    float largestResult() {
      float w = 0;
      for (float v : filterMax) {
        w = Math.max(w, v);
      }
      return maxInput * w * filter.length / bias.length / 8f;
    }

    float outputStep() {
      return largestResult() / 255f;
    }

    GraphDef.Builder constants(long[] inputShape, long[] filterShape) {
      GraphDef.Builder g = GraphDef.newBuilder();
      g.addNode(codes("x", DataType.DT_QUINT8, input, inputShape));
      g.addNode(codes("w", DataType.DT_QINT8, filter, filterShape));
      g.addNode(GraphDefNodes.floatVector("bias", bias));
      g.addNode(GraphDefNodes.floatScalar("x_min", minInput));
      g.addNode(GraphDefNodes.floatScalar("x_max", maxInput));
      float[] neg = new float[filterMax.length];
      for (int c = 0; c < neg.length; c++) {
        neg[c] = -filterMax[c] * 0.9f; // the larger magnitude decides the step
      }
      if (filterMax.length == 1) {
        g.addNode(GraphDefNodes.floatScalar("w_min", neg[0]));
        g.addNode(GraphDefNodes.floatScalar("w_max", filterMax[0]));
      } else {
        g.addNode(GraphDefNodes.floatVector("w_min", neg));
        g.addNode(GraphDefNodes.floatVector("w_max", filterMax));
      }
      return g;
    }

    NodeDef.Builder op(String type, String xType, String wType, String outAttr, DataType out) {
      return NodeDef.newBuilder()
          .setName("y")
          .setOp(type)
          .addInput("x")
          .addInput("w")
          .addInput("bias")
          .addInput("x_min")
          .addInput("x_max")
          .addInput("w_min")
          .addInput("w_max")
          .addInput("out_min")
          .addInput("out_max")
          .putAttr(xType, type(DataType.DT_QUINT8))
          .putAttr(wType, type(DataType.DT_QINT8))
          .putAttr("Tbias", type(DataType.DT_FLOAT))
          .putAttr(outAttr, type(out));
    }
  }

  private static NodeDef codes(String name, DataType t, byte[] v, long[] shape) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : shape) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    TensorProto p =
        TensorProto.newBuilder()
            .setDtype(t)
            .setTensorShape(s)
            .setTensorContent(ByteString.copyFrom(v))
            .build();
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", type(t))
        .putAttr("value", AttrValue.newBuilder().setTensor(p).build())
        .build();
  }

  private static List<float[]> millrace(GraphDef g, String... fetches) throws Exception {
    List<float[]> out = new ArrayList<>();
    try (var graph = GraphImporter.withBuiltins().importGraph(g, "fused");
        var session = new dev.millrace.graph.Session(graph)) {
      var runner = session.runner();
      for (String f : fetches) {
        runner.fetch(f);
      }
      try (var result = runner.run()) {
        for (int i = 0; i < fetches.length; i++) {
          out.add(result.get(i).toFloatArray());
        }
      }
    }
    return out;
  }

  private static List<float[]> tensorFlow(GraphDef g, String... fetches) throws Exception {
    List<float[]> out = new ArrayList<>();
    try (Graph graph = new Graph()) {
      graph.importGraphDef(org.tensorflow.proto.GraphDef.parseFrom(g.toByteArray()));
      try (Session session = TfSessions.open(graph, 1)) {
        var runner = session.runner();
        for (String f : fetches) {
          runner.fetch(f);
        }
        try (Result result = runner.run()) {
          for (int i = 0; i < fetches.length; i++) {
            TFloat32 t = (TFloat32) result.get(i);
            float[] v = new float[(int) t.size()];
            t.asRawTensor().data().asFloats().read(v);
            out.add(v);
          }
        }
      }
    }
    return out;
  }

  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  private static AttrValue string(String s) {
    return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build();
  }

  private static AttrValue ints(long... v) {
    AttrValue.ListValue.Builder l = AttrValue.ListValue.newBuilder();
    for (long x : v) {
      l.addI(x);
    }
    return AttrValue.newBuilder().setList(l).build();
  }
}
