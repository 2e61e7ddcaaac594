package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.FLOAT_SET;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Specs;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.BatchNormGradients;
import dev.millrace.kernels.BinaryOp;
import dev.millrace.kernels.FusedBatchNormResult;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.ReduceOp;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fused batch normalization: FusedBatchNormV3 and its gradient op FusedBatchNormGradV3, in both
 * data formats, and the older BatchNormWithGlobalNormalization. Each op's definition, shape
 * function, gradient, traits and kernel binding are written together below. The reserve spaces hold
 * the saved mean (1) and inverse standard deviation (2); reserve space 3 is empty. The {@link
 * Kernels} interface has no inference-mode gradient, so that one is composed from elementwise
 * kernels here.
 */
final class BatchNorms {
  private BatchNorms() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("FusedBatchNormV3")
            .input("x", "T")
            .input("scale", "U")
            .input("offset", "U")
            .input("mean", "U")
            .input("variance", "U")
            .output("y", "T")
            .output("batch_mean", "U")
            .output("batch_variance", "U")
            .output("reserve_space_1", "U")
            .output("reserve_space_2", "U")
            .output("reserve_space_3", "U")
            .typeAttr("T", FLOATS)
            .typeAttr("U", FLOATS)
            .attr("epsilon", AttrType.FLOAT, AttrValue.of(1e-4))
            .attr("exponential_avg_factor", AttrType.FLOAT, AttrValue.of(1.0))
            .stringAttr("data_format", "NHWC", "NHWC", "NCHW")
            .attr("is_training", AttrType.BOOL, AttrValue.of(true))
            .shape(c -> batchNormShape(c, false))
            .kernel(
                FLOAT_SET, KernelSource.kernels("fusedBatchNorm", "binary"), BatchNorms::forward)
            .gradient(BatchNorms::gradient)
            .traits(OpTrait.LAYOUT_SENSITIVE)
            .build());
    r.register(
        OpDef.builder("FusedBatchNormGradV3")
            .input("y_backprop", "T")
            .input("x", "T")
            // TensorFlow fixes scale to float; Millrace lets it follow U so that float64
            // gradient checks run end to end.
            .input("scale", "U")
            .input("reserve_space_1", "U")
            .input("reserve_space_2", "U")
            .input("reserve_space_3", "U")
            .output("x_backprop", "T")
            .output("scale_backprop", "U")
            .output("offset_backprop", "U")
            .output("reserve_space_4", "U")
            .output("reserve_space_5", "U")
            .typeAttr("T", FLOATS)
            .typeAttr("U", FLOATS)
            .attr("epsilon", AttrType.FLOAT, AttrValue.of(1e-4))
            .stringAttr("data_format", "NHWC", "NHWC", "NCHW")
            .attr("is_training", AttrType.BOOL, AttrValue.of(true))
            .shape(c -> batchNormShape(c, true))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("fusedBatchNormGrad", "binary", "reduce"),
                BatchNorms::backward)
            .traits(OpTrait.GRADIENT, OpTrait.LAYOUT_SENSITIVE)
            .build());
    r.register(globalNormalization());
  }

  /**
   * The batch norm of TensorFlow's first releases (deprecated at GraphDef version 9, still in old
   * frozen graphs): channels last, statistics given, inference only. Its result is TensorFlow's
   * {@code (t - m) * (rsqrt(v + variance_epsilon) [* gamma]) + beta}, the factor computed per
   * channel first, as TensorFlow's kernel does. No gradient: training graphs use the fused ops.
   */
  private static OpDef globalNormalization() {
    return OpDef.builder("BatchNormWithGlobalNormalization")
        .input("t", "T")
        .input("m", "T")
        .input("v", "T")
        .input("beta", "T")
        .input("gamma", "T")
        .output("result", "T")
        .typeAttr("T", FLOATS)
        .attr("variance_epsilon", AttrType.FLOAT, null)
        .attr("scale_after_normalization", AttrType.BOOL, null)
        .shape(
            c -> {
              Shape t = c.inputShape(0);
              if (t.rank() != 4) {
                throw c.error("t must have rank 4 (channels last), got shape " + t);
              }
              long ch = t.dim(3);
              String[] names = {"t", "m", "v", "beta", "gamma"};
              for (int i = 1; i < names.length; i++) {
                Shape s = c.inputShape(i);
                if (s.rank() != 1 || (ch != Shapes.U && s.dim(0) != Shapes.U && s.dim(0) != ch)) {
                  throw c.error(
                      names[i] + " " + s + " must be a vector of one entry per channel of t " + t);
                }
              }
              return List.of(t);
            })
        .kernel(
            FLOAT_SET,
            KernelSource.kernels("binary", "unary"),
            op -> {
              double eps = op.attrFloat("variance_epsilon");
              boolean scale = op.attrBool("scale_after_normalization");
              return ctx -> {
                Kernels k = ctx.kernels();
                Tensor t = ctx.input(0);
                Tensor v = ctx.input(2);
                Tensor factor =
                    k.unary(
                        UnaryOp.RSQRT, k.binary(BinaryOp.ADD, v, Defs.floating(v.dtype(), eps)));
                if (scale) {
                  factor = k.binary(BinaryOp.MUL, factor, ctx.input(4));
                }
                Tensor centred = k.binary(BinaryOp.SUB, t, ctx.input(1));
                return List.of(
                    k.binary(BinaryOp.ADD, k.binary(BinaryOp.MUL, centred, factor), ctx.input(3)));
              };
            })
        .builtBy("TensorFlow's graphs (GraphDef import)")
        .build();
  }

  private static List<Shape> batchNormShape(ShapeContext c, boolean grad) {
    int xi = grad ? 1 : 0;
    Shape x = c.inputShape(xi);
    DataFormat f = DataFormat.parse(c.attrString("data_format"));
    if (x.rank() != 4) {
      throw c.error("x must have rank 4 (" + f + "), got shape " + x);
    }
    long ch = x.dim(f.channelAxis());
    boolean training = c.attrBool("is_training");
    String[] names =
        grad
            ? new String[] {"y_backprop", "x", "scale", "reserve_space_1", "reserve_space_2"}
            : new String[] {"x", "scale", "offset", "mean", "variance"};
    if (grad && !c.inputShape(0).isCompatibleWith(x)) {
      throw c.error("y_backprop " + c.inputShape(0) + " and x " + x + " must have the same shape");
    }
    for (int i = 2 - (grad ? 0 : 1); i < names.length; i++) {
      Shape s = c.inputShape(i);
      boolean statistics = !grad && i >= 3;
      if (s.rank() != 1) {
        throw c.error(names[i] + " must be a vector, got shape " + s);
      }
      if (statistics && training && s.dim(0) == 0) {
        continue; // TensorFlow passes empty statistics in training
      }
      if (ch != Shapes.U && s.dim(0) != Shapes.U && s.dim(0) != ch) {
        throw c.error(
            names[i] + " " + s + " must have one entry per channel of x " + x + " (" + f + ")");
      }
    }
    Shape perChannel = Shape.of(ch);
    Shape empty = Shape.of(0);
    if (grad) {
      return List.of(x, perChannel, perChannel, empty, empty);
    }
    return List.of(x, perChannel, perChannel, perChannel, perChannel, empty);
  }

  private static List<Output<?>> gradient(GradientContext c) {
    Ops tf = c.ops();
    Operation op = c.op();
    if (c.grad(0) == null) {
      return Arrays.asList(null, null, null, null, null);
    }
    Map<String, AttrValue> a =
        Map.of(
            "epsilon", op.attr("epsilon"),
            "data_format", op.attr("data_format"),
            "is_training", op.attr("is_training"));
    Operation grad =
        tf.op(
            "FusedBatchNormGradV3",
            List.of(c.grad(0), c.input(0), c.input(1), c.output(3), c.output(4), c.output(5)),
            a);
    return Arrays.asList(grad.output(0), grad.output(1), grad.output(2), null, null);
  }

  private static Kernel forward(Operation op) {
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

  private static Kernel backward(Operation op) {
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
        k.binary(BinaryOp.MUL, old, Defs.floating(old.dtype(), 1 - factor)),
        k.binary(BinaryOp.MUL, fresh, Defs.floating(old.dtype(), factor)));
  }
}
