package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Specs;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * BiasAdd and its gradient op BiasAddGrad, in both data formats. Each op's definition, shape
 * function, gradient, traits and kernel binding are written together below.
 */
final class Bias {
  private Bias() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("BiasAdd")
            .input("value", "T")
            .input("bias", "T")
            .output("output", "T")
            .typeAttr("T", Defs.NUMBERS)
            .stringAttr("data_format", "NHWC", "NHWC", "NCHW")
            .shape(Bias::biasAddShape)
            .kernel(
                KernelSource.kernels("biasAdd"),
                op -> {
                  DataFormat f = Specs.format(op);
                  return ctx -> {
                    Tensor x = ctx.input(0);
                    return List.of(ctx.kernels().biasAdd(x, ctx.input(1), formatFor(x, f)));
                  };
                })
            .gradient(
                c -> {
                  Ops tf = c.ops();
                  Output<?> g = c.grad(0);
                  Map<String, AttrValue> a = Map.of("data_format", c.op().attr("data_format"));
                  return Arrays.asList(g, G.op(tf, "BiasAddGrad", a, g));
                })
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
  }

  /** Rank-2 tensors have their channels last in either format (TensorFlow's BiasAdd rule). */
  private static DataFormat formatFor(Tensor x, DataFormat f) {
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
}
