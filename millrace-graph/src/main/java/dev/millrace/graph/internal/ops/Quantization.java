package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.spi.IntraOp;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.kernels.FixedPointRequantizer;
import dev.millrace.kernels.QuantizedRange;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * TensorFlow's eight-bit representation and the ops that move between it and float: a quint8, qint8
 * or qint32 tensor travels with two float scalars, the {@code min} and {@code max} its codes span.
 * QuantizeV2 turns float into codes, Dequantize turns codes back into float (both in {@code
 * MIN_COMBINED}, {@code MIN_FIRST} and {@code SCALED} modes, and with {@code axis} one range per
 * slice along that dimension, as {@link PerAxis} does it), RequantizationRange measures the range a
 * 32-bit result really uses and Requantize narrows it to eight bits. The arithmetic is {@link
 * QuantizedRange}'s, which follows TensorFlow's rounding.
 */
final class Quantization {
  private Quantization() {}

  static final DType[] QUANTIZED = {DType.QUINT8, DType.QINT8, DType.QINT32};

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("QuantizeV2")
            .input("input", DType.FLOAT32)
            .input("min_range", DType.FLOAT32)
            .input("max_range", DType.FLOAT32)
            .output("output", "T")
            .output("output_min", DType.FLOAT32)
            .output("output_max", DType.FLOAT32)
            .typeAttr("T", QUANTIZED)
            .stringAttr("mode", "MIN_COMBINED", "MIN_COMBINED", "MIN_FIRST", "SCALED")
            .stringAttr("round_mode", "HALF_AWAY_FROM_ZERO", "HALF_AWAY_FROM_ZERO", "HALF_TO_EVEN")
            .attr("narrow_range", AttrType.BOOL, AttrValue.of(false))
            .attr("axis", AttrType.INT, AttrValue.of(-1L))
            .attr("ensure_minimum_range", AttrType.FLOAT, AttrValue.of(0.01f))
            .shape(c -> withRange(c.inputShape(0), (int) c.attrInt("axis"), c::error))
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  String mode = op.attrString("mode");
                  int axis = (int) op.attrInt("axis");
                  boolean halfToEven = op.attrString("round_mode").equals("HALF_TO_EVEN");
                  if (halfToEven && !mode.equals("SCALED")) {
                    // TensorFlow refuses it too.
                    throw new IllegalArgumentException(
                        op + ": round_mode HALF_TO_EVEN is only supported for mode SCALED");
                  }
                  DType t = op.attrType("T");
                  float ensure = (float) op.attrFloat("ensure_minimum_range");
                  boolean narrow = op.attrBool("narrow_range");
                  return ctx -> {
                    Tensor x = ctx.input(0);
                    if (axis != -1) {
                      return PerAxis.of(op.toString(), x.shape(), axis)
                          .quantize(
                              x, ctx.input(1), ctx.input(2), t, mode, narrow, halfToEven, ensure);
                    }
                    float[] range =
                        quantizeRange(
                            scalar(op + " min_range", ctx.input(1)),
                            scalar(op + " max_range", ctx.input(2)),
                            ensure);
                    if (mode.equals("SCALED")) {
                      return quantizeScaled(x, range[0], range[1], t, narrow, halfToEven);
                    }
                    Tensor q =
                        mode.equals("MIN_FIRST")
                            ? quantizeMinFirst(x, range[0], range[1], t)
                            : quantizeMinCombined(x, range[0], range[1], t);
                    return List.of(q, scalarOf(range[0]), scalarOf(range[1]));
                  };
                })
            .builtBy("TensorFlow's graphs (quantize_nodes)")
            .build());
    r.register(
        OpDef.builder("Dequantize")
            .input("input", "T")
            .input("min_range", DType.FLOAT32)
            .input("max_range", DType.FLOAT32)
            .output("output", "dtype")
            .typeAttr("T", QUANTIZED)
            .stringAttr("mode", "MIN_COMBINED", "MIN_COMBINED", "MIN_FIRST", "SCALED")
            .attr("narrow_range", AttrType.BOOL, AttrValue.of(false))
            .attr("axis", AttrType.INT, AttrValue.of(-1L))
            .typeAttrWithDefault("dtype", DType.FLOAT32, DType.FLOAT32)
            .shape(c -> one(c.inputShape(0)))
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  String mode = op.attrString("mode");
                  int axis = (int) op.attrInt("axis");
                  boolean narrow = op.attrBool("narrow_range");
                  return ctx -> {
                    Tensor q = ctx.input(0);
                    if (axis != -1) {
                      return List.of(
                          PerAxis.of(op.toString(), q.shape(), axis)
                              .dequantize(q, ctx.input(1), ctx.input(2), mode, narrow));
                    }
                    float min = scalar(op + " min_range", ctx.input(1));
                    float max = scalar(op + " max_range", ctx.input(2));
                    return List.of(
                        mode.equals("SCALED")
                            ? dequantizeScaled(q, min, max, narrow)
                            : dequantize(q, min, max, mode.equals("MIN_FIRST")));
                  };
                })
            .builtBy("TensorFlow's graphs (GraphDef import, quantize_weights, quantize_nodes)")
            .build());
    r.register(
        OpDef.builder("RequantizationRange")
            .input("input", "Tinput")
            .input("input_min", DType.FLOAT32)
            .input("input_max", DType.FLOAT32)
            .output("output_min", DType.FLOAT32)
            .output("output_max", DType.FLOAT32)
            .typeAttr("Tinput", QUANTIZED)
            .shape(c -> List.of(Shape.scalar(), Shape.scalar()))
            .kernel(
                KernelSource.referenceOnly(),
                op ->
                    ctx -> {
                      float[] used =
                          usedRange(
                              ctx.intraOp(),
                              ctx.input(0),
                              scalar(op + " input_min", ctx.input(1)),
                              scalar(op + " input_max", ctx.input(2)));
                      return List.of(scalarOf(used[0]), scalarOf(used[1]));
                    })
            .builtBy("TensorFlow's graphs (quantize_nodes)")
            .build());
    r.register(
        OpDef.builder("Requantize")
            .input("input", "Tinput")
            .input("input_min", DType.FLOAT32)
            .input("input_max", DType.FLOAT32)
            .input("requested_output_min", DType.FLOAT32)
            .input("requested_output_max", DType.FLOAT32)
            .output("output", "out_type")
            .output("output_min", DType.FLOAT32)
            .output("output_max", DType.FLOAT32)
            .typeAttr("Tinput", QUANTIZED)
            .typeAttr("out_type", QUANTIZED)
            .shape(c -> withRange(c.inputShape(0)))
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  DType out = op.attrType("out_type");
                  return ctx -> {
                    float[] requested = requestedRange(op, ctx.input(3), ctx.input(4));
                    float outMin = requested[0];
                    float outMax = requested[1];
                    Tensor q =
                        requantize(
                            ctx.intraOp(),
                            ctx.input(0),
                            scalar(op + " input_min", ctx.input(1)),
                            scalar(op + " input_max", ctx.input(2)),
                            outMin,
                            outMax,
                            out);
                    return List.of(q, scalarOf(outMin), scalarOf(outMax));
                  };
                })
            .builtBy("TensorFlow's graphs (quantize_nodes)")
            .build());
  }

  /** Requantize's requested output range, checked: it must hold 0 and have min <= max. */
  static float[] requestedRange(Object op, Tensor minT, Tensor maxT) {
    float outMin = scalar(op + " requested_output_min", minT);
    float outMax = scalar(op + " requested_output_max", maxT);
    if (outMin > 0f || outMax < outMin) {
      throw new IllegalArgumentException(
          op
              + ": the requested range ["
              + outMin
              + ", "
              + outMax
              + "] must hold 0 and have min <= max");
    }
    return new float[] {outMin, outMax};
  }

  /** The shapes of an op's eight-bit result: the codes, then two scalars, min and max. */
  static List<Shape> withRange(Shape codes) {
    return List.of(codes, Shape.scalar(), Shape.scalar());
  }

  /**
   * QuantizeV2's result with {@code axis}: the codes, then min and max as scalars ({@code axis =
   * -1}) or one per slice along the axis.
   */
  static List<Shape> withRange(
      Shape codes, int axis, java.util.function.Function<String, RuntimeException> error) {
    if (axis == -1) {
      return withRange(codes);
    }
    if (axis < 0 || axis >= codes.rank()) {
      throw error.apply("axis " + axis + " is not -1 or a dimension of the input " + codes);
    }
    Shape perSlice = Shape.of(codes.dim(axis));
    return List.of(codes, perSlice, perSlice);
  }

  /**
   * QuantizeV2 in SCALED mode, as TensorFlow's CPU kernel: one scale for both signs, {@code
   * min(lowest / min, highest / max)} over the sides whose ratio is positive (so 0.0 is code 0),
   * the range then given back as {@code lowest / scale, highest / scale}; {@code narrowRange}
   * leaves out the lowest code. Products in float and rounded as {@code round_mode} says.
   */
  static List<Tensor> quantizeScaled(
      Tensor x, float min, float max, DType t, boolean narrowRange, boolean halfToEven) {
    int lowest = (int) QuantizedRange.lowest(t) + (narrowRange ? 1 : 0);
    int highest = (int) QuantizedRange.highest(t);
    float fromMin = lowest * min > 0 ? lowest / min : Float.MAX_VALUE;
    float fromMax = highest * max > 0 ? highest / max : Float.MAX_VALUE;
    float scale = Math.min(fromMin, fromMax);
    float lo = lowest / scale;
    float hi = highest / scale;
    float[] v = x.toFloatArray();
    int[] codes = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      float scaled = Math.clamp(v[i], lo, hi) * scale;
      codes[i] = (int) (halfToEven ? Math.rint(scaled) : QuantizedRange.roundHalfAway(scaled));
    }
    return List.of(QuantizedRange.tensor(t, x.shape(), codes), scalarOf(lo), scalarOf(hi));
  }

  /** The one float of a scalar min or max input. */
  static float scalar(String what, Tensor t) {
    if (t.size() != 1 || t.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException(
          what + " must be one float32, got " + t.dtype() + " " + t.shape());
    }
    return t.getFloat(0);
  }

  static Tensor scalarOf(float v) {
    return Tensor.ofFloats(Shape.scalar(), v);
  }

  /**
   * QuantizeV2's range: it always holds 0 and is at least {@code ensure} times the larger of 1 and
   * the inputs' magnitude wide, so that a constant input does not divide by zero.
   */
  static float[] quantizeRange(float min, float max, float ensure) {
    float lo = Math.min(0f, min);
    float epsilon = Math.max(1f, Math.max(Math.abs(min), Math.abs(max))) * ensure;
    float hi = Math.max(0f, Math.max(max, lo + epsilon));
    return new float[] {lo, hi};
  }

  static Tensor quantizeMinFirst(Tensor x, float min, float max, DType t) {
    return QuantizedRange.tensor(
        t, x.shape(), QuantizedRange.quantize(x.toFloatArray(), min, max, t));
  }

  /**
   * MIN_COMBINED: {@code (clamp(x) - min) · (highest - lowest) / (max - min)}, rounded, shifted to
   * the type's lowest code (TensorFlow truncates after adding one half).
   */
  static Tensor quantizeMinCombined(Tensor x, float min, float max, DType t) {
    // In float, as TensorFlow's kernel: the scale rounded to float once, then float arithmetic;
    // unsigned codes are truncated after adding 0.5, signed ones rounded half away from zero.
    float scale =
        (float) ((QuantizedRange.highest(t) - (double) QuantizedRange.lowest(t)) / (max - min));
    float halfRange =
        (float) ((QuantizedRange.highest(t) - (double) QuantizedRange.lowest(t) + 1) / 2.0);
    boolean signed = QuantizedRange.lowest(t) < 0;
    float[] v = x.toFloatArray();
    int[] codes = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      float shifted = (Math.clamp(v[i], min, max) - min) * scale;
      double q =
          signed ? QuantizedRange.roundHalfAway(shifted - halfRange) : Math.floor(shifted + 0.5f);
      codes[i] = (int) Math.clamp(q, QuantizedRange.lowest(t), QuantizedRange.highest(t));
    }
    return QuantizedRange.tensor(t, x.shape(), codes);
  }

  /**
   * MIN_COMBINED: {@code min + (q - lowest) · (max - min) / (highest - lowest)} (in float, as
   * TensorFlow computes it); MIN_FIRST: TensorFlow's rounding-friendly route ({@link
   * QuantizedRange#dequantize}), the exact inverse of its quantizer.
   */
  static Tensor dequantize(Tensor q, float min, float max, boolean minFirst) {
    DType t = q.dtype();
    int[] codes = QuantizedRange.codes(q);
    if (minFirst) {
      return Tensor.ofFloats(q.shape(), QuantizedRange.dequantize(codes, min, max, t));
    }
    // In float, in TensorFlow's order: ((q + half_range) · scale) + min.
    float lowest = (float) QuantizedRange.lowest(t);
    float highest = (float) QuantizedRange.highest(t);
    float scale = (max - min) / (highest - lowest);
    float halfRange = lowest == 0f ? 0f : (highest - lowest + 1) / 2.0f;
    float[] out = new float[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = (((float) codes[i] + halfRange) * scale) + min;
    }
    return Tensor.ofFloats(q.shape(), out);
  }

  /**
   * SCALED: {@code q · s}, symmetric around 0, where {@code s} is the larger of {@code min /
   * lowest} and {@code max / highest} (for an unsigned type {@code max / highest}); with {@code
   * narrow_range} the lowest code is one higher, as TensorFlow's Dequantize computes it, in float.
   */
  static Tensor dequantizeScaled(Tensor q, float min, float max, boolean narrowRange) {
    DType t = q.dtype();
    long lowest = QuantizedRange.lowest(t) + (narrowRange ? 1 : 0);
    float highest = (float) QuantizedRange.highest(t);
    float scale =
        QuantizedRange.lowest(t) == 0
            ? max / highest
            : Math.max(min / (float) lowest, max / highest);
    int[] codes = QuantizedRange.codes(q);
    float[] out = new float[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = (float) codes[i] * scale;
    }
    return Tensor.ofFloats(q.shape(), out);
  }

  /**
   * RequantizationRange: the floats of the lowest and highest codes really used, the low end no
   * higher than 0 (as TensorFlow keeps it, so that 0 stays exact after Requantize).
   */
  static float[] usedRange(IntraOp pool, Tensor q, float min, float max) {
    int[] codes =
        q.dtype() == DType.QINT32 ? QuantizedRange.intsToRead(q) : QuantizedRange.codes(q);
    int n = codes.length;
    if (n == 0) {
      return new float[] {0f, 0f};
    }
    int parts = QuantizedLoops.pieces(pool, n);
    List<int[]> found =
        pool.map(
            parts,
            p -> {
              int lo = Integer.MAX_VALUE;
              int hi = Integer.MIN_VALUE;
              for (int i = QuantizedLoops.start(n, p, parts);
                  i < QuantizedLoops.start(n, p + 1, parts);
                  i++) {
                lo = Math.min(lo, codes[i]);
                hi = Math.max(hi, codes[i]);
              }
              return new int[] {lo, hi};
            });
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    for (int[] f : found) {
      lo = Math.min(lo, f[0]);
      hi = Math.max(hi, f[1]);
    }
    float usedMin = Math.min(0f, QuantizedRange.toFloat(lo, min, max, q.dtype()));
    float usedMax = QuantizedRange.toFloat(hi, min, max, q.dtype());
    return new float[] {usedMin, usedMax};
  }

  /**
   * Requantize: each code to float in the input's range and back into the requested one. From
   * QINT32 to QUINT8 this is TensorFlow's fixed-point route (16 fraction bits), which its CPU
   * kernel uses, so that the codes agree with TensorFlow's bit for bit.
   */
  static Tensor requantize(
      IntraOp pool, Tensor q, float inMin, float inMax, float outMin, float outMax, DType out) {
    if (q.dtype() == DType.QINT32 && out == DType.QUINT8) {
      int[] in32 = QuantizedRange.intsToRead(q);
      FixedPointRequantizer r = new FixedPointRequantizer(inMin, inMax, outMin, outMax);
      byte[] b = new byte[in32.length];
      QuantizedLoops.split(
          pool,
          b.length,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              b[i] = (byte) r.apply(in32[i]);
            }
          });
      return Tensor.wrapping(out, q.shape(), b);
    }
    int[] codes = QuantizedRange.codes(q);
    DType in = q.dtype();
    int[] result = new int[codes.length];
    for (int i = 0; i < codes.length; i++) {
      result[i] = (int) QuantizedRange.requantize(codes[i], inMin, inMax, in, outMin, outMax, out);
    }
    return QuantizedRange.tensor(out, q.shape(), result);
  }
}
