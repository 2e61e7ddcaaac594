package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Quantization.scalar;

import dev.millrace.kernels.AffineRequantization;
import dev.millrace.kernels.QuantizedRange;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What TensorFlow's fused eight-bit layer ops (QuantizedConv2DWithBiasAndReluAndRequantize,
 * QuantizedMatMulWithBias...) multiply, in the form the integer cores take: the QUINT8 input with
 * its zero code and step, the filter as QUINT8 codes with one zero code and a step per output
 * channel (or one), and the float bias.
 *
 * <p>The meaning of the codes is TensorFlow's: the input is MIN_FIRST ({@code x = (q - zero) · (max
 * - min) / 255}, the zero code as QuantizedConv2D takes it) or, for {@code input_quant_mode}
 * SCALED, {@code q · max(|min|, |max|) / 255}; a QINT8 filter is SCALED and symmetric, {@code w = q
 * · max(|min_c|, |max_c|) / 127} for each output channel {@code c} when the ranges are vectors; a
 * QUINT8 filter is MIN_FIRST with one range. A QINT8 code {@code q} is the QUINT8 code {@code q ^
 * 0x80} with zero code 128, so the unsigned cores multiply it unchanged.
 *
 * @param inputZero the input's zero code
 * @param inputStep the real value of one input code step
 * @param filter QUINT8 codes, HWIO or the MatMul's b
 * @param filterZero the filter's zero code
 * @param filterSteps the real value of one filter step, per output channel or one for all
 * @param bias one float per output channel
 */
record LayerOperands(
    int inputZero,
    double inputStep,
    Tensor filter,
    int filterZero,
    float[] filterSteps,
    float[] bias) {

  /** The requantization of the real results into the QUINT8 codes of {@code [outMin, outMax]}. */
  AffineRequantization requantization(float outMin, float outMax, boolean relu) {
    return AffineRequantization.of(inputStep, filterSteps, bias, outMin, outMax, relu);
  }

  /**
   * Per channel, what a sum is multiplied by for its real value: {@code inputStep · filterStep}.
   */
  float[] realScales() {
    float[] s = new float[bias.length];
    for (int c = 0; c < s.length; c++) {
      s[c] = (float) (inputStep * filterSteps[filterSteps.length == 1 ? 0 : c]);
    }
    return s;
  }

  /**
   * Reads the op's inputs {@code x, filter, bias, min_x, max_x, min_filter, max_filter}
   * (TensorFlow's order); {@code channels} is the number of output channels, {@code flipped} the
   * op's cache of its filter's QUINT8 codes.
   */
  static LayerOperands of(
      String op,
      Tensor x,
      Tensor filter,
      Tensor bias,
      Tensor minX,
      Tensor maxX,
      Tensor minFilter,
      Tensor maxFilter,
      int channels,
      boolean scaledInput,
      FlippedFilter flipped) {
    requireType(op, "input", x, DType.QUINT8);
    float lo = scalar(op + " min of the input", minX);
    float hi = scalar(op + " max of the input", maxX);
    int zero = scaledInput ? 0 : (int) QuantizedRange.toCodeUnclamped(0f, lo, hi, DType.QUINT8);
    double step =
        scaledInput
            ? Math.max(Math.abs((double) lo), Math.abs((double) hi)) / 255.0
            : ((double) hi - lo) / 255.0;
    float[] fmin = ranges(op, "min_filter", minFilter, channels);
    float[] fmax = ranges(op, "max_filter", maxFilter, channels);
    if (fmin.length != fmax.length) {
      throw new IllegalArgumentException(
          op
              + ": min_filter "
              + minFilter.shape()
              + " and max_filter "
              + maxFilter.shape()
              + " differ in size");
    }
    float[] steps = new float[fmin.length];
    Tensor codes;
    int filterZero;
    if (filter.dtype() == DType.QINT8) {
      for (int c = 0; c < steps.length; c++) {
        steps[c] =
            (float) (Math.max(Math.abs((double) fmin[c]), Math.abs((double) fmax[c])) / 127.0);
      }
      codes = flipped.quint8(filter);
      filterZero = 128;
    } else if (filter.dtype() == DType.QUINT8) {
      if (steps.length != 1) {
        throw new IllegalArgumentException(
            op
                + ": a quint8 filter takes one range (one zero code), got "
                + steps.length
                + " per-channel ranges");
      }
      steps[0] = (float) (((double) fmax[0] - fmin[0]) / 255.0);
      codes = filter;
      filterZero = (int) QuantizedRange.toCodeUnclamped(0f, fmin[0], fmax[0], DType.QUINT8);
    } else {
      throw new IllegalArgumentException(
          op + ": the filter must be qint8 or quint8, got " + filter.dtype());
    }
    return new LayerOperands(zero, step, codes, filterZero, steps, biasValues(op, bias, channels));
  }

  private static float[] biasValues(String op, Tensor bias, int channels) {
    if (bias.dtype() == DType.QINT32) {
      throw new IllegalArgumentException(
          op + ": a qint32 bias (Tbias) is not supported; give the bias as float32");
    }
    requireType(op, "bias", bias, DType.FLOAT32);
    if (bias.shape().rank() != 1 || bias.size() != channels) {
      throw new IllegalArgumentException(
          op
              + ": bias "
              + bias.shape()
              + " must be one value per output channel ("
              + channels
              + ")");
    }
    return bias.toFloatArray();
  }

  /** A filter range input: one float32, or one per output channel. */
  private static float[] ranges(String op, String name, Tensor t, int channels) {
    boolean shaped =
        t.shape().rank() == 0 || (t.shape().rank() == 1 && (t.size() == 1 || t.size() == channels));
    if (t.dtype() != DType.FLOAT32 || !shaped) {
      throw new IllegalArgumentException(
          op
              + ": "
              + name
              + " must be a float32 scalar or a vector of the "
              + channels
              + " output channels, got "
              + t.dtype()
              + " "
              + t.shape());
    }
    return t.toFloatArray();
  }

  private static void requireType(String op, String what, Tensor t, DType want) {
    if (t.dtype() != want) {
      throw new IllegalArgumentException(
          op + ": the " + what + " must be " + want + ", got " + t.dtype());
    }
  }

  /**
   * A QINT8 filter's QUINT8 codes, kept for the filter tensor last seen: the filter is a constant
   * (TensorFlow's kernel requires a Const node), so each run after the first reuses the codes.
   */
  static final class FlippedFilter {
    private record Flip(Tensor source, Tensor codes) {}

    private final AtomicReference<Flip> last = new AtomicReference<>();

    Tensor quint8(Tensor qint8) {
      Flip f = last.get();
      if (f != null && f.source() == qint8) {
        return f.codes();
      }
      byte[] b = qint8.toByteArray();
      for (int i = 0; i < b.length; i++) {
        b[i] ^= (byte) 0x80;
      }
      Tensor codes = Tensor.wrapping(DType.QUINT8, qint8.shape(), b);
      last.set(new Flip(qint8, codes));
      return codes;
    }
  }
}
