package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.NUMBERS;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.VariableSlot;
import dev.millrace.kernels.BinaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Collections;
import java.util.List;

/**
 * Variables and assignments: VariableV2, whose value the session holds, and Assign, AssignAdd and
 * AssignSub. Each op's definition, shape function, traits and kernel binding are written together
 * below.
 */
final class Variables {
  private Variables() {}

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
                          : ctx.kernels().binary(update, Defs.value(slot), value);
                  slot.assign(next);
                  return List.of(next);
                })
        .traits(OpTrait.STATEFUL);
  }
}
