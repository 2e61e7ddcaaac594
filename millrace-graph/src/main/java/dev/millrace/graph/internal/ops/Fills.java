package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.INDEX;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Shapes as values and tensors made from them: Shape, Size, Fill, ZerosLike, OnesLike, and Cast.
 * Each op's definition, shape function, gradient, traits and kernel binding are written together
 * below.
 */
final class Fills {
  private Fills() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("Shape")
            .input("input", "T")
            .output("output", "out_type")
            .typeAttr("T")
            .typeAttrWithDefault("out_type", DType.INT32, INDEX)
            .shape(c -> one(Shape.of(c.inputShape(0).rank())))
            .kernel(
                KernelSource.noArithmetic(),
                op -> {
                  DType t = op.attrType("out_type");
                  return ctx -> List.of(Defs.intVector(t, ctx.input(0).shape().dims()));
                })
            .build());
    r.register(
        OpDef.builder("Size")
            .input("input", "T")
            .output("output", "out_type")
            .typeAttr("T")
            .typeAttrWithDefault("out_type", DType.INT32, INDEX)
            .shape(c -> one(Shape.scalar()))
            .kernel(
                KernelSource.noArithmetic(),
                op -> {
                  DType t = op.attrType("out_type");
                  return ctx -> List.of(Defs.scalar(t, ctx.input(0).size()));
                })
            .build());
    r.register(
        OpDef.builder("Fill")
            .input("dims", "index_type")
            .input("value", "T")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("index_type", DType.INT32, INDEX)
            .shape(
                c -> {
                  if (c.inputShape(1).rank() != 0) {
                    throw c.error("value must be a scalar, got shape " + c.inputShape(1));
                  }
                  return one(Shapes.shapeFromInput(c, 0));
                })
            .kernel(
                KernelSource.kernels("fill"),
                op ->
                    ctx -> {
                      Tensor v = ctx.input(1);
                      Shape s = Shape.of(Consts.longs(ctx.input(0)));
                      return List.of(ctx.kernels().fill(v.dtype(), s, v.getAsDouble(0)));
                    })
            .build());
    r.register(fillLike("ZerosLike", 0));
    r.register(fillLike("OnesLike", 1));
    r.register(
        OpDef.builder("Cast")
            .input("x", "SrcT")
            .output("y", "DstT")
            .typeAttr("SrcT")
            .typeAttr("DstT")
            .attr("Truncate", AttrType.BOOL, AttrValue.of(false))
            .shape(c -> one(c.inputShape(0)))
            .kernel(
                KernelSource.kernels("cast"),
                op -> {
                  DType to = op.attrType("DstT");
                  return ctx -> {
                    Tensor x = ctx.input(0);
                    return List.of(x.dtype() == to ? x : ctx.kernels().cast(x, to));
                  };
                })
            .gradient(Fills::cast)
            .traits(OpTrait.ELEMENTWISE, OpTrait.PRESERVES_ZERO)
            .build());
  }

  private static OpDef fillLike(String type, double value) {
    return OpDef.builder(type)
        .input("x", "T")
        .output("y", "T")
        .typeAttr("T")
        .shape(c -> one(c.inputShape(0)))
        .kernel(
            KernelSource.kernels("fill"),
            op ->
                ctx -> {
                  Tensor x = ctx.input(0);
                  return List.of(ctx.kernels().fill(x.dtype(), x.shape(), value));
                })
        .traits(OpTrait.ELEMENTWISE)
        .build();
  }

  private static List<Output<?>> cast(GradientContext c) {
    Output<?> x = c.input(0);
    if (!x.dtype().isFloating() || !c.output(0).dtype().isFloating()) {
      return Collections.singletonList(null);
    }
    return List.of(G.op(c.ops(), "Cast", Map.of("DstT", AttrValue.of(x.dtype())), c.grad(0)));
  }
}
