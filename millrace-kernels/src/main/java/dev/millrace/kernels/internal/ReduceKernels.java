package dev.millrace.kernels.internal;

import dev.millrace.kernels.ReduceOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;

/** Reductions over axes and ArgMax. */
public final class ReduceKernels {
  private ReduceKernels() {}

  public static Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDims) {
    String name = "reduce " + op;
    Checks.requireNonNull(name, "op", op);
    Checks.requireNumeric(name, "x", x);
    Shape shape = x.shape();
    int rank = shape.rank();
    boolean[] reduced = new boolean[rank];
    if (axes == null || axes.length == 0) {
      Arrays.fill(reduced, true);
    } else {
      for (int a : axes) {
        reduced[Checks.axis(name, a, shape)] = true;
      }
    }
    long[] kept = shape.dims();
    long count = 1;
    int outRank = 0;
    for (int a = 0; a < rank; a++) {
      if (reduced[a]) {
        count *= kept[a];
        kept[a] = 1;
      } else {
        outRank++;
      }
    }
    Shape keptShape = Shape.of(kept);
    Shape outShape = keepDims ? keptShape : Shape.of(withoutReduced(kept, reduced, outRank));
    // Each input element's output slot: the kept shape broadcast back to the input's shape.
    int[] target = Broadcast.sourceIndices(keptShape, shape);
    int outCount = Buffers.count(keptShape);
    if (x.dtype().isFloating()) {
      double[] v = Buffers.doubles(x);
      double[] r = new double[outCount];
      Arrays.fill(r, identity(op));
      for (int i = 0; i < v.length; i++) {
        r[target[i]] = combine(op, r[target[i]], v[i]);
      }
      if (op == ReduceOp.MEAN) {
        for (int i = 0; i < outCount; i++) {
          r[i] /= count; // 0 / 0 = NaN for an empty reduction, as TensorFlow
        }
      }
      return Buffers.fromDoubles(x.dtype(), outShape, r);
    }
    long[] v = Buffers.longs(x);
    long[] r = new long[outCount];
    Arrays.fill(r, identityInteger(op, x.dtype()));
    for (int i = 0; i < v.length; i++) {
      r[target[i]] = combineInteger(op, r[target[i]], v[i]);
    }
    if (op == ReduceOp.MEAN) {
      for (int i = 0; i < outCount; i++) {
        r[i] = count == 0 ? 0 : r[i] / count; // integer mean truncates, as TensorFlow
      }
    }
    return Buffers.fromLongs(x.dtype(), outShape, r);
  }

  private static long[] withoutReduced(long[] dims, boolean[] reduced, int outRank) {
    long[] out = new long[outRank];
    int k = 0;
    for (int a = 0; a < dims.length; a++) {
      if (!reduced[a]) {
        out[k++] = dims[a];
      }
    }
    return out;
  }

  private static double identity(ReduceOp op) {
    return switch (op) {
      case SUM, MEAN -> 0;
      case PROD -> 1;
      case MAX -> Double.NEGATIVE_INFINITY;
      case MIN -> Double.POSITIVE_INFINITY;
    };
  }

  private static double combine(ReduceOp op, double acc, double v) {
    return switch (op) {
      case SUM, MEAN -> acc + v;
      case PROD -> acc * v;
      case MAX -> Math.max(acc, v);
      case MIN -> Math.min(acc, v);
    };
  }

  private static long identityInteger(ReduceOp op, DType dtype) {
    boolean i32 = dtype == DType.INT32;
    return switch (op) {
      case SUM, MEAN -> 0;
      case PROD -> 1;
      case MAX -> i32 ? Integer.MIN_VALUE : Long.MIN_VALUE;
      case MIN -> i32 ? Integer.MAX_VALUE : Long.MAX_VALUE;
    };
  }

  private static long combineInteger(ReduceOp op, long acc, long v) {
    return switch (op) {
      case SUM, MEAN -> acc + v;
      case PROD -> acc * v;
      case MAX -> Math.max(acc, v);
      case MIN -> Math.min(acc, v);
    };
  }

  public static Tensor argmax(Tensor x, int axis) {
    String op = "argmax";
    Checks.requireNumeric(op, "x", x);
    Shape shape = x.shape();
    if (shape.rank() == 0) {
      throw new IllegalArgumentException(op + ": x must have rank >= 1, got shape " + shape);
    }
    int ax = Checks.axis(op, axis, shape);
    long[] dims = shape.dims();
    int len = Math.toIntExact(dims[ax]);
    if (len == 0 && sizeWithout(dims, ax) > 0) {
      throw new IllegalArgumentException(
          op + ": axis " + axis + " of shape " + shape + " is empty; there is no largest value");
    }
    int outer = Math.toIntExact(sizeBefore(dims, ax));
    int inner = Math.toIntExact(sizeAfter(dims, ax));
    long[] outDims = new long[dims.length - 1];
    for (int a = 0, k = 0; a < dims.length; a++) {
      if (a != ax) {
        outDims[k++] = dims[a];
      }
    }
    boolean floating = x.dtype().isFloating();
    double[] dv = floating ? Buffers.doubles(x) : null;
    long[] lv = floating ? null : Buffers.longs(x);
    long[] r = new long[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int best = 0;
        for (int j = 1; j < len; j++) {
          // Strictly greater: the first of equal maxima wins.
          int a = (o * len + j) * inner + i;
          int b = (o * len + best) * inner + i;
          if (floating ? dv[a] > dv[b] : lv[a] > lv[b]) {
            best = j;
          }
        }
        r[o * inner + i] = best;
      }
    }
    return Buffers.fromLongs(DType.INT64, Shape.of(outDims), r);
  }

  private static long sizeBefore(long[] dims, int axis) {
    long n = 1;
    for (int a = 0; a < axis; a++) {
      n *= dims[a];
    }
    return n;
  }

  private static long sizeAfter(long[] dims, int axis) {
    long n = 1;
    for (int a = axis + 1; a < dims.length; a++) {
      n *= dims[a];
    }
    return n;
  }

  private static long sizeWithout(long[] dims, int axis) {
    return sizeBefore(dims, axis) * sizeAfter(dims, axis);
  }
}
