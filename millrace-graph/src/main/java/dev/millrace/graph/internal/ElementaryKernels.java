package dev.millrace.graph.internal;

import dev.millrace.graph.Operation;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Kernels the {@link dev.millrace.kernels.Kernels} interface does not offer, in elementary Java:
 * Floor and Cos (for learning-rate schedules), BroadcastGradientArgs, and the seeded random ops.
 */
final class ElementaryKernels {
  private ElementaryKernels() {}

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
