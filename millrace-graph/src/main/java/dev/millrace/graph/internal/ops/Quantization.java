package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * TensorFlow's eight-bit representation: a quint8 or qint8 tensor with the float {@code min} and
 * {@code max} its codes span. Dequantize turns it back into float, in TensorFlow's {@code
 * MIN_COMBINED} mode ({@code min + (q - lowest) · (max - min) / (highest - lowest)}, the default)
 * and {@code MIN_FIRST} (the same value, by TensorFlow's rounding-friendly route, which {@code
 * quantize_weights} writes); SCALED mode is not supported yet.
 */
final class Quantization {
  private Quantization() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("Dequantize")
            .input("input", "T")
            .input("min_range", DType.FLOAT32)
            .input("max_range", DType.FLOAT32)
            .output("output", "dtype")
            .typeAttr("T", DType.QUINT8, DType.QINT8, DType.QINT32)
            .stringAttr("mode", "MIN_COMBINED", "MIN_COMBINED", "MIN_FIRST", "SCALED")
            .attr("narrow_range", AttrType.BOOL, AttrValue.of(false))
            .attr("axis", AttrType.INT, AttrValue.of(-1L))
            .typeAttrWithDefault("dtype", DType.FLOAT32, DType.FLOAT32)
            .shape(c -> one(c.inputShape(0)))
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  String mode = op.attrString("mode");
                  if (mode.equals("SCALED") || op.attrInt("axis") != -1) {
                    throw new IllegalArgumentException(
                        op
                            + ": Dequantize mode "
                            + mode
                            + " (axis "
                            + op.attrInt("axis")
                            + ") is not supported yet; MIN_COMBINED and MIN_FIRST are");
                  }
                  boolean minFirst = mode.equals("MIN_FIRST");
                  return ctx ->
                      List.of(
                          dequantize(
                              ctx.input(0), scalar(ctx.input(1)), scalar(ctx.input(2)), minFirst));
                })
            .builtBy("TensorFlow's graphs (GraphDef import, quantize_weights)")
            .build());
  }

  private static float scalar(Tensor t) {
    if (t.size() != 1) {
      throw new IllegalArgumentException(
          "min_range and max_range must be scalars, got " + t.shape());
    }
    return t.getFloat(0);
  }

  /**
   * {@code min + (q - lowest) · step} for every code {@code q}, with {@code step = (max - min) /
   * (highest - lowest)}. In MIN_FIRST mode {@code min} is first rounded to a whole number of steps,
   * as TensorFlow does, since its quantizer subtracted {@code round(min / step)} codes: that makes
   * the two exact inverses, where the plain formula is off by up to half a step everywhere.
   */
  static Tensor dequantize(Tensor q, float min, float max, boolean minFirst) {
    long lowest;
    long highest;
    switch (q.dtype()) {
      case QUINT8 -> {
        lowest = 0;
        highest = 255;
      }
      case QINT8 -> {
        lowest = -128;
        highest = 127;
      }
      case QINT32 -> {
        lowest = Integer.MIN_VALUE;
        highest = Integer.MAX_VALUE;
      }
      default -> throw new IllegalArgumentException("cannot dequantize " + q.dtype());
    }
    double scale = ((double) max - min) / (highest - lowest);
    double origin = min;
    if (minFirst && max != min) {
      float step = (float) scale; // TensorFlow rounds the step to float first
      scale = step;
      origin = Math.round(min / step) * (double) step;
    }
    float[] out = new float[Math.toIntExact(q.size())];
    for (int i = 0; i < out.length; i++) {
      long code =
          switch (q.dtype()) {
            case QUINT8 -> q.getByte(i) & 0xff;
            case QINT8 -> q.getByte(i);
            default -> q.getInt(i);
          };
      out[i] = (float) (origin + (code - lowest) * scale);
    }
    return Tensor.ofFloats(q.shape(), out);
  }
}
