package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.ReduceOp;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * SUM, MEAN, MAX and MIN of FLOAT32 tensors over any set of axes. The input's axes are merged into
 * alternating groups of reduced and kept axes; the last group is the vector loop (a reduced run is
 * folded into one value, a kept run is combined lane by lane into the output), the others an
 * odometer. Threads split the odometer, each into its own partial output when their ranges could
 * meet the same output element, the partials combined at the end. Sums accumulate in float, in 8
 * lanes: the error bound is that of a float sum of the reduced count.
 */
public final class SimdReduce {
  private SimdReduce() {}

  /** True for the reductions this class computes (PROD goes to the reference kernels). */
  public static boolean supports(ReduceOp op) {
    return op == ReduceOp.SUM || op == ReduceOp.MEAN || op == ReduceOp.MAX || op == ReduceOp.MIN;
  }

  /**
   * Reduces {@code x} over the axes flagged in {@code reduced}, into {@code outShape} (the kept
   * shape with or without the size-1 axes).
   */
  public static Tensor reduce(
      ReduceOp op, Tensor x, boolean[] reduced, Shape outShape, KernelThreads threads) {
    long[] dims = x.shape().dims();
    int rank = dims.length;
    int[] d = new int[rank];
    boolean[] red = new boolean[rank];
    int k = 0;
    long count = 1;
    for (int i = 0; i < rank; i++) {
      if (reduced[i]) {
        count *= dims[i];
      }
      int dim = Math.toIntExact(dims[i]);
      if (dim == 1) {
        continue;
      }
      if (k > 0 && red[k - 1] == reduced[i]) {
        d[k - 1] *= dim;
      } else {
        d[k] = dim;
        red[k] = reduced[i];
        k++;
      }
    }
    float[] v = Floats.of(x);
    Tensor result = Floats.zeros(outShape);
    float[] out = Floats.array(result);
    float identity = identity(op);
    java.util.Arrays.fill(out, identity);
    if (v.length > 0) {
      if (k == 0) {
        out[0] = combine(op, identity, v[0]);
      } else {
        run(op, v, out, java.util.Arrays.copyOf(d, k), java.util.Arrays.copyOf(red, k), threads);
      }
    }
    if (op == ReduceOp.MEAN) {
      float n = count;
      for (int i = 0; i < out.length; i++) {
        out[i] /= n; // 0 / 0 = NaN for an empty reduction, as TensorFlow
      }
    }
    return result;
  }

  private static void run(
      ReduceOp op, float[] v, float[] out, int[] d, boolean[] red, KernelThreads threads) {
    int groups = d.length;
    int len = d[groups - 1];
    boolean lastReduced = red[groups - 1];
    // Strides of each group in the input and (kept groups only) in the output.
    int[] inStride = new int[groups];
    int[] outStride = new int[groups];
    int ri = 1;
    int ro = 1;
    for (int g = groups - 1; g >= 0; g--) {
      inStride[g] = ri;
      ri *= d[g];
      outStride[g] = red[g] ? 0 : ro;
      ro *= red[g] ? 1 : d[g];
    }
    int outer = 1;
    for (int g = 0; g < groups - 1; g++) {
      outer *= d[g];
    }
    int tasks = Math.min(IntRange.tasksFor((long) outer * len, threads), outer);
    // Tasks split the first group; if it is kept, their outputs are disjoint.
    boolean disjoint = groups > 1 && !red[0];
    float[][] partial = new float[tasks][];
    IntRange.split(
        outer,
        tasks,
        threads,
        (task, o0, o1) -> {
          float[] dst = out;
          if (tasks > 1 && !disjoint) {
            dst = new float[out.length];
            java.util.Arrays.fill(dst, identity(op));
            partial[task] = dst;
          }
          for (int o = o0; o < o1; o++) {
            int in = 0;
            int at = 0;
            int rest = o;
            for (int g = groups - 2; g >= 0; g--) {
              int i = rest % d[g];
              rest /= d[g];
              in += i * inStride[g];
              at += i * outStride[g];
            }
            if (lastReduced) {
              dst[at] = combine(op, dst[at], fold(op, v, in, len));
            } else {
              combineRun(op, dst, at, v, in, len);
            }
          }
        });
    for (float[] p : partial) {
      if (p != null) {
        for (int i = 0; i < out.length; i++) {
          out[i] = combine(op, out[i], p[i]);
        }
      }
    }
  }

  /** {@code op} over {@code v[from, from + n)}. */
  private static float fold(ReduceOp op, float[] v, int from, int n) {
    int i = 0;
    float r = identity(op);
    if (n >= Gemm.NR) {
      FloatVector acc = FloatVector.fromArray(Gemm.F, v, from);
      for (i = Gemm.NR; i <= n - Gemm.NR; i += Gemm.NR) {
        acc = combine(op, acc, FloatVector.fromArray(Gemm.F, v, from + i));
      }
      r =
          switch (op) {
            case MAX -> acc.reduceLanes(VectorOperators.MAX);
            case MIN -> acc.reduceLanes(VectorOperators.MIN);
            default -> LaneMath.sum(acc);
          };
    }
    for (; i < n; i++) {
      r = combine(op, r, v[from + i]);
    }
    return r;
  }

  /** {@code dst[at + i] = op(dst[at + i], v[from + i])} for {@code i < n}. */
  private static void combineRun(ReduceOp op, float[] dst, int at, float[] v, int from, int n) {
    int i = 0;
    for (; i <= n - Gemm.NR; i += Gemm.NR) {
      combine(
              op,
              FloatVector.fromArray(Gemm.F, dst, at + i),
              FloatVector.fromArray(Gemm.F, v, from + i))
          .intoArray(dst, at + i);
    }
    for (; i < n; i++) {
      dst[at + i] = combine(op, dst[at + i], v[from + i]);
    }
  }

  private static FloatVector combine(ReduceOp op, FloatVector a, FloatVector b) {
    return switch (op) {
      case MAX -> a.max(b);
      case MIN -> a.min(b);
      default -> a.add(b);
    };
  }

  private static float combine(ReduceOp op, float a, float b) {
    return switch (op) {
      case MAX -> Math.max(a, b);
      case MIN -> Math.min(a, b);
      default -> a + b;
    };
  }

  private static float identity(ReduceOp op) {
    return switch (op) {
      case MAX -> Float.NEGATIVE_INFINITY;
      case MIN -> Float.POSITIVE_INFINITY;
      default -> 0f;
    };
  }
}
