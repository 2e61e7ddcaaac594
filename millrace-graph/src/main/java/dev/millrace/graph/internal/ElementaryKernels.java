package dev.millrace.graph.internal;

import dev.millrace.graph.Operation;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Kernels the {@link dev.millrace.kernels.Kernels} interface does not offer, in elementary Java:
 * Floor and Cos (for learning-rate schedules), BroadcastGradientArgs, and the seeded random ops.
 */
final class ElementaryKernels {
  private ElementaryKernels() {}

  /** {@code x} broadcast to {@code target} (NumPy rules), copied element by element. */
  static Tensor broadcastTo(Tensor x, Shape target) {
    Shape in = x.shape();
    int rank = target.rank();
    int lead = rank - in.rank();
    long[] srcStride = new long[rank];
    long[] inStrides = in.strides();
    for (int i = 0; i < rank; i++) {
      int k = i - lead;
      if (k < 0) {
        continue;
      }
      long d = in.dim(k);
      if (d != 1 && d != target.dim(i)) {
        throw new IllegalArgumentException("cannot broadcast " + in + " to " + target);
      }
      srcStride[i] = d == 1 ? 0 : inStrides[k];
    }
    if (lead < 0) {
      throw new IllegalArgumentException("cannot broadcast " + in + " to " + target);
    }
    Tensor out = Tensor.zeros(x.dtype(), target);
    int width = x.dtype().byteSize();
    long[] dims = target.dims();
    long[] index = new long[rank];
    long n = out.size();
    for (long o = 0; o < n; o++) {
      long src = 0;
      for (int a = 0; a < rank; a++) {
        src += index[a] * srcStride[a];
      }
      MemorySegment.copy(x.data(), src * width, out.data(), o * width, width);
      for (int a = rank - 1; a >= 0; a--) {
        if (++index[a] < dims[a]) {
          break;
        }
        index[a] = 0;
      }
    }
    return out;
  }

  /** {@code x} itself if every element is finite; else fails with {@code message}. */
  static Tensor checkNumerics(Tensor x, String message) {
    long n = x.size();
    for (long i = 0; i < n; i++) {
      double v = x.getAsDouble(i);
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(
            message
                + " : Tensor had "
                + (Double.isNaN(v) ? "NaN" : "Inf")
                + " values (first at element "
                + i
                + " of "
                + x.shape()
                + ")");
      }
    }
    return x;
  }

  /** Which distribution a random op draws from. */
  enum Distribution {
    UNIFORM,
    NORMAL,
    TRUNCATED_NORMAL
  }

  /**
   * A seeded random kernel: every run of the operation yields the same values (like TensorFlow's
   * stateless random ops), from a SplittableRandom seeded by {@code seed} and {@code seed2}.
   */
  static Kernel random(Operation op, Distribution d) {
    long seed = op.attrInt("seed") * 0x9E3779B97F4A7C15L + op.attrInt("seed2");
    DType type = op.attrType("dtype");
    return ctx -> {
      Shape shape = Shape.of(Consts.longs(ctx.input(0)));
      Tensor out = Tensor.zeros(type, shape);
      SplittableRandom rnd = new SplittableRandom(seed);
      long n = out.size();
      for (long i = 0; i < n; i++) {
        double v =
            switch (d) {
              case UNIFORM ->
                  type == DType.FLOAT32 ? (rnd.nextInt() >>> 8) * 0x1.0p-24 : rnd.nextDouble();
              case NORMAL -> rnd.nextGaussian();
              case TRUNCATED_NORMAL -> {
                double z;
                do {
                  z = rnd.nextGaussian();
                } while (Math.abs(z) > 2);
                yield z;
              }
            };
        if (type == DType.FLOAT64) {
          out.setDouble(i, v);
        } else {
          out.setFloat(i, (float) v);
        }
      }
      return List.of(out);
    };
  }
}
