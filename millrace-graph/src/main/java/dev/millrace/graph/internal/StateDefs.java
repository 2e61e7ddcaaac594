package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.Defs.FLOATS;
import static dev.millrace.graph.internal.Defs.FLOAT_SET;
import static dev.millrace.graph.internal.Defs.INDEX;
import static dev.millrace.graph.internal.Defs.NUMBERS;
import static dev.millrace.graph.internal.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.graph.spi.VariableSlot;
import dev.millrace.kernels.BinaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Collections;
import java.util.List;

/**
 * Stateful ops: VariableV2, Assign, AssignAdd, AssignSub, the optimizer updates
 * ApplyGradientDescent, ApplyMomentum and ApplyAdam (in place on the variable), and the seeded
 * random ops RandomUniform, RandomStandardNormal and TruncatedNormal.
 */
final class StateDefs {
  private StateDefs() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("VariableV2")
            .output("ref", "dtype")
            .attr("shape", AttrType.SHAPE, null)
            .typeAttr("dtype")
            .attr("container", AttrType.STRING, AttrValue.of(""))
            .attr("shared_name", AttrType.STRING, AttrValue.of(""))
            .shape(c -> one(c.attrShape("shape")))
            // The value itself, shared: a reader sees later in-place updates, as with
            // TensorFlow's ref tensors. Null before initialisation; the session reports that.
            .kernel(
                KernelSource.noArithmetic(),
                op -> ctx -> Collections.singletonList(ctx.ownVariable().value()))
            .traits(OpTrait.STATEFUL, OpTrait.VARIABLE)
            .build());
    r.register(
        assign("Assign", null)
            .attr("validate_shape", AttrType.BOOL, AttrValue.of(true))
            .attr("use_locking", AttrType.BOOL, AttrValue.of(true))
            .build());
    r.register(
        assign("AssignAdd", BinaryOp.ADD)
            .attr("use_locking", AttrType.BOOL, AttrValue.of(false))
            .build());
    r.register(
        assign("AssignSub", BinaryOp.SUB)
            .attr("use_locking", AttrType.BOOL, AttrValue.of(false))
            .build());
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
                      Tensor var = value(ctx.variable(0));
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
                    Tensor var = value(ctx.variable(0));
                    ctx.kernels()
                        .applyMomentum(
                            var,
                            value(ctx.variable(1)),
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
                    Tensor var = value(ctx.variable(0));
                    ctx.kernels()
                        .applyAdam(
                            var,
                            value(ctx.variable(1)),
                            value(ctx.variable(2)),
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
    r.register(random("RandomUniform", ElementaryKernels.Distribution.UNIFORM));
    r.register(random("RandomStandardNormal", ElementaryKernels.Distribution.NORMAL));
    r.register(random("TruncatedNormal", ElementaryKernels.Distribution.TRUNCATED_NORMAL));
  }

  private static OpDef.Builder assign(String type, BinaryOp update) {
    return OpDef.builder(type)
        .refInput("ref", "T")
        .input("value", "T")
        .output("output_ref", "T")
        .typeAttr("T", update == null ? new DType[0] : NUMBERS)
        .shape(
            c -> {
              Shape ref = c.inputShape(0);
              Shape value = c.inputShape(1);
              boolean validate = update != null || c.attrBool("validate_shape");
              if (validate && !ref.isCompatibleWith(value)) {
                throw c.error("value " + value + " does not match the variable's shape " + ref);
              }
              return one(validate ? Shapes.merge(ref, value) : value);
            })
        .kernel(
            update == null ? KernelSource.noArithmetic() : KernelSource.kernels("binary"),
            op ->
                ctx -> {
                  VariableSlot slot = ctx.variable(0);
                  Tensor value = ctx.input(1);
                  Tensor next =
                      update == null
                          ? value.copy()
                          : ctx.kernels().binary(update, value(slot), value);
                  slot.assign(next);
                  return List.of(next);
                })
        .traits(OpTrait.STATEFUL);
  }

  private static OpDef random(String type, ElementaryKernels.Distribution d) {
    return OpDef.builder(type)
        .input("shape", "T")
        .output("output", "dtype")
        .attr("seed", AttrType.INT, AttrValue.of(0L))
        .attr("seed2", AttrType.INT, AttrValue.of(0L))
        .typeAttr("dtype", FLOATS)
        .typeAttr("T", INDEX)
        .shape(c -> one(Shapes.shapeFromInput(c, 0)))
        .kernel(KernelSource.referenceOnly(), op -> ElementaryKernels.random(op, d))
        .traits(OpTrait.STATEFUL)
        .build();
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

  private static Tensor value(VariableSlot slot) {
    Tensor v = slot.value();
    if (v == null) {
      throw new IllegalStateException("variable '" + slot.name() + "' is not initialized");
    }
    return v;
  }

  private static double d(Tensor scalar) {
    return scalar.getAsDouble(0);
  }
}
