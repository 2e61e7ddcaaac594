package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Quantization.scalar;
import static dev.millrace.graph.internal.ops.Quantization.scalarOf;

import dev.millrace.graph.internal.ops.Quantization.FixedPointRequantizer;
import dev.millrace.graph.internal.ops.QuantizedLinear.BiasSum;
import dev.millrace.graph.internal.ops.QuantizedLinear.Ranges;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.QuantizedRange;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * The kernel of a fused eight-bit convolution: {@code QuantizedConv2D → Requantize} to a fixed
 * QUINT8 range, then optionally {@code QuantizedBiasAdd → Requantize} to a fixed range and {@code
 * QuantizedRelu} or {@code QuantizedRelu6} — the chain {@code millrace quantize} leaves after every
 * convolution — in one pass over the 32-bit sums instead of four over intermediate tensors.
 *
 * <p>Why a table: once a sum is requantized to its code, every later step maps one code of a
 * channel to one code (the bias add's values depend only on the code and the channel's bias; the
 * second Requantize and the clamp only on that value). So the steps compose into 256 codes per
 * channel, computed with the steps' own arithmetic, and the fused result is the unfused graph's bit
 * for bit.
 */
public final class QuantizedEpilogue {
  private QuantizedEpilogue() {}

  /**
   * What follows the convolution's Requantize.
   *
   * @param bias a QuantizedBiasAdd and its Requantize
   * @param activation a QuantizedRelu, or with {@code six} a QuantizedRelu6, last
   */
  public record Steps(boolean bias, boolean activation, boolean six) {}

  /**
   * The fused kernel. Its inputs: the QuantizedConv2D's six, the first Requantize's requested min
   * and max; with a bias, then the bias codes, their min and max and the second Requantize's
   * requested min and max. Its outputs are the last op's: QUINT8 codes, min, max.
   */
  public static Kernel conv2d(String name, Conv2dSpec spec, Steps steps) {
    return ctx -> {
      Ranges in = Ranges.of(name, ctx.input(2), ctx.input(3), ctx.input(4), ctx.input(5));
      Tensor sums =
          ctx.kernels().quantizedConv2d(ctx.input(0), in.zeroA(), ctx.input(1), in.zeroB(), spec);
      float[] sumRange = QuantizedRange.ofProduct(in.minA(), in.maxA(), in.minB(), in.maxB());
      float[] range = Quantization.requestedRange(name, ctx.input(6), ctx.input(7));
      FixedPointRequantizer toCode =
          new FixedPointRequantizer(sumRange[0], sumRange[1], range[0], range[1]);
      int channels = Math.toIntExact(sums.shape().dim(sums.shape().rank() - 1));
      byte[] table;
      if (steps.bias()) {
        Tensor bias = ctx.input(8);
        QuantizedLinear.checkBias(name, sums.shape(), bias);
        Ranges biasIn =
            new Ranges(
                range[0],
                range[1],
                scalar(name + " bias min", ctx.input(9)),
                scalar(name + " bias max", ctx.input(10)));
        BiasSum sum = biasIn.biasSum(bias);
        range = Quantization.requestedRange(name, ctx.input(11), ctx.input(12));
        FixedPointRequantizer again =
            new FixedPointRequantizer(sum.range()[0], sum.range()[1], range[0], range[1]);
        table = new byte[channels * 256];
        for (int c = 0; c < channels; c++) {
          for (int code = 0; code < 256; code++) {
            table[c * 256 + code] = (byte) again.apply(sum.table()[code] + sum.perChannel()[c]);
          }
        }
      } else {
        table = new byte[channels * 256];
        for (int i = 0; i < table.length; i++) {
          table[i] = (byte) i;
        }
      }
      if (steps.activation()) {
        int[] bounds =
            QuantizedLayout.activationBounds(range[0], range[1], DType.QUINT8, steps.six());
        for (int i = 0; i < table.length; i++) {
          table[i] = (byte) Math.clamp(table[i] & 0xff, bounds[0], bounds[1]);
        }
      }
      int[] s = QuantizedRange.intsToRead(sums);
      byte[] codes = new byte[s.length];
      QuantizedLoops.split(
          ctx.intraOp(),
          s.length / channels,
          (from, to) -> {
            for (int row = from; row < to; row++) {
              int i = row * channels;
              for (int c = 0; c < channels; c++) {
                codes[i + c] = table[(c << 8) | toCode.apply(s[i + c])];
              }
            }
          });
      return List.of(
          Tensor.wrapping(DType.QUINT8, sums.shape(), codes),
          scalarOf(range[0]),
          scalarOf(range[1]));
    };
  }

  /**
   * The kernel of a fused residual add: {@code QuantizedAdd → Requantize} to a fixed QUINT8 range,
   * then optionally {@code QuantizedRelu|QuantizedRelu6}. Its inputs: the add's six, the
   * Requantize's requested min and max. Inputs of different shapes (broadcasting) take the separate
   * ops' route; equal shapes, one pass.
   */
  public static Kernel add(String name, boolean activation, boolean six) {
    return ctx -> {
      Ranges in = Ranges.of(name, ctx.input(2), ctx.input(3), ctx.input(4), ctx.input(5));
      Tensor x = ctx.input(0);
      Tensor y = ctx.input(1);
      float[] range = Quantization.requestedRange(name, ctx.input(6), ctx.input(7));
      int[] bounds =
          activation
              ? QuantizedLayout.activationBounds(range[0], range[1], DType.QUINT8, six)
              : new int[] {0, 255};
      if (!x.shape().equals(y.shape())) {
        List<Tensor> sum = in.add(name, x, y);
        Tensor q =
            Quantization.requantize(
                ctx.intraOp(),
                sum.get(0),
                scalar(name, sum.get(1)),
                scalar(name, sum.get(2)),
                range[0],
                range[1],
                DType.QUINT8);
        byte[] b = q.toByteArray();
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) Math.clamp(b[i] & 0xff, bounds[0], bounds[1]);
        }
        return List.of(
            Tensor.wrapping(DType.QUINT8, q.shape(), b), scalarOf(range[0]), scalarOf(range[1]));
      }
      QuantizedLinear.SumMaps maps = in.sumMaps();
      int[] mx = maps.x();
      int[] my = maps.y();
      FixedPointRequantizer toCode =
          new FixedPointRequantizer(maps.range()[0], maps.range()[1], range[0], range[1]);
      byte[] a = QuantizedRange.bytesToRead(x);
      byte[] b = QuantizedRange.bytesToRead(y);
      byte[] codes = new byte[a.length];
      int lo = bounds[0];
      int hi = bounds[1];
      QuantizedLoops.split(
          ctx.intraOp(),
          codes.length,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              int v = toCode.apply(mx[a[i] & 0xff] + my[b[i] & 0xff]);
              codes[i] = (byte) Math.clamp(v, lo, hi);
            }
          });
      return List.of(
          Tensor.wrapping(DType.QUINT8, x.shape(), codes), scalarOf(range[0]), scalarOf(range[1]));
    };
  }
}
