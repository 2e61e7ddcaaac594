package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.one;
import static dev.millrace.graph.internal.ops.Quantization.scalar;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Operation;
import dev.millrace.graph.spi.IntraOp;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * Quantization-aware training's fake quantization, as TensorFlow computes it in float: each value
 * is clamped to a range, rounded to one of {@code 2^num_bits} (or one fewer with {@code
 * narrow_range}) evenly spaced levels and handed on as float. The range is first nudged so that 0.0
 * is exactly a level. {@code FakeQuantWithMinMaxArgs} takes the range as attributes, {@code
 * FakeQuantWithMinMaxVars} as two scalar inputs (the trained variables), {@code
 * FakeQuantWithMinMaxVarsPerChannel} as one pair per channel of the last dimension. A frozen
 * quantization-aware graph carries its trained ranges in these ops; {@code quantize_nodes} and
 * {@code millrace quantize} use them instead of measuring.
 */
final class FakeQuantization {
  private FakeQuantization() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("FakeQuantWithMinMaxArgs")
            .input("inputs", DType.FLOAT32)
            .output("outputs", DType.FLOAT32)
            .attr("min", AttrType.FLOAT, AttrValue.of(-6f))
            .attr("max", AttrType.FLOAT, AttrValue.of(6f))
            .attr("num_bits", AttrType.INT, AttrValue.of(8L))
            .attr("narrow_range", AttrType.BOOL, AttrValue.of(false))
            .shape(c -> one(c.inputShape(0)))
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  Levels levels =
                      Levels.of(
                          op.toString(),
                          (float) op.attrFloat("min"),
                          (float) op.attrFloat("max"),
                          op);
                  return ctx -> List.of(levels.apply(ctx.intraOp(), ctx.input(0)));
                })
            .builtBy("TensorFlow's quantization-aware training graphs")
            .build());
    r.register(
        withRangeInputs("FakeQuantWithMinMaxVars")
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  Levels.checkBits(op.toString(), op);
                  return ctx -> {
                    Levels levels =
                        Levels.of(
                            op.toString(),
                            scalar(op + " min", ctx.input(1)),
                            scalar(op + " max", ctx.input(2)),
                            op);
                    return List.of(levels.apply(ctx.intraOp(), ctx.input(0)));
                  };
                })
            .build());
    r.register(
        withRangeInputs("FakeQuantWithMinMaxVarsPerChannel")
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  Levels.checkBits(op.toString(), op);
                  return ctx -> List.of(perChannel(op, ctx.input(0), ctx.input(1), ctx.input(2)));
                })
            .build());
  }

  /** The Vars ops' definition: the inputs, then the range as two float inputs, and the bits. */
  private static OpDef.Builder withRangeInputs(String type) {
    return OpDef.builder(type)
        .input("inputs", DType.FLOAT32)
        .input("min", DType.FLOAT32)
        .input("max", DType.FLOAT32)
        .output("outputs", DType.FLOAT32)
        .attr("num_bits", AttrType.INT, AttrValue.of(8L))
        .attr("narrow_range", AttrType.BOOL, AttrValue.of(false))
        .shape(c -> one(c.inputShape(0)))
        .builtBy("TensorFlow's quantization-aware training graphs");
  }

  private static Tensor perChannel(Operation op, Tensor x, Tensor min, Tensor max) {
    if (x.shape().rank() < 1) {
      throw new IllegalArgumentException(op + ": inputs must have at least one dimension");
    }
    int channels = Math.toIntExact(x.shape().dim(x.shape().rank() - 1));
    for (Tensor t : List.of(min, max)) {
      if (t.dtype() != DType.FLOAT32 || t.shape().rank() != 1 || t.size() != channels) {
        throw new IllegalArgumentException(
            op
                + ": min and max must be "
                + channels
                + " floats, one per channel of the last dimension, got "
                + t.dtype()
                + " "
                + t.shape());
      }
    }
    Levels[] levels = new Levels[channels];
    for (int c = 0; c < channels; c++) {
      levels[c] = Levels.of(op.toString(), min.getFloat(c), max.getFloat(c), op);
    }
    float[] v = x.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = levels[i % channels].apply(v[i]);
    }
    return Tensor.ofFloats(x.shape(), v);
  }

  /**
   * The nudged levels of one range, as TensorFlow's {@code Nudge}: the zero point rounded to a
   * whole level inside {@code [quantMin, quantMax]}, the range moved to put 0.0 on it.
   */
  record Levels(float nudgedMin, float nudgedMax, float scale, float inverseScale, float minLevel) {
    static Levels of(String op, float min, float max, Operation attrs) {
      int bits = checkBits(op, attrs);
      if (!(min <= max)) {
        throw new IllegalArgumentException(
            op + ": min " + min + " must not be greater than max " + max);
      }
      float quantMin = attrs.attrBool("narrow_range") ? 1 : 0;
      float quantMax = (1 << bits) - 1;
      float scale = (max - min) / (quantMax - quantMin);
      if (scale == 0f) {
        return new Levels(0f, 0f, 0f, 0f, 0f); // an empty range: every value becomes 0
      }
      float zeroFromMin = quantMin - min / scale;
      float nudgedZero;
      if (zeroFromMin < quantMin) {
        nudgedZero = quantMin;
      } else if (zeroFromMin > quantMax) {
        nudgedZero = quantMax;
      } else {
        nudgedZero = Math.round(zeroFromMin);
      }
      float minLevel = quantMin - nudgedZero;
      return new Levels(
          minLevel * scale, (quantMax - nudgedZero) * scale, scale, 1f / scale, minLevel);
    }

    static int checkBits(String op, Operation attrs) {
      long bits = attrs.attrInt("num_bits");
      if (bits < 2 || bits > 16) {
        throw new IllegalArgumentException(op + ": num_bits must be in [2, 16], got " + bits);
      }
      return (int) bits;
    }

    float apply(float x) {
      float clamped = Math.clamp(x, nudgedMin, nudgedMax);
      // The level counted from the zero point, then scaled: the same float as TensorFlow's
      // kernel gives, where level · scale + nudgedMin can differ in the last bit.
      float level = (float) Math.floor((clamped - nudgedMin) * inverseScale + 0.5f);
      return (level + minLevel) * scale;
    }

    Tensor apply(IntraOp pool, Tensor x) {
      float[] v = x.toFloatArray();
      QuantizedLoops.split(
          pool,
          v.length,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              v[i] = apply(v[i]);
            }
          });
      return Tensor.ofFloats(x.shape(), v);
    }
  }
}
