package dev.millrace.graph.internal.ops;

import dev.millrace.kernels.QuantizedRange;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * QuantizeV2 and Dequantize with {@code axis}: one float range per slice along that dimension (a
 * filter's output channels, say), each slice quantized or dequantized exactly as a whole tensor is
 * with its one range. A tensor of shape {@code [..., n, ...]} is {@code outer × n × inner} in
 * memory; slice {@code i} is the {@code inner} run at {@code i} in each outer block. TensorFlow's
 * kernels refuse MIN_FIRST with an axis; here each slice is then quantized (or dequantized) as
 * TensorFlow's MIN_FIRST treats a whole tensor with that slice's range.
 */
record PerAxis(String op, int outer, int slices, int inner) {
  static PerAxis of(String op, Shape shape, int axis) {
    if (axis < 0 || axis >= shape.rank()) {
      throw new IllegalArgumentException(
          op + ": axis " + axis + " is not -1 or a dimension of the input " + shape);
    }
    long outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= shape.dim(d);
    }
    long inner = 1;
    for (int d = axis + 1; d < shape.rank(); d++) {
      inner *= shape.dim(d);
    }
    return new PerAxis(
        op, Math.toIntExact(outer), Math.toIntExact(shape.dim(axis)), Math.toIntExact(inner));
  }

  /** QuantizeV2 per slice: the codes, and the min and max vectors the slices used. */
  List<Tensor> quantize(
      Tensor x,
      Tensor minRange,
      Tensor maxRange,
      DType t,
      String mode,
      boolean narrow,
      boolean halfToEven,
      float ensure) {
    float[] mins = ranges("min_range", minRange);
    float[] maxs = ranges("max_range", maxRange);
    float[] v = x.toFloatArray();
    int[] codes = new int[v.length];
    float[] usedMin = new float[slices];
    float[] usedMax = new float[slices];
    for (int i = 0; i < slices; i++) {
      if (maxs[i] < mins[i]) {
        throw new IllegalArgumentException(
            op + ": max_range[" + i + "] " + maxs[i] + " is below min_range[" + i + "] " + mins[i]);
      }
      float[] range = Quantization.quantizeRange(mins[i], maxs[i], ensure);
      Tensor slice = Tensor.ofFloats(Shape.of(outer * (long) inner), gather(v, i));
      Tensor q;
      if (mode.equals("SCALED")) {
        List<Tensor> r =
            Quantization.quantizeScaled(slice, range[0], range[1], t, narrow, halfToEven);
        q = r.get(0);
        usedMin[i] = r.get(1).getFloat(0);
        usedMax[i] = r.get(2).getFloat(0);
      } else {
        q =
            mode.equals("MIN_FIRST")
                ? Quantization.quantizeMinFirst(slice, range[0], range[1], t)
                : Quantization.quantizeMinCombined(slice, range[0], range[1], t);
        usedMin[i] = range[0];
        usedMax[i] = range[1];
      }
      scatter(QuantizedRange.codes(q), codes, i);
    }
    Shape perSlice = Shape.of(slices);
    return List.of(
        QuantizedRange.tensor(t, x.shape(), codes),
        Tensor.ofFloats(perSlice, usedMin),
        Tensor.ofFloats(perSlice, usedMax));
  }

  /** Dequantize per slice, in any mode. */
  Tensor dequantize(Tensor q, Tensor minRange, Tensor maxRange, String mode, boolean narrow) {
    float[] mins = ranges("min_range", minRange);
    float[] maxs = ranges("max_range", maxRange);
    int[] codes = QuantizedRange.codes(q);
    float[] out = new float[codes.length];
    for (int i = 0; i < slices; i++) {
      int[] sliceCodes = gather(codes, i);
      Tensor slice = QuantizedRange.tensor(q.dtype(), Shape.of(sliceCodes.length), sliceCodes);
      Tensor f =
          mode.equals("SCALED")
              ? Quantization.dequantizeScaled(slice, mins[i], maxs[i], narrow)
              : Quantization.dequantize(slice, mins[i], maxs[i], mode.equals("MIN_FIRST"));
      scatter(f.toFloatArray(), out, i);
    }
    return Tensor.ofFloats(q.shape(), out);
  }

  private float[] ranges(String what, Tensor t) {
    if (t.dtype() != DType.FLOAT32 || t.shape().rank() != 1 || t.size() != slices) {
      throw new IllegalArgumentException(
          op
              + ": "
              + what
              + " must be "
              + slices
              + " floats, one per slice along the axis, got "
              + t.dtype()
              + " "
              + t.shape());
    }
    return t.toFloatArray();
  }

  private float[] gather(float[] v, int slice) {
    float[] out = new float[outer * inner];
    for (int o = 0; o < outer; o++) {
      System.arraycopy(v, (o * slices + slice) * inner, out, o * inner, inner);
    }
    return out;
  }

  private int[] gather(int[] v, int slice) {
    int[] out = new int[outer * inner];
    for (int o = 0; o < outer; o++) {
      System.arraycopy(v, (o * slices + slice) * inner, out, o * inner, inner);
    }
    return out;
  }

  private void scatter(int[] from, int[] into, int slice) {
    for (int o = 0; o < outer; o++) {
      System.arraycopy(from, o * inner, into, (o * slices + slice) * inner, inner);
    }
  }

  private void scatter(float[] from, float[] into, int slice) {
    for (int o = 0; o < outer; o++) {
      System.arraycopy(from, o * inner, into, (o * slices + slice) * inner, inner);
    }
  }
}
