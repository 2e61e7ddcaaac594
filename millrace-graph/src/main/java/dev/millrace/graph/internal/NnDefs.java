package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.Defs.FLOATS;
import static dev.millrace.graph.internal.Defs.FLOAT_SET;
import static dev.millrace.graph.internal.Defs.INDEX;
import static dev.millrace.graph.internal.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.CrossEntropyResult;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * Bias, activations, softmax, cross-entropy and fused batch normalization, with their gradient ops.
 */
final class NnDefs {
  private NnDefs() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("BiasAdd")
            .input("value", "T")
            .input("bias", "T")
            .output("output", "T")
            .typeAttr("T", Defs.NUMBERS)
            .stringAttr("data_format", "NHWC", "NHWC", "NCHW")
            .shape(NnDefs::biasAddShape)
            .kernel(
                KernelSource.kernels("biasAdd"),
                op -> {
                  DataFormat f = Specs.format(op);
                  return ctx -> {
                    Tensor x = ctx.input(0);
                    return List.of(ctx.kernels().biasAdd(x, ctx.input(1), formatFor(x, f)));
                  };
                })
            .gradient(NnGrads::biasAdd)
            .traits(OpTrait.LAYOUT_SENSITIVE)
            .build());
    r.register(
        OpDef.builder("BiasAddGrad")
            .input("out_backprop", "T")
            .output("output", "T")
            .typeAttr("T", Defs.NUMBERS)
            .stringAttr("data_format", "NHWC", "NHWC", "NCHW")
            .shape(
                c -> {
                  Shape g = c.inputShape(0);
                  if (g.rank() < 2) {
                    throw c.error("out_backprop must have rank >= 2, got shape " + g);
                  }
                  return one(Shape.of(g.dim(channelAxis(c, g))));
                })
            .kernel(
                KernelSource.kernels("biasAddGrad"),
                op -> {
                  DataFormat f = Specs.format(op);
                  return ctx -> {
                    Tensor g = ctx.input(0);
                    return List.of(ctx.kernels().biasAddGrad(g, formatFor(g, f)));
                  };
                })
            .traits(OpTrait.GRADIENT, OpTrait.LAYOUT_SENSITIVE)
            .build());
    r.register(
        activation("Relu", UnaryOp.RELU)
            .gradient(NnGrads::relu)
            .traits(OpTrait.PRESERVES_ZERO, OpTrait.IDEMPOTENT)
            .build());
    r.register(
        activation("Relu6", UnaryOp.RELU6)
            .gradient(NnGrads::relu6)
            .traits(OpTrait.PRESERVES_ZERO, OpTrait.IDEMPOTENT)
            .build());
    r.register(
        activationGrad("ReluGrad", "gradients", "features", "backprops")
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("reluGrad"),
                op -> ctx -> List.of(ctx.kernels().reluGrad(ctx.input(0), ctx.input(1))))
            .build());
    r.register(
        activationGrad("Relu6Grad", "gradients", "features", "backprops")
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("relu6Grad"),
                op -> ctx -> List.of(ctx.kernels().relu6Grad(ctx.input(0), ctx.input(1))))
            .build());
    r.register(
        activationGrad("SigmoidGrad", "y", "dy", "z")
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("sigmoidGrad"),
                op -> ctx -> List.of(ctx.kernels().sigmoidGrad(ctx.input(0), ctx.input(1))))
            .build());
    r.register(
        activationGrad("TanhGrad", "y", "dy", "z")
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("tanhGrad"),
                op -> ctx -> List.of(ctx.kernels().tanhGrad(ctx.input(0), ctx.input(1))))
            .build());
    r.register(
        OpDef.builder("Softmax")
            .input("logits", "T")
            .output("softmax", "T")
            .typeAttr("T", FLOATS)
            .shape(NnDefs::atLeastRank1)
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("softmax"),
                op -> ctx -> List.of(ctx.kernels().softmax(ctx.input(0))))
            .gradient(NnGrads::softmax)
            .build());
    r.register(
        OpDef.builder("LogSoftmax")
            .input("logits", "T")
            .output("logsoftmax", "T")
            .typeAttr("T", FLOATS)
            .shape(NnDefs::atLeastRank1)
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("logSoftmax"),
                op -> ctx -> List.of(ctx.kernels().logSoftmax(ctx.input(0))))
            .gradient(NnGrads::logSoftmax)
            .build());
    r.register(
        OpDef.builder("SparseSoftmaxCrossEntropyWithLogits")
            .input("features", "T")
            .input("labels", "Tlabels")
            .output("loss", "T")
            .output("backprop", "T")
            .typeAttr("T", FLOATS)
            .typeAttrWithDefault("Tlabels", DType.INT64, INDEX)
            .shape(NnDefs::crossEntropyShape)
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("sparseSoftmaxCrossEntropy"),
                op ->
                    ctx -> {
                      CrossEntropyResult res =
                          ctx.kernels().sparseSoftmaxCrossEntropy(ctx.input(0), ctx.input(1));
                      return List.of(res.loss(), res.backprop());
                    })
            .gradient(NnGrads::sparseSoftmaxCrossEntropy)
            .build());
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
                FLOAT_SET,
                KernelSource.kernels("fusedBatchNorm", "binary"),
                BatchNormKernels::forward)
            .gradient(NnGrads::fusedBatchNorm)
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
                BatchNormKernels::backward)
            .traits(OpTrait.GRADIENT, OpTrait.LAYOUT_SENSITIVE)
            .build());
  }

  /** Rank-2 tensors have their channels last in either format (TensorFlow's BiasAdd rule). */
  static DataFormat formatFor(Tensor x, DataFormat f) {
    return x.shape().rank() == 4 ? f : DataFormat.NHWC;
  }

  private static int channelAxis(ShapeContext c, Shape s) {
    DataFormat f = DataFormat.parse(c.attrString("data_format"));
    return f == DataFormat.NCHW && s.rank() >= 3 ? 1 : s.rank() - 1;
  }

  private static List<Shape> biasAddShape(ShapeContext c) {
    Shape x = c.inputShape(0);
    Shape b = c.inputShape(1);
    if (x.rank() < 2) {
      throw c.error("value must have rank >= 2, got shape " + x);
    }
    if (b.rank() != 1) {
      throw c.error("bias must be a vector, got shape " + b);
    }
    if (c.attrString("data_format").equals("NCHW") && x.rank() != 2 && x.rank() != 4) {
      throw c.error("NCHW value must have rank 4, got shape " + x);
    }
    int axis = channelAxis(c, x);
    long ch = x.dim(axis);
    if (ch != Shapes.U && b.dim(0) != Shapes.U && ch != b.dim(0)) {
      throw c.error(
          "value "
              + x
              + " has "
              + ch
              + " channels ("
              + c.attrString("data_format")
              + ") but bias "
              + b
              + " has "
              + b.dim(0));
    }
    return one(x);
  }

  private static OpDef.Builder activation(String type, UnaryOp fn) {
    return OpDef.builder(type)
        .input("features", "T")
        .output("activations", "T")
        .typeAttr("T", FLOATS)
        .shape(c -> one(c.inputShape(0)))
        .kernel(
            FLOAT_SET,
            KernelSource.kernels("unary"),
            op -> ctx -> List.of(ctx.kernels().unary(fn, ctx.input(0))))
        .traits(OpTrait.ELEMENTWISE)
        .function(fn);
  }

  private static OpDef.Builder activationGrad(String type, String a, String b, String out) {
    return OpDef.builder(type)
        .input(a, "T")
        .input(b, "T")
        .output(out, "T")
        .typeAttr("T", FLOATS)
        .shape(
            c -> {
              Shape s0 = c.inputShape(0);
              Shape s1 = c.inputShape(1);
              if (!s0.isCompatibleWith(s1)) {
                throw c.error(a + " " + s0 + " and " + b + " " + s1 + " must have the same shape");
              }
              return one(Shapes.merge(s0, s1));
            })
        .traits(OpTrait.ELEMENTWISE, OpTrait.GRADIENT);
  }

  private static List<Shape> atLeastRank1(ShapeContext c) {
    Shape s = c.inputShape(0);
    if (s.rank() < 1) {
      throw c.error("logits must have rank >= 1, got a scalar");
    }
    return one(s);
  }

  private static List<Shape> crossEntropyShape(ShapeContext c) {
    Shape logits = c.inputShape(0);
    Shape labels = c.inputShape(1);
    if (logits.rank() != 2) {
      throw c.error("logits must have rank 2 [batch, classes], got shape " + logits);
    }
    if (labels.rank() != 1) {
      throw c.error("labels must have rank 1 [batch], got shape " + labels);
    }
    long b = logits.dim(0);
    if (b != Shapes.U && labels.dim(0) != Shapes.U && b != labels.dim(0)) {
      throw c.error(
          "logits "
              + logits
              + " and labels "
              + labels
              + " have different batch sizes ("
              + b
              + " vs "
              + labels.dim(0)
              + ")");
    }
    long batch = b != Shapes.U ? b : labels.dim(0);
    return List.of(Shape.of(batch), Shape.of(batch, logits.dim(1)));
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
}
