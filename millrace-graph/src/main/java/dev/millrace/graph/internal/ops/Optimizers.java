package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.FLOAT_SET;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * The optimizer updates ApplyGradientDescent, ApplyMomentum and ApplyAdam, in place on the variable
 * (TensorFlow's ref semantics). Each op's definition, shape function, traits and kernel binding are
 * written together below.
 */
final class Optimizers {
  private Optimizers() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("ApplyGradientDescent")
            .refInput("var", "T")
            .input("alpha", "T")
            .input("delta", "T")
            .output("out", "T")
            .typeAttr("T", FLOATS)
            .attr("use_locking", AttrType.BOOL, AttrValue.of(false))
            .shape(c -> applyShape(c, new int[] {2}, new int[] {1}))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("applyGradientDescent"),
                op ->
                    ctx -> {
                      Tensor var = Defs.value(ctx.variable(0));
                      ctx.kernels().applyGradientDescent(var, d(ctx.input(1)), ctx.input(2));
                      return List.of(var);
                    })
            .builtBy("optimizers")
            .traits(OpTrait.STATEFUL)
            .build());
    r.register(
        OpDef.builder("ApplyMomentum")
            .refInput("var", "T")
            .refInput("accum", "T")
            .input("lr", "T")
            .input("grad", "T")
            .input("momentum", "T")
            .output("out", "T")
            .typeAttr("T", FLOATS)
            .attr("use_locking", AttrType.BOOL, AttrValue.of(false))
            .attr("use_nesterov", AttrType.BOOL, AttrValue.of(false))
            .shape(c -> applyShape(c, new int[] {1, 3}, new int[] {2, 4}))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("applyMomentum"),
                op -> {
                  boolean nesterov = op.attrBool("use_nesterov");
                  return ctx -> {
                    Tensor var = Defs.value(ctx.variable(0));
                    ctx.kernels()
                        .applyMomentum(
                            var,
                            Defs.value(ctx.variable(1)),
                            d(ctx.input(2)),
                            ctx.input(3),
                            d(ctx.input(4)),
                            nesterov);
                    return List.of(var);
                  };
                })
            .builtBy("optimizers")
            .traits(OpTrait.STATEFUL)
            .build());
    r.register(
        OpDef.builder("ApplyAdam")
            .refInput("var", "T")
            .refInput("m", "T")
            .refInput("v", "T")
            .input("beta1_power", "T")
            .input("beta2_power", "T")
            .input("lr", "T")
            .input("beta1", "T")
            .input("beta2", "T")
            .input("epsilon", "T")
            .input("grad", "T")
            .output("out", "T")
            .typeAttr("T", FLOATS)
            .attr("use_locking", AttrType.BOOL, AttrValue.of(false))
            .attr("use_nesterov", AttrType.BOOL, AttrValue.of(false))
            .shape(c -> applyShape(c, new int[] {1, 2, 9}, new int[] {3, 4, 5, 6, 7, 8}))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("applyAdam"),
                op -> {
                  if (op.attrBool("use_nesterov")) {
                    throw new IllegalArgumentException(op + ": use_nesterov is not supported");
                  }
                  return ctx -> {
                    Tensor var = Defs.value(ctx.variable(0));
                    ctx.kernels()
                        .applyAdam(
                            var,
                            Defs.value(ctx.variable(1)),
                            Defs.value(ctx.variable(2)),
                            d(ctx.input(3)),
                            d(ctx.input(4)),
                            d(ctx.input(5)),
                            d(ctx.input(6)),
                            d(ctx.input(7)),
                            d(ctx.input(8)),
                            ctx.input(9));
                    return List.of(var);
                  };
                })
            .builtBy("optimizers")
            .traits(OpTrait.STATEFUL)
            .build());
  }

  private static List<Shape> applyShape(ShapeContext c, int[] sameAsVar, int[] scalars) {
    Shape var = c.inputShape(0);
    for (int i : sameAsVar) {
      if (!c.inputShape(i).isCompatibleWith(var)) {
        throw c.error(
            "input " + i + " has shape " + c.inputShape(i) + " but the variable has shape " + var);
      }
    }
    for (int i : scalars) {
      if (c.inputShape(i).rank() != 0) {
        throw c.error("input " + i + " must be a scalar, got shape " + c.inputShape(i));
      }
    }
    return one(var);
  }

  private static double d(Tensor scalar) {
    return scalar.getAsDouble(0);
  }
}
