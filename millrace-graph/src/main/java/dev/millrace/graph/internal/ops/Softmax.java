package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.FLOAT_SET;
import static dev.millrace.graph.internal.ops.Defs.INDEX;
import static dev.millrace.graph.internal.ops.Defs.one;
import static dev.millrace.graph.internal.ops.G.mul;
import static dev.millrace.graph.internal.ops.G.sub;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.CrossEntropyResult;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Softmax, LogSoftmax and SparseSoftmaxCrossEntropyWithLogits over the last axis. Each op's
 * definition, shape function, gradient, traits and kernel binding are written together below.
 */
final class Softmax {
  private Softmax() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("Softmax")
            .input("logits", "T")
            .output("softmax", "T")
            .typeAttr("T", FLOATS)
            .shape(Softmax::atLeastRank1)
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("softmax"),
                op -> ctx -> List.of(ctx.kernels().softmax(ctx.input(0))))
            .gradient(Softmax::softmaxGrad)
            .build());
    r.register(
        OpDef.builder("LogSoftmax")
            .input("logits", "T")
            .output("logsoftmax", "T")
            .typeAttr("T", FLOATS)
            .shape(Softmax::atLeastRank1)
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("logSoftmax"),
                op -> ctx -> List.of(ctx.kernels().logSoftmax(ctx.input(0))))
            .gradient(Softmax::logSoftmaxGrad)
            .build());
    r.register(
        OpDef.builder("SparseSoftmaxCrossEntropyWithLogits")
            .input("features", "T")
            .input("labels", "Tlabels")
            .output("loss", "T")
            .output("backprop", "T")
            .typeAttr("T", FLOATS)
            .typeAttrWithDefault("Tlabels", DType.INT64, INDEX)
            .shape(Softmax::crossEntropyShape)
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("sparseSoftmaxCrossEntropy"),
                op ->
                    ctx -> {
                      CrossEntropyResult res =
                          ctx.kernels().sparseSoftmaxCrossEntropy(ctx.input(0), ctx.input(1));
                      return List.of(res.loss(), res.backprop());
                    })
            .gradient(Softmax::crossEntropyGrad)
            .build());
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

  private static List<Output<?>> softmaxGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    Output<?> g = c.grad(0);
    Output<?> dot = G.sum(tf, mul(tf, g, y), G.ints(tf, -1), true);
    return List.of(mul(tf, sub(tf, g, dot), y));
  }

  private static List<Output<?>> logSoftmaxGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    Output<?> g = c.grad(0);
    Output<?> total = G.sum(tf, g, G.ints(tf, -1), true);
    return List.of(sub(tf, g, mul(tf, G.op(tf, "Exp", y), total)));
  }

  private static List<Output<?>> crossEntropyGrad(GradientContext c) {
    Ops tf = c.ops();
    if (c.grad(1) != null) {
      throw new IllegalArgumentException(
          c.op() + ": the gradient of its backprop output is not defined (as in TensorFlow)");
    }
    Output<?> g = G.reshape(tf, c.grad(0), G.ints(tf, -1, 1));
    return Arrays.asList(mul(tf, g, c.output(1)), null);
  }
}
