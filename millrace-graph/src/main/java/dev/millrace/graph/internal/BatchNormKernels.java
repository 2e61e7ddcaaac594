package dev.millrace.graph.internal;

import dev.millrace.graph.Operation;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.kernels.BatchNormGradients;
import dev.millrace.kernels.BinaryOp;
import dev.millrace.kernels.FusedBatchNormResult;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.ReduceOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * Kernels of FusedBatchNormV3 and FusedBatchNormGradV3 over the {@link Kernels} interface. The
 * reserve spaces hold the saved mean (1) and inverse standard deviation (2); reserve space 3 is
 * empty. The interface has no inference-mode gradient, so that one is composed from elementwise
 * kernels here.
 */
final class BatchNormKernels {
  private BatchNormKernels() {}

  static Kernel forward(Operation op) {
    double eps = op.attrFloat("epsilon");
    double factor = op.attrFloat("exponential_avg_factor");
    DataFormat f = Specs.format(op);
    boolean training = op.attrBool("is_training");
    return ctx -> {
      Kernels k = ctx.kernels();
      Tensor x = ctx.input(0);
      Tensor mean = ctx.input(3).size() == 0 ? null : ctx.input(3);
      Tensor var = ctx.input(4).size() == 0 ? null : ctx.input(4);
      if (!training && (mean == null || var == null)) {
        throw new IllegalArgumentException("inference needs a mean and a variance per channel");
      }
      FusedBatchNormResult r =
          k.fusedBatchNorm(
              x,
              ctx.input(1),
              ctx.input(2),
              training ? null : mean,
              training ? null : var,
              eps,
              f,
              training);
      Tensor batchMean = r.batchMean();
      Tensor batchVar = r.batchVariance();
      if (training && factor != 1.0 && mean != null && var != null) {
        // TensorFlow's exponential_avg_factor: the outputs are already the moving averages.
        batchMean = mix(k, mean, batchMean, factor);
        batchVar = mix(k, var, batchVar, factor);
      }
      Tensor empty = Tensor.zeros(batchMean.dtype(), Shape.of(0));
      return List.of(r.y(), batchMean, batchVar, r.savedMean(), r.savedInvStd(), empty);
    };
  }

  static Kernel backward(Operation op) {
    DataFormat f = Specs.format(op);
    boolean training = op.attrBool("is_training");
    return ctx -> {
      Kernels k = ctx.kernels();
      Tensor dy = ctx.input(0);
      Tensor x = ctx.input(1);
      Tensor scale = ctx.input(2);
      Tensor savedMean = ctx.input(3);
      Tensor invStd = ctx.input(4);
      Tensor empty = Tensor.zeros(scale.dtype(), Shape.of(0));
      if (training) {
        BatchNormGradients g = k.fusedBatchNormGrad(dy, x, scale, savedMean, invStd, f);
        return List.of(g.x(), g.scale(), g.offset(), empty, empty.copy());
      }
      // Inference: y = scale * (x - mean) * invStd + offset with constant statistics.
      long c = scale.size();
      Shape pc = f == DataFormat.NHWC ? Shape.of(c) : Shape.of(c, 1, 1);
      Tensor factor = k.binary(BinaryOp.MUL, scale, invStd).reshape(pc);
      Tensor dx = k.binary(BinaryOp.MUL, dy, factor);
      Tensor centred = k.binary(BinaryOp.SUB, x, savedMean.reshape(pc));
      Tensor normalised = k.binary(BinaryOp.MUL, centred, invStd.reshape(pc));
      int[] axes = f == DataFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
      Tensor dscale = k.reduce(ReduceOp.SUM, k.binary(BinaryOp.MUL, dy, normalised), axes, false);
      Tensor doffset = k.reduce(ReduceOp.SUM, dy, axes, false);
      return List.of(dx, dscale, doffset, empty, empty.copy());
    };
  }

  private static Tensor mix(Kernels k, Tensor old, Tensor fresh, double factor) {
    return k.binary(
        BinaryOp.ADD,
        k.binary(BinaryOp.MUL, old, scalar(old.dtype(), 1 - factor)),
        k.binary(BinaryOp.MUL, fresh, scalar(old.dtype(), factor)));
  }

  static Tensor scalar(DType t, double v) {
    return t == DType.FLOAT64
        ? Tensor.ofDoubles(Shape.scalar(), v)
        : Tensor.ofFloats(Shape.scalar(), (float) v);
  }
}
