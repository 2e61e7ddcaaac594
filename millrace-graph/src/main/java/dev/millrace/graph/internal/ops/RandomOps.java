package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.INDEX;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded random ops RandomUniform, RandomStandardNormal and TruncatedNormal. Each op's
 * definition, shape function, traits and kernel binding are written together below.
 */
final class RandomOps {
  private RandomOps() {}

  static void register(OpRegistry r) {
    r.register(random("RandomUniform", Distribution.UNIFORM));
    r.register(random("RandomStandardNormal", Distribution.NORMAL));
    r.register(random("TruncatedNormal", Distribution.TRUNCATED_NORMAL));
  }

  private static OpDef random(String type, Distribution d) {
    return OpDef.builder(type)
        .input("shape", "T")
        .output("output", "dtype")
        .attr("seed", AttrType.INT, AttrValue.of(0L))
        .attr("seed2", AttrType.INT, AttrValue.of(0L))
        .typeAttr("dtype", FLOATS)
        .typeAttr("T", INDEX)
        .shape(c -> one(Shapes.shapeFromInput(c, 0)))
        .kernel(KernelSource.referenceOnly(), op -> kernel(op, d))
        .traits(OpTrait.STATEFUL)
        .build();
  }

  /** Which distribution a random op draws from. */
  private enum Distribution {
    UNIFORM,
    NORMAL,
    TRUNCATED_NORMAL
  }

  /**
   * A seeded random kernel: every run of the operation yields the same values (like TensorFlow's
   * stateless random ops), from a SplittableRandom seeded by {@code seed} and {@code seed2}.
   */
  private static Kernel kernel(Operation op, Distribution d) {
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
