package dev.millrace.kernels.internal;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * Transpose, Concat, Pad and its gradient, Slice, StridedSlice and its gradient, and Fill: data
 * movement for any element type (STRING included, except where a fill value is needed).
 */
public final class ShapeKernels {
  private ShapeKernels() {}

  public static Tensor transpose(Tensor x, int[] perm) {
    String op = "transpose";
    Checks.requireNonNull(op, "x", x);
    Checks.requireNonNull(op, "perm", perm);
    int rank = x.shape().rank();
    boolean[] seen = new boolean[rank];
    boolean valid = perm.length == rank;
    for (int i = 0; valid && i < rank; i++) {
      valid = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]];
      if (valid) {
        seen[perm[i]] = true;
      }
    }
    if (!valid) {
      throw new IllegalArgumentException(
          op
              + ": perm "
              + Checks.str(perm)
              + " is not a permutation of the "
              + rank
              + " axes of x "
              + Checks.describe(x));
    }
    return x.transpose(perm);
  }

  public static Tensor concat(List<Tensor> parts, int axis) {
    String op = "concat";
    Checks.requireNonNull(op, "parts", parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException(op + ": needs at least one tensor, got none");
    }
    Tensor first = parts.get(0);
    Checks.requireNonNull(op, "parts[0]", first);
    Shape s0 = first.shape();
    if (s0.rank() == 0) {
      throw new IllegalArgumentException(op + ": cannot concatenate scalars (parts[0] is []");
    }
    int ax = Checks.axis(op, axis, s0);
    long total = 0;
    for (int p = 0; p < parts.size(); p++) {
      Tensor t = parts.get(p);
      Checks.requireNonNull(op, "parts[" + p + "]", t);
      Checks.requireSameDType(op, "parts[0]", first, "parts[" + p + "]", t);
      Shape s = t.shape();
      boolean agrees = s.rank() == s0.rank();
      for (int a = 0; agrees && a < s.rank(); a++) {
        agrees = a == ax || s.dim(a) == s0.dim(a);
      }
      if (!agrees) {
        throw new IllegalArgumentException(
            op + ": parts[0] " + s0 + " and parts[" + p + "] " + s + " differ outside axis " + ax);
      }
      total += s.dim(ax);
    }
    Tensor out = Tensor.zeros(first.dtype(), s0.withDim(ax, total));
    long[] dstStart = new long[s0.rank()];
    for (Tensor t : parts) {
      copyBox(t, new long[s0.rank()], out, dstStart, t.shape().dims());
      dstStart[ax] += t.shape().dim(ax);
    }
    return out;
  }

  public static Tensor pad(Tensor x, long[][] paddings, double value) {
    String op = "pad";
    Checks.requireNonNull(op, "x", x);
    checkPaddings(op, x.shape(), paddings);
    if (!Checks.isCastable(x.dtype())) {
      throw new IllegalArgumentException(
          op + ": cannot pad " + Checks.describe(x) + " with a number");
    }
    long[] dims = x.shape().dims();
    long[] outDims = new long[dims.length];
    long[] before = new long[dims.length];
    for (int a = 0; a < dims.length; a++) {
      before[a] = paddings[a][0];
      outDims[a] = paddings[a][0] + dims[a] + paddings[a][1];
    }
    Tensor out = fill(x.dtype(), Shape.of(outDims), value);
    copyBox(x, new long[dims.length], out, before, dims);
    return out;
  }

  public static Tensor padGrad(Tensor grad, long[][] paddings) {
    String op = "padGrad";
    Checks.requireNonNull(op, "grad", grad);
    checkPaddings(op, grad.shape(), paddings);
    long[] dims = grad.shape().dims();
    long[] begin = new long[dims.length];
    long[] size = new long[dims.length];
    for (int a = 0; a < dims.length; a++) {
      begin[a] = paddings[a][0];
      size[a] = dims[a] - paddings[a][0] - paddings[a][1];
      if (size[a] < 0) {
        throw new IllegalArgumentException(
            op
                + ": paddings "
                + Arrays.deepToString(paddings)
                + " exceed grad's shape "
                + grad.shape()
                + " on axis "
                + a);
      }
    }
    Tensor out = Tensor.zeros(grad.dtype(), Shape.of(size));
    copyBox(grad, begin, out, new long[dims.length], size);
    return out;
  }

  public static Tensor slice(Tensor x, long[] begin, long[] size) {
    String op = "slice";
    Checks.requireNonNull(op, "x", x);
    Checks.requireNonNull(op, "begin", begin);
    Checks.requireNonNull(op, "size", size);
    long[] dims = x.shape().dims();
    if (begin.length != dims.length || size.length != dims.length) {
      throw new IllegalArgumentException(
          op
              + ": begin "
              + Checks.str(begin)
              + " and size "
              + Checks.str(size)
              + " need one entry per axis of x "
              + x.shape());
    }
    long[] extent = new long[dims.length];
    for (int a = 0; a < dims.length; a++) {
      extent[a] = size[a] == -1 ? dims[a] - begin[a] : size[a];
      if (begin[a] < 0 || begin[a] > dims[a] || extent[a] < 0 || begin[a] + extent[a] > dims[a]) {
        throw new IllegalArgumentException(
            op
                + ": begin "
                + Checks.str(begin)
                + " and size "
                + Checks.str(size)
                + " do not fit in x "
                + x.shape()
                + " on axis "
                + a);
      }
    }
    Tensor out = Tensor.zeros(x.dtype(), Shape.of(extent));
    copyBox(x, begin, out, new long[dims.length], extent);
    return out;
  }

  /**
   * StridedSlice's data movement: a tensor of shape {@code size} whose element {@code i} is {@code
   * x[begin + i * strides]} (TensorFlow's processing shape, before axes are added or removed).
   * Strides may be negative; every element read must lie inside {@code x}.
   */
  public static Tensor stridedSlice(Tensor x, long[] begin, long[] strides, long[] size) {
    String op = "stridedSlice";
    Checks.requireNonNull(op, "x", x);
    checkStrided(op, x.shape(), begin, strides, size);
    Tensor out = Tensor.zeros(x.dtype(), Shape.of(size));
    copyStrided(x, out, begin, strides, size, true);
    return out;
  }

  /**
   * StridedSliceGrad's data movement: a zero tensor of {@code shape} holding {@code dy}'s element
   * {@code i} at {@code begin + i * strides}, {@code dy} having the processing shape.
   */
  public static Tensor stridedSliceGrad(Shape shape, Tensor dy, long[] begin, long[] strides) {
    String op = "stridedSliceGrad";
    Checks.requireNonNull(op, "dy", dy);
    Checks.requireDefined(op, "shape", shape);
    long[] size = dy.shape().dims();
    checkStrided(op, shape, begin, strides, size);
    Tensor out = Tensor.zeros(dy.dtype(), shape);
    copyStrided(out, dy, begin, strides, size, false);
    return out;
  }

  /** Every index {@code begin + i * strides} with {@code 0 <= i < size} must lie inside shape. */
  private static void checkStrided(
      String op, Shape shape, long[] begin, long[] strides, long[] size) {
    Checks.requireNonNull(op, "begin", begin);
    Checks.requireNonNull(op, "strides", strides);
    Checks.requireNonNull(op, "size", size);
    int rank = shape.rank();
    if (begin.length != rank || strides.length != rank || size.length != rank) {
      throw new IllegalArgumentException(
          op
              + ": begin "
              + Checks.str(begin)
              + ", strides "
              + Checks.str(strides)
              + " and size "
              + Checks.str(size)
              + " need one entry per axis of "
              + shape);
    }
    boolean empty = false;
    for (int a = 0; a < rank; a++) {
      empty |= size[a] == 0;
    }
    for (int a = 0; a < rank && !empty; a++) {
      long last = begin[a] + (size[a] - 1) * strides[a];
      if (size[a] < 0
          || begin[a] < 0
          || begin[a] >= shape.dim(a)
          || last < 0
          || last >= shape.dim(a)) {
        throw new IllegalArgumentException(
            op
                + ": begin "
                + Checks.str(begin)
                + ", strides "
                + Checks.str(strides)
                + " and size "
                + Checks.str(size)
                + " leave "
                + shape
                + " on axis "
                + a);
      }
    }
  }

  /**
   * Copies between the strided box of {@code big} ({@code begin}, {@code strides}, {@code size})
   * and the dense tensor {@code dense} of shape {@code size}: from the box if {@code gather}, into
   * it otherwise. The innermost axis runs as one block copy when its stride is 1.
   */
  private static void copyStrided(
      Tensor big, Tensor dense, long[] begin, long[] strides, long[] size, boolean gather) {
    int rank = size.length;
    for (long e : size) {
      if (e == 0) {
        return;
      }
    }
    if (rank == 0) {
      copyElements(gather ? big : dense, 0, gather ? dense : big, 0, 1);
      return;
    }
    long[] bigStrides = big.shape().strides();
    long row = size[rank - 1];
    long step = strides[rank - 1] * bigStrides[rank - 1];
    long[] index = new long[rank - 1];
    long at = 0;
    while (true) {
      long b = begin[rank - 1] * bigStrides[rank - 1];
      for (int a = 0; a < rank - 1; a++) {
        b += (begin[a] + index[a] * strides[a]) * bigStrides[a];
      }
      if (step == 1) {
        copyElements(
            gather ? big : dense, gather ? b : at, gather ? dense : big, gather ? at : b, row);
      } else if (gather) {
        copyRow(big, b, step, dense, at, 1, row);
      } else {
        copyRow(dense, at, 1, big, b, step, row);
      }
      at += row;
      int a = rank - 2;
      while (a >= 0 && ++index[a] == size[a]) {
        index[a] = 0;
        a--;
      }
      if (a < 0) {
        return;
      }
    }
  }

  public static Tensor fill(DType dtype, Shape shape, double value) {
    String op = "fill";
    Checks.requireNonNull(op, "dtype", dtype);
    Checks.requireDefined(op, "shape", shape);
    if (!Checks.isCastable(dtype)) {
      throw new IllegalArgumentException(op + ": cannot fill a " + dtype + " tensor with a number");
    }
    double[] v = new double[Buffers.count(shape)];
    Arrays.fill(v, value);
    return Buffers.fromDoubles(dtype, shape, v);
  }

  private static void checkPaddings(String op, Shape shape, long[][] paddings) {
    Checks.requireNonNull(op, "paddings", paddings);
    boolean ok = paddings.length == shape.rank();
    for (int a = 0; ok && a < paddings.length; a++) {
      ok =
          paddings[a] != null
              && paddings[a].length == 2
              && paddings[a][0] >= 0
              && paddings[a][1] >= 0;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          op
              + ": paddings "
              + Arrays.deepToString(paddings)
              + " must be "
              + shape.rank()
              + " pairs {before, after} >= 0 for shape "
              + shape);
    }
  }

  /**
   * Copies the box of {@code extent} starting at {@code srcStart} in {@code src} to the one
   * starting at {@code dstStart} in {@code dst}, one innermost row at a time.
   */
  static void copyBox(Tensor src, long[] srcStart, Tensor dst, long[] dstStart, long[] extent) {
    int rank = extent.length;
    for (long e : extent) {
      if (e == 0) {
        return;
      }
    }
    if (rank == 0) {
      copyElements(src, 0, dst, 0, 1);
      return;
    }
    long[] srcStrides = src.shape().strides();
    long[] dstStrides = dst.shape().strides();
    long row = extent[rank - 1];
    long[] index = new long[rank - 1];
    while (true) {
      long s = srcStart[rank - 1];
      long d = dstStart[rank - 1];
      for (int a = 0; a < rank - 1; a++) {
        s += (srcStart[a] + index[a]) * srcStrides[a];
        d += (dstStart[a] + index[a]) * dstStrides[a];
      }
      copyElements(src, s, dst, d, row);
      int a = rank - 2;
      while (a >= 0 && ++index[a] == extent[a]) {
        index[a] = 0;
        a--;
      }
      if (a < 0) {
        return;
      }
    }
  }

  /**
   * Copies {@code count} elements from {@code src} (at {@code from}, every {@code srcStep}) to
   * {@code dst} (at {@code to}, every {@code dstStep}), one element-sized load and store each.
   */
  private static void copyRow(
      Tensor src, long from, long srcStep, Tensor dst, long to, long dstStep, long count) {
    if (src.dtype() == DType.STRING) {
      for (long i = 0; i < count; i++) {
        dst.setString((int) (to + i * dstStep), src.getString((int) (from + i * srcStep)));
      }
      return;
    }
    MemorySegment s = src.data();
    MemorySegment d = dst.data();
    switch (src.dtype().byteSize()) {
      case 4 -> {
        for (long i = 0; i < count; i++) {
          d.setAtIndex(INT, to + i * dstStep, s.getAtIndex(INT, from + i * srcStep));
        }
      }
      case 8 -> {
        for (long i = 0; i < count; i++) {
          d.setAtIndex(LONG, to + i * dstStep, s.getAtIndex(LONG, from + i * srcStep));
        }
      }
      case 1 -> {
        for (long i = 0; i < count; i++) {
          d.set(
              ValueLayout.JAVA_BYTE,
              to + i * dstStep,
              s.get(ValueLayout.JAVA_BYTE, from + i * srcStep));
        }
      }
      default -> {
        for (long i = 0; i < count; i++) {
          copyElements(src, from + i * srcStep, dst, to + i * dstStep, 1);
        }
      }
    }
  }

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

  private static void copyElements(Tensor src, long from, Tensor dst, long to, long count) {
    if (src.dtype() == DType.STRING) {
      for (long i = 0; i < count; i++) {
        dst.setString((int) (to + i), src.getString((int) (from + i)));
      }
      return;
    }
    int width = src.dtype().byteSize();
    MemorySegment.copy(src.data(), from * width, dst.data(), to * width, count * width);
  }
}
