package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.one;
import static dev.millrace.graph.internal.ops.Quantization.scalar;
import static dev.millrace.graph.internal.ops.Quantization.scalarOf;
import static dev.millrace.graph.internal.ops.Quantization.withRange;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Operation;
import dev.millrace.graph.internal.Specs;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * TensorFlow's fused eight-bit layers, which its graph rewrites (and Millrace's) emit for a
 * quantized convolution or fully connected layer: QuantizedConv2DWithBiasAndReluAndRequantize,
 * QuantizedMatMulWithBiasAndReluAndRequantize, QuantizedMatMulWithBiasAndRequantize and
 * QuantizedMatMulWithBiasAndDequantize. Each multiplies a QUINT8 input by a QINT8 (or QUINT8)
 * filter in 32-bit integers ({@link LayerOperands} says what the codes mean), adds a float bias per
 * output channel, optionally applies a ReLU, and writes QUINT8 codes of the fixed ("freezed")
 * output range, or for Dequantize the float result (the freezed range is then unused, as in
 * TensorFlow). The epilogue is one float multiply-add per sum ({@link
 * dev.millrace.kernels.AffineRequantization}), run by the integer cores on each row while it is in
 * cache.
 *
 * <p>Where TensorFlow's oneDNN kernels differ: with an input range whose min is below 0 (a nonzero
 * zero code) TensorFlow 2.18's QuantizedMatMulWithBiasAndDequantize returns values tens of
 * thousands off the real result; Millrace subtracts the zero code and returns the real result. Its
 * MatMul kernels also refuse transpose_b, which Millrace runs.
 */
final class QuantizedLayers {
  private QuantizedLayers() {}

  /** What a MatMul op returns: codes (with or without a ReLU) or float values. */
  private enum Result {
    CODES,
    RELU_CODES,
    VALUES
  }

  static void register(OpRegistry r) {
    r.register(conv("QuantizedConv2DWithBiasAndReluAndRequantize"));
    r.register(matMul("QuantizedMatMulWithBiasAndReluAndRequantize", Result.RELU_CODES));
    r.register(matMul("QuantizedMatMulWithBiasAndRequantize", Result.CODES));
    r.register(matMul("QuantizedMatMulWithBiasAndDequantize", Result.VALUES));
  }

  private static OpDef conv(String type) {
    return inputs(OpDef.builder(type), "input", "Tinput", "filter", "Tfilter")
        .output("output", "out_type")
        .output("min_output", DType.FLOAT32)
        .output("max_output", DType.FLOAT32)
        .typeAttr("Tinput", DType.QUINT8)
        .typeAttr("Tfilter", DType.QINT8, DType.QUINT8)
        .typeAttr("Tbias", DType.FLOAT32, DType.QINT32)
        .typeAttrWithDefault("out_type", DType.QUINT8, DType.QUINT8)
        .attr("strides", AttrType.LIST_INT, null)
        .stringAttr("padding", null, "SAME", "VALID")
        .attr("dilations", AttrType.LIST_INT, AttrValue.of(1L, 1L, 1L, 1L))
        .attr("padding_list", AttrType.LIST_INT, AttrValue.of(new long[0]))
        .shape(c -> withRange(Convolutions.convOutput(c, c.inputShape(0), c.inputShape(1), false)))
        .kernel(
            KernelSource.kernels("quantizedConv2dRequantized"),
            op -> {
              String name = op.toString();
              requireNoPaddingList(op);
              Conv2dSpec spec = Specs.conv(name, Specs.attrs(op));
              LayerOperands.FlippedFilter flipped = new LayerOperands.FlippedFilter();
              return ctx -> {
                Tensor filter = ctx.input(1);
                if (filter.shape().rank() != 4) {
                  throw new IllegalArgumentException(
                      name
                          + ": the filter must be 4-D [height, width, in, out], got "
                          + filter.shape());
                }
                LayerOperands in = operands(name, ctx, channels(filter, 3), false, flipped);
                float[] out = freezed(name, ctx.input(7), ctx.input(8));
                Tensor codes =
                    ctx.kernels()
                        .quantizedConv2dRequantized(
                            ctx.input(0),
                            in.inputZero(),
                            in.filter(),
                            in.filterZero(),
                            spec,
                            in.requantization(out[0], out[1], true));
                return List.of(codes, scalarOf(out[0]), scalarOf(out[1]));
              };
            })
        .builtBy("TensorFlow's graphs (its oneDNN rewrites, millrace quantize)")
        .build();
  }

  private static OpDef matMul(String type, Result result) {
    OpDef.Builder b =
        inputs(OpDef.builder(type), "a", "T1", "b", "T2")
            .output("out", "Toutput")
            .typeAttr("T1", DType.QUINT8)
            .typeAttr("T2", DType.QINT8, DType.QUINT8)
            .typeAttr("Tbias", DType.FLOAT32, DType.QINT32)
            .attr("transpose_a", AttrType.BOOL, AttrValue.of(false))
            .attr("transpose_b", AttrType.BOOL, AttrValue.of(false))
            .stringAttr("input_quant_mode", "MIN_FIRST", "MIN_FIRST", "SCALED");
    if (result == Result.VALUES) {
      // TensorFlow gives Toutput no default here: float is its only value.
      b.typeAttr("Toutput", DType.FLOAT32).shape(c -> one(MatMul.matmulShape(c).get(0)));
    } else {
      b.output("min_out", DType.FLOAT32)
          .output("max_out", DType.FLOAT32)
          .typeAttrWithDefault("Toutput", DType.QUINT8, DType.QUINT8)
          .shape(c -> withRange(MatMul.matmulShape(c).get(0)));
    }
    return b.kernel(
            KernelSource.kernels(
                result == Result.VALUES
                    ? "quantizedMatMulDequantized"
                    : "quantizedMatMulRequantized"),
            op -> {
              String name = op.toString();
              boolean ta = op.attrBool("transpose_a");
              boolean tb = op.attrBool("transpose_b");
              boolean scaled = op.attrString("input_quant_mode").equals("SCALED");
              LayerOperands.FlippedFilter flipped = new LayerOperands.FlippedFilter();
              return ctx -> {
                Tensor w = ctx.input(1);
                if (w.shape().rank() != 2) {
                  throw new IllegalArgumentException(
                      name + ": b must be a matrix, got " + w.shape());
                }
                LayerOperands in = operands(name, ctx, channels(w, tb ? 0 : 1), scaled, flipped);
                float[] out = freezed(name, ctx.input(7), ctx.input(8));
                Tensor a = ctx.input(0);
                if (result == Result.VALUES) {
                  return List.of(
                      ctx.kernels()
                          .quantizedMatMulDequantized(
                              a,
                              in.inputZero(),
                              ta,
                              in.filter(),
                              in.filterZero(),
                              tb,
                              in.realScales(),
                              in.bias()));
                }
                Tensor codes =
                    ctx.kernels()
                        .quantizedMatMulRequantized(
                            a,
                            in.inputZero(),
                            ta,
                            in.filter(),
                            in.filterZero(),
                            tb,
                            in.requantization(out[0], out[1], result == Result.RELU_CODES));
                return List.of(codes, scalarOf(out[0]), scalarOf(out[1]));
              };
            })
        .builtBy("TensorFlow's graphs (its oneDNN rewrites, millrace quantize)")
        .build();
  }

  /** The nine inputs every op here has, in TensorFlow's order. */
  private static OpDef.Builder inputs(
      OpDef.Builder b, String x, String xType, String w, String wType) {
    String min = x.equals("a") ? "min_a" : "min_input";
    String max = x.equals("a") ? "max_a" : "max_input";
    return b.input(x, xType)
        .input(w, wType)
        .input("bias", "Tbias")
        .input(min, DType.FLOAT32)
        .input(max, DType.FLOAT32)
        .input("min_" + w, DType.FLOAT32)
        .input("max_" + w, DType.FLOAT32)
        .input("min_freezed_output", DType.FLOAT32)
        .input("max_freezed_output", DType.FLOAT32);
  }

  private static LayerOperands operands(
      String name, KernelContext ctx, int channels, boolean scaled, LayerOperands.FlippedFilter f) {
    return LayerOperands.of(
        name,
        ctx.input(0),
        ctx.input(1),
        ctx.input(2),
        ctx.input(3),
        ctx.input(4),
        ctx.input(5),
        ctx.input(6),
        channels,
        scaled,
        f);
  }

  private static int channels(Tensor filter, int axis) {
    return Math.toIntExact(filter.shape().dim(axis));
  }

  /** The freezed output range: two float32 scalars, min below max. */
  private static float[] freezed(String name, Tensor min, Tensor max) {
    float lo = scalar(name + " min_freezed_output", min);
    float hi = scalar(name + " max_freezed_output", max);
    if (!(hi > lo)) {
      throw new IllegalArgumentException(
          name + ": the freezed output range [" + lo + ", " + hi + "] must have min < max");
    }
    return new float[] {lo, hi};
  }

  /**
   * TensorFlow's oneDNN kernel reads explicit padding from padding_list; Millrace has none here.
   */
  private static void requireNoPaddingList(Operation op) {
    long[] p = op.attrInts("padding_list");
    if (p.length != 0) {
      throw new IllegalArgumentException(
          op
              + ": padding_list "
              + java.util.Arrays.toString(p)
              + " (explicit padding) is not supported; use SAME or VALID");
    }
  }
}
