package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Quantization.scalar;
import static dev.millrace.graph.internal.ops.Quantization.scalarOf;
import static dev.millrace.graph.internal.ops.Quantization.withRange;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Operation;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.internal.Specs;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.kernels.QuantizedRange;
import dev.millrace.kernels.Window1d;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * TensorFlow's eight-bit ops that keep the codes' type: QuantizedRelu and QuantizedRelu6 (clamp the
 * codes at those of 0.0 and 6.0), QuantizedMaxPool and QuantizedAvgPool (NHWC, the integer average
 * truncated, as TensorFlow's), QuantizedReshape (a view) and QuantizedConcat (requantizes each
 * input into the range that holds them all). The range passes through unchanged except for the
 * concatenation.
 */
final class QuantizedLayout {
  private QuantizedLayout() {}

  static void register(OpRegistry r) {
    r.register(activation("QuantizedRelu", false));
    r.register(activation("QuantizedRelu6", true));
    r.register(pool("QuantizedMaxPool", true));
    r.register(pool("QuantizedAvgPool", false));
    r.register(
        OpDef.builder("QuantizedReshape")
            .input("tensor", "T")
            .input("shape", "Tshape")
            .input("input_min", DType.FLOAT32)
            .input("input_max", DType.FLOAT32)
            .output("output", "T")
            .output("output_min", DType.FLOAT32)
            .output("output_max", DType.FLOAT32)
            .typeAttr("T")
            .typeAttrWithDefault("Tshape", DType.INT32, DType.INT32, DType.INT64)
            .shape(c -> withRange(Reshapes.reshape(c).get(0)))
            .kernel(
                KernelSource.noArithmetic(),
                op ->
                    ctx -> {
                      Tensor x = ctx.input(0);
                      Shape to =
                          Reshapes.resolveReshape(
                              op.toString(), x.shape(), Consts.longs(ctx.input(1)));
                      return passRange(x.reshape(to), ctx.input(2), ctx.input(3));
                    })
            .builtBy("TensorFlow's graphs (quantize_nodes)")
            .build());
    r.register(
        OpDef.builder("QuantizedConcat")
            .input("concat_dim", DType.INT32)
            .inputList("values", "T", "N")
            .inputList("input_mins", DType.FLOAT32, "N")
            .inputList("input_maxes", DType.FLOAT32, "N")
            .output("output", "T")
            .output("output_min", DType.FLOAT32)
            .output("output_max", DType.FLOAT32)
            .typeAttr("T", DType.QUINT8, DType.QINT8, DType.QINT32)
            .shape(c -> withRange(Slicing.concatShape(c, 1, (c.numInputs() - 1) / 3, 0)))
            .kernel(KernelSource.referenceOnly(), op -> ctx -> concat(op, ctx))
            .builtBy("TensorFlow's graphs (quantize_nodes)")
            .build());
  }

  private static OpDef activation(String type, boolean six) {
    return OpDef.builder(type)
        .input("features", "Tinput")
        .input("min_features", DType.FLOAT32)
        .input("max_features", DType.FLOAT32)
        .output("activations", "out_type")
        .output("min_activations", DType.FLOAT32)
        .output("max_activations", DType.FLOAT32)
        .typeAttr("Tinput", DType.QUINT8, DType.QINT32)
        .typeAttrWithDefault("out_type", DType.QUINT8, DType.QUINT8, DType.QINT32)
        .shape(c -> withRange(c.inputShape(0)))
        .kernel(
            KernelSource.referenceOnly(),
            op -> ctx -> clamp(op, ctx.input(0), ctx.input(1), ctx.input(2), six))
        .builtBy("TensorFlow's graphs (quantize_nodes)")
        .build();
  }

  private static OpDef pool(String type, boolean max) {
    return OpDef.builder(type)
        .input("input", "T")
        .input("min_input", DType.FLOAT32)
        .input("max_input", DType.FLOAT32)
        .output("output", "T")
        .output("min_output", DType.FLOAT32)
        .output("max_output", DType.FLOAT32)
        .typeAttr("T", DType.QUINT8)
        .attr("ksize", AttrType.LIST_INT, null)
        .attr("strides", AttrType.LIST_INT, null)
        .stringAttr("padding", null, "SAME", "VALID")
        .shape(QuantizedLayout::poolShape)
        .kernel(
            KernelSource.referenceOnly(),
            op -> {
              PoolSpec spec = Specs.pool(op.toString(), Specs.attrs(op));
              return ctx -> passRange(pool(ctx.input(0), spec, max), ctx.input(1), ctx.input(2));
            })
        .builtBy("TensorFlow's graphs (quantize_nodes)")
        .build();
  }

  private static List<Shape> poolShape(ShapeContext c) {
    return withRange(Pooling.poolOutput(c, c.inputShape(0)));
  }

  private static List<Tensor> passRange(Tensor codes, Tensor min, Tensor max) {
    return List.of(codes, min, max);
  }

  /** Relu and Relu6 on codes: at least the code of 0.0, and for Relu6 at most that of 6.0. */
  private static List<Tensor> clamp(Operation op, Tensor q, Tensor minT, Tensor maxT, boolean six) {
    DType t = op.attrType("Tinput");
    if (op.attrType("out_type") != t) {
      throw new IllegalArgumentException(op + ": out_type must equal Tinput (" + t + ")");
    }
    float min = scalar(op + " min_features", minT);
    float max = scalar(op + " max_features", maxT);
    int[] bounds = activationBounds(min, max, t, six);
    int bottom = bounds[0];
    int top = bounds[1];
    if (t == DType.QUINT8) {
      byte[] b = q.toByteArray();
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) Math.min(Math.max(b[i] & 0xff, bottom), top);
      }
      return List.of(Tensor.wrapping(t, q.shape(), b), minT, maxT);
    }
    int[] codes = QuantizedRange.codes(q);
    for (int i = 0; i < codes.length; i++) {
      codes[i] = Math.min(Math.max(codes[i], bottom), top);
    }
    return List.of(QuantizedRange.tensor(t, q.shape(), codes), minT, maxT);
  }

  /**
   * The codes QuantizedRelu (or Relu6, {@code six}) clamps to in the range {@code [min, max]}: the
   * code of 0.0, and the highest code (or that of 6.0).
   */
  static int[] activationBounds(float min, float max, DType t, boolean six) {
    long lo = QuantizedRange.toCode(0f, min, max, t);
    long hi = six ? QuantizedRange.toCode(6f, min, max, t) : QuantizedRange.highest(t);
    return new int[] {(int) lo, (int) Math.max(lo, hi)};
  }

  /**
   * Max or average pooling of NHWC codes. Windows skip the padding; the average is the integer sum
   * divided by the number of codes in the window, truncated, as TensorFlow's.
   */
  static Tensor pool(Tensor q, PoolSpec spec, boolean max) {
    Shape s = q.shape();
    int n = (int) s.dim(0);
    int h = (int) s.dim(1);
    int w = (int) s.dim(2);
    int c = (int) s.dim(3);
    Window1d wh = Window1d.of(h, spec.windowH(), spec.strideH(), 1, spec.padding(), 0, 0);
    Window1d ww = Window1d.of(w, spec.windowW(), spec.strideW(), 1, spec.padding(), 0, 0);
    int oh = (int) wh.out();
    int ow = (int) ww.out();
    byte[] in = q.toByteArray();
    byte[] out = new byte[n * oh * ow * c];
    int o = 0;
    for (int b = 0; b < n; b++) {
      for (int oy = 0; oy < oh; oy++) {
        int y0 = (int) (oy * spec.strideH() - wh.padBefore());
        int y1 = Math.min(y0 + spec.windowH(), h);
        y0 = Math.max(y0, 0);
        for (int ox = 0; ox < ow; ox++) {
          int x0 = (int) (ox * spec.strideW() - ww.padBefore());
          int x1 = Math.min(x0 + spec.windowW(), w);
          x0 = Math.max(x0, 0);
          for (int ch = 0; ch < c; ch++) {
            int acc = 0;
            for (int y = y0; y < y1; y++) {
              for (int x = x0; x < x1; x++) {
                int v = in[((b * h + y) * w + x) * c + ch] & 0xff;
                acc = max ? Math.max(acc, v) : acc + v;
              }
            }
            int count = (y1 - y0) * (x1 - x0);
            out[o++] = (byte) (max ? acc : count == 0 ? 0 : acc / count);
          }
        }
      }
    }
    return Tensor.wrapping(q.dtype(), Shape.of(n, oh, ow, c), out);
  }

  /**
   * QuantizedConcat: the output range is the union of the inputs' (its low end at most 0; for a
   * signed type, symmetric), and each input whose range differs is requantized into it.
   */
  private static List<Tensor> concat(Operation op, dev.millrace.graph.spi.KernelContext ctx) {
    int n = (ctx.numInputs() - 1) / 3;
    DType t = op.attrType("T");
    float lo = Float.MAX_VALUE;
    float hi = -Float.MAX_VALUE;
    float[] mins = new float[n];
    float[] maxes = new float[n];
    for (int i = 0; i < n; i++) {
      mins[i] = scalar(op + " input_mins[" + i + "]", ctx.input(1 + n + i));
      maxes[i] = scalar(op + " input_maxes[" + i + "]", ctx.input(1 + 2 * n + i));
      lo = Math.min(lo, mins[i]);
      hi = Math.max(hi, maxes[i]);
    }
    lo = Math.min(0f, lo);
    if (QuantizedRange.lowest(t) < 0) {
      float largest = Math.max(Math.abs(lo), Math.abs(hi));
      lo = -largest;
      hi = largest;
    }
    float outMin = lo;
    float outMax = hi;
    List<Tensor> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Tensor q = ctx.input(1 + i);
      if (mins[i] == outMin && maxes[i] == outMax) {
        parts.add(q);
      } else {
        float inMin = mins[i];
        float inMax = maxes[i];
        int[] codes = QuantizedRange.codes(q);
        for (int j = 0; j < codes.length; j++) {
          codes[j] = (int) QuantizedRange.requantize(codes[j], inMin, inMax, t, outMin, outMax, t);
        }
        parts.add(QuantizedRange.tensor(t, q.shape(), codes));
      }
    }
    int rank = parts.get(0).shape().rank();
    long axis = Consts.longs(ctx.input(0))[0];
    Tensor joined = ctx.kernels().concat(parts, (int) (axis < 0 ? axis + rank : axis));
    return List.of(joined, scalarOf(outMin), scalarOf(outMax));
  }
}
