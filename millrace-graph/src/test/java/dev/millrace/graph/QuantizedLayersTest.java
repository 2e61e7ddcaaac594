package dev.millrace.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.kernels.QuantizedRange;
import dev.millrace.kernels.ReferenceKernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TensorFlow's fused eight-bit layer ops against the same math in double: real input {@code x = min
 * + q · step} (QuantizedRange.toFloat), a QINT8 filter {@code w = q · max(|min_c|, |max_c|) / 127}
 * per output channel (or one range), {@code y = x ⊛ w + bias}, a ReLU where the op has one, then
 * the QUINT8 code of {@code y} in the freezed range. Codes are within 1 of that math's rounding on
 * every element, with the fast kernels and the reference ones; bad inputs fail with one line.
 */
class QuantizedLayersTest {
  private static final String CONV = "QuantizedConv2DWithBiasAndReluAndRequantize";

  static Stream<Arguments> convCases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 0;
    for (String padding : List.of("SAME", "VALID")) {
      for (int stride : new int[] {1, 2}) {
        for (boolean perChannel : new boolean[] {true, false}) {
          cases.add(Arguments.of(seed++, padding, stride, perChannel));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "seed={0} {1} stride={2} perChannel={3}")
  @MethodSource("convCases")
  void convolutionCodesAreTheRealResultsCodesWithinOne(
      long seed, String padding, int stride, boolean perChannel) {
    Random rnd = new Random(seed);
    int n = 2, h = 7, w = 10, ic = 3, oc = 9, k = 3;
    Layer l = Layer.random(rnd, n * h * w * ic, k * k * ic * oc, oc, perChannel, -0.25f);
    Shape xs = Shape.of(n, h, w, ic);
    Shape fs = Shape.of(k, k, ic, oc);
    double[] y = l.conv(xs, fs, stride, padding.equals("SAME"));
    float outMax = 0.7f * max(y);
    Map<String, AttrValue> attrs = new HashMap<>(l.types("Tinput", "Tfilter", "out_type"));
    attrs.put("strides", AttrValue.of(1L, stride, stride, 1L));
    attrs.put("padding", AttrValue.of(padding));
    for (boolean fast : new boolean[] {true, false}) {
      Run r = l.run(CONV, xs, fs, 0f, outMax, attrs, fast);
      assertThat(r.min()).isEqualTo(0f);
      assertThat(r.max()).isEqualTo(outMax);
      assertWithinOne(r.codes(), codes(y, 0f, outMax, true));
    }
  }

  @ParameterizedTest(name = "{0} transpose_b={1}")
  @CsvSource({
    "QuantizedMatMulWithBiasAndReluAndRequantize, false, true",
    "QuantizedMatMulWithBiasAndReluAndRequantize, true, false",
    "QuantizedMatMulWithBiasAndRequantize, false, false",
    "QuantizedMatMulWithBiasAndRequantize, true, true",
  })
  void matMulCodesAreTheRealResultsCodesWithinOne(String op, boolean tb, boolean perColumn) {
    Random rnd = new Random(op.length() * 31L + (tb ? 1 : 0));
    int m = 11, k = 29, n = 17;
    Layer l = Layer.random(rnd, m * k, k * n, n, perColumn, -0.5f);
    double[] y = l.matMul(m, k, n, tb);
    boolean relu = op.contains("Relu");
    // Without a ReLU the range reaches below 0, and codes below the code of 0.0 must appear.
    float outMax = 0.8f * max(y);
    float outMin = relu ? 0f : -outMax / 2;
    Map<String, AttrValue> attrs = new HashMap<>(l.types("T1", "T2", "Toutput"));
    attrs.put("transpose_b", AttrValue.of(tb));
    Shape bs = tb ? Shape.of(n, k) : Shape.of(k, n);
    for (boolean fast : new boolean[] {true, false}) {
      Run r = l.run(op, Shape.of(m, k), bs, outMin, outMax, attrs, fast);
      int[] want = codes(y, outMin, outMax, relu);
      assertWithinOne(r.codes(), want);
      int zero = (int) Math.round(-outMin * 255.0 / (outMax - outMin));
      boolean below = false;
      for (int c : r.codes()) {
        below |= c < zero - 1;
      }
      assertThat(below).as("codes below the code of 0.0").isEqualTo(!relu);
    }
  }

  @Test
  void dequantizedMatMulIsTheRealResult() {
    Random rnd = new Random(5);
    int m = 6, k = 33, n = 13;
    Layer l = Layer.random(rnd, m * k, k * n, n, true, -0.5f);
    double[] y = l.matMul(m, k, n, false);
    Map<String, AttrValue> attrs = new HashMap<>(l.types("T1", "T2", "Toutput"));
    attrs.put("Toutput", AttrValue.of(DType.FLOAT32));
    for (boolean fast : new boolean[] {true, false}) {
      Tensor out =
          l.outputs(
                  "QuantizedMatMulWithBiasAndDequantize",
                  Shape.of(m, k),
                  Shape.of(k, n),
                  -1f,
                  1f,
                  attrs,
                  fast)
              .get(0);
      assertThat(out.dtype()).isEqualTo(DType.FLOAT32);
      float[] got = out.toFloatArray();
      for (int i = 0; i < y.length; i++) {
        assertThat((double) got[i])
            .as("element %d", i)
            .isCloseTo(y[i], org.assertj.core.api.Assertions.within(1e-4));
      }
    }
  }

  @Test
  void quint8FilterIsReadWithItsZeroCode() {
    Random rnd = new Random(9);
    int m = 5, k = 21, n = 8;
    Layer l = Layer.random(rnd, m * k, k * n, n, false, 0f);
    byte[] u = new byte[l.filter().length];
    rnd.nextBytes(u);
    Layer q =
        new Layer(
            l.input(),
            u,
            DType.QUINT8,
            l.minInput(),
            l.maxInput(),
            new float[] {-0.3f},
            new float[] {0.5f},
            l.bias());
    double[] y = q.matMul(m, k, n, false);
    float outMax = 0.9f * max(y);
    Map<String, AttrValue> attrs = new HashMap<>(q.types("T1", "T2", "Toutput"));
    Run r =
        q.run(
            "QuantizedMatMulWithBiasAndReluAndRequantize",
            Shape.of(m, k),
            Shape.of(k, n),
            0f,
            outMax,
            attrs,
            true);
    assertWithinOne(r.codes(), codes(y, 0f, outMax, true));
  }

  @Test
  void badInputsFailWithOneLineNamingTheOp() {
    Random rnd = new Random(3);
    Layer l = Layer.random(rnd, 4 * 6, 6 * 5, 5, true, 0f);
    Map<String, AttrValue> attrs = l.types("T1", "T2", "Toutput");
    String op = "QuantizedMatMulWithBiasAndRequantize";
    Layer wrongRanges = l.withFilterRange(new float[] {-1, -1}, new float[] {1, 1});
    assertThatThrownBy(
            () -> wrongRanges.run(op, Shape.of(4, 6), Shape.of(6, 5), 0f, 1f, attrs, true))
        .hasMessageContaining(op)
        .hasMessageContaining(
            "min_filter must be a float32 scalar or a vector of the 5 output channels");
    assertThatThrownBy(() -> l.run(op, Shape.of(4, 6), Shape.of(6, 5), 1f, 1f, attrs, true))
        .hasMessageContaining("the freezed output range [1.0, 1.0] must have min < max");
    Layer quint8 =
        new Layer(
            l.input(), l.filter(), DType.QUINT8, 0f, 2f, l.filterMin(), l.filterMax(), l.bias());
    Map<String, AttrValue> u = new HashMap<>(attrs);
    u.put("T2", AttrValue.of(DType.QUINT8));
    assertThatThrownBy(() -> quint8.run(op, Shape.of(4, 6), Shape.of(6, 5), 0f, 1f, u, true))
        .hasMessageContaining("a quint8 filter takes one range");
    Map<String, AttrValue> conv = new HashMap<>(l.types("Tinput", "Tfilter", "out_type"));
    conv.put("strides", AttrValue.of(1L, 1L, 1L, 1L));
    conv.put("padding", AttrValue.of("VALID"));
    conv.put("padding_list", AttrValue.of(0L, 0L, 1L, 1L, 1L, 1L, 0L, 0L));
    Layer c = Layer.random(rnd, 1 * 3 * 3 * 2, 2 * 5, 5, true, 0f);
    assertThatThrownBy(
            () -> c.run(CONV, Shape.of(1, 3, 3, 2), Shape.of(1, 1, 2, 5), 0f, 1f, conv, true))
        .hasMessageContaining("padding_list");
  }

  @Test
  void qint32BiasIsRefusedWithAClearError() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.on(g);
      Tensor a = Tensor.ofBytes(DType.QUINT8, Shape.of(1, 2), (byte) 1, (byte) 2);
      Tensor b = Tensor.ofBytes(DType.QINT8, Shape.of(2, 1), (byte) 1, (byte) 2);
      Tensor bias = Tensor.ofInts(DType.QINT32, Shape.of(1), 3);
      Map<String, AttrValue> attrs =
          Map.of(
              "T1",
              AttrValue.of(DType.QUINT8),
              "T2",
              AttrValue.of(DType.QINT8),
              "Tbias",
              AttrValue.of(DType.QINT32));
      Output<?> one = tf.constant(1f);
      Output<?> zero = tf.constant(0f);
      Operation y =
          tf.op(
              "QuantizedMatMulWithBiasAndRequantize",
              List.of(
                  tf.constant(a),
                  tf.constant(b),
                  tf.constant(bias),
                  zero,
                  one,
                  zero,
                  one,
                  zero,
                  one),
              attrs);
      assertThatThrownBy(() -> s.runner().fetch(y.output(0)).run().close())
          .hasMessageContaining("a qint32 bias (Tbias) is not supported");
    }
  }

  private static void assertWithinOne(int[] got, int[] want) {
    assertThat(got).hasSameSizeAs(want);
    List<String> off = new ArrayList<>();
    int exact = 0;
    for (int i = 0; i < got.length; i++) {
      exact += got[i] == want[i] ? 1 : 0;
      if (Math.abs(got[i] - want[i]) > 1) {
        off.add(i + ": " + got[i] + " (want " + want[i] + ")");
      }
    }
    assertThat(off).as("codes more than 1 off").isEmpty();
    // Most codes are exact: a systematic error (a wrong zero point, scale or offset) moves many.
    assertThat(exact).isGreaterThan(got.length * 9 / 10);
  }

  /** The QUINT8 codes of {@code y} in {@code [min, max]}, after a ReLU if {@code relu}. */
  private static int[] codes(double[] y, float min, float max, boolean relu) {
    int[] c = new int[y.length];
    for (int i = 0; i < y.length; i++) {
      double v = relu ? Math.max(0, y[i]) : y[i];
      c[i] = (int) Math.clamp(Math.round((v - min) * 255.0 / ((double) max - min)), 0, 255);
    }
    return c;
  }

  private static float max(double[] y) {
    double m = 0;
    for (double v : y) {
      m = Math.max(m, v);
    }
    return (float) m;
  }

  private record Run(int[] codes, float min, float max) {}

  /** A layer's constants: QUINT8 input codes, filter codes of {@code filterType}, ranges, bias. */
  private record Layer(
      byte[] input,
      byte[] filter,
      DType filterType,
      float minInput,
      float maxInput,
      float[] filterMin,
      float[] filterMax,
      float[] bias) {
    static Layer random(
        Random rnd,
        int inputSize,
        int filterSize,
        int channels,
        boolean perChannel,
        float minInput) {
      byte[] x = new byte[inputSize];
      rnd.nextBytes(x);
      byte[] f = new byte[filterSize];
      for (int i = 0; i < f.length; i++) {
        f[i] = (byte) rnd.nextInt(-127, 128);
      }
      int ranges = perChannel ? channels : 1;
      float[] lo = new float[ranges];
      float[] hi = new float[ranges];
      for (int c = 0; c < ranges; c++) {
        hi[c] = 0.1f + rnd.nextFloat();
        lo[c] = -hi[c] * rnd.nextFloat() * 1.5f; // either end may be the larger magnitude
      }
      float[] bias = new float[channels];
      for (int c = 0; c < channels; c++) {
        bias[c] = rnd.nextFloat() * 2 - 1;
      }
      return new Layer(x, f, DType.QINT8, minInput, 2f, lo, hi, bias);
    }

    Layer withFilterRange(float[] lo, float[] hi) {
      return new Layer(input, filter, filterType, minInput, maxInput, lo, hi, bias);
    }

    Map<String, AttrValue> types(String x, String w, String out) {
      return Map.of(
          x,
          AttrValue.of(DType.QUINT8),
          w,
          AttrValue.of(filterType),
          "Tbias",
          AttrValue.of(DType.FLOAT32),
          out,
          AttrValue.of(DType.QUINT8));
    }

    double x(int i) {
      return QuantizedRange.toFloat(input[i] & 0xff, minInput, maxInput, DType.QUINT8);
    }

    double w(int i, int channel) {
      int c = filterMax.length == 1 ? 0 : channel;
      if (filterType == DType.QUINT8) {
        return QuantizedRange.toFloat(filter[i] & 0xff, filterMin[c], filterMax[c], DType.QUINT8);
      }
      return filter[i]
          * Math.max(Math.abs((double) filterMin[c]), Math.abs((double) filterMax[c]))
          / 127;
    }

    double[] matMul(int m, int k, int n, boolean tb) {
      double[] y = new double[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = bias[j];
          for (int p = 0; p < k; p++) {
            s += x(i * k + p) * w(tb ? j * k + p : p * n + j, j);
          }
          y[i * n + j] = s;
        }
      }
      return y;
    }

    double[] conv(Shape xs, Shape fs, int stride, boolean same) {
      int n = (int) xs.dim(0), h = (int) xs.dim(1), wd = (int) xs.dim(2), ic = (int) xs.dim(3);
      int kh = (int) fs.dim(0), kw = (int) fs.dim(1), oc = (int) fs.dim(3);
      int oh = same ? (h + stride - 1) / stride : (h - kh) / stride + 1;
      int ow = same ? (wd + stride - 1) / stride : (wd - kw) / stride + 1;
      int top = same ? Math.max((oh - 1) * stride + kh - h, 0) / 2 : 0;
      int left = same ? Math.max((ow - 1) * stride + kw - wd, 0) / 2 : 0;
      double[] y = new double[n * oh * ow * oc];
      for (int b = 0; b < n; b++) {
        for (int oy = 0; oy < oh; oy++) {
          for (int ox = 0; ox < ow; ox++) {
            for (int c = 0; c < oc; c++) {
              double s = bias[c];
              for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                  int iy = oy * stride + ky - top;
                  int ix = ox * stride + kx - left;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                    continue;
                  }
                  for (int d = 0; d < ic; d++) {
                    s +=
                        x(((b * h + iy) * wd + ix) * ic + d)
                            * w(((ky * kw + kx) * ic + d) * oc + c, c);
                  }
                }
              }
              y[((b * oh + oy) * ow + ox) * oc + c] = s;
            }
          }
        }
      }
      return y;
    }

    Run run(
        String op,
        Shape xs,
        Shape ws,
        float outMin,
        float outMax,
        Map<String, AttrValue> attrs,
        boolean fast) {
      List<Tensor> out = outputs(op, xs, ws, outMin, outMax, attrs, fast);
      byte[] b = out.get(0).toByteArray();
      int[] codes = new int[b.length];
      for (int i = 0; i < b.length; i++) {
        codes[i] = b[i] & 0xff;
      }
      return new Run(codes, out.get(1).getFloat(0), out.get(2).getFloat(0));
    }

    List<Tensor> outputs(
        String op,
        Shape xs,
        Shape ws,
        float outMin,
        float outMax,
        Map<String, AttrValue> attrs,
        boolean fast) {
      try (Graph g = new Graph();
          Session s =
              fast
                  ? new Session(g, ThreadConfig.of(1, 2))
                  : new Session(g, ThreadConfig.of(1, 1), new ReferenceKernels())) {
        Ops tf = Ops.on(g);
        List<Output<?>> in =
            List.of(
                tf.constant(Tensor.ofBytes(DType.QUINT8, xs, input)),
                tf.constant(Tensor.ofBytes(filterType, ws, filter)),
                tf.constant(bias),
                tf.constant(minInput),
                tf.constant(maxInput),
                range(tf, filterMin),
                range(tf, filterMax),
                tf.constant(outMin),
                tf.constant(outMax));
        Operation y = tf.op(op, in, attrs);
        Session.Runner r = s.runner();
        for (int i = 0; i < y.numOutputs(); i++) {
          r.fetch(y.output(i));
        }
        try (Session.Result result = r.run()) {
          List<Tensor> out = new ArrayList<>();
          for (int i = 0; i < y.numOutputs(); i++) {
            Tensor t = result.get(i);
            out.add(
                t.dtype() == DType.FLOAT32
                    ? Tensor.ofFloats(t.shape(), t.toFloatArray())
                    : Tensor.ofBytes(t.dtype(), t.shape(), t.toByteArray()));
          }
          return out;
        }
      }
    }

    private static Output<?> range(Ops tf, float[] v) {
      return v.length == 1 ? tf.constant(v[0]) : tf.constant(v);
    }
  }
}
