package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where values come from and ops that pass them on: Const, Placeholder, PlaceholderWithDefault (its
 * input unless it is fed), NoOp, Identity, IdentityN (a list of tensors of any types), StopGradient
 * and CheckNumerics. Each op's definition, shape function, gradient, traits and kernel binding are
 * written together below.
 */
final class Sources {
  private Sources() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("Const")
            .output("output", "dtype")
            .attr("value", AttrType.TENSOR, null)
            .typeAttr("dtype")
            .shape(Sources::constant)
            .kernel(
                KernelSource.noArithmetic(),
                op -> {
                  List<Tensor> v = List.of(op.attrTensor("value"));
                  return ctx -> v;
                })
            .traits(OpTrait.CONSTANT)
            .build());
    r.register(
        OpDef.builder("Placeholder")
            .output("output", "dtype")
            .typeAttr("dtype")
            .attr("shape", AttrType.SHAPE, AttrValue.ShapeValue.unknownRank())
            .shape(c -> one(c.attrShape("shape")))
            .kernel(
                KernelSource.noArithmetic(),
                op ->
                    ctx -> {
                      throw new IllegalStateException(
                          "placeholder '"
                              + op.name()
                              + "' ("
                              + op.outputType(0)
                              + " "
                              + op.attr("shape")
                              + ") must be fed");
                    })
            .traits(OpTrait.FEED)
            .build());
    r.register(
        OpDef.builder("PlaceholderWithDefault")
            .input("input", "dtype")
            .output("output", "dtype")
            .typeAttr("dtype")
            .attr("shape", AttrType.SHAPE, null)
            .shape(c -> one(c.attrShape("shape")))
            .kernel(KernelSource.noArithmetic(), op -> ctx -> List.of(ctx.input(0)))
            .gradient(c -> List.of(c.grad(0)))
            // Fed like a Placeholder, so never folded into a constant though its input may be one.
            .traits(OpTrait.FEED, OpTrait.FORWARDS_INPUT)
            .builtBy("TensorFlow's graphs (GraphDef import)")
            .build());
    r.register(
        forwarding("Identity")
            .gradient(c -> List.of(c.grad(0)))
            .traits(OpTrait.ELEMENTWISE, OpTrait.PRESERVES_ZERO, OpTrait.IDEMPOTENT)
            .build());
    r.register(
        OpDef.builder("IdentityN")
            .inputTypeList("input", "T")
            .outputTypeList("output", "T")
            .typeListAttr("T")
            .shape(
                c -> {
                  List<Shape> shapes = new ArrayList<>(c.numInputs());
                  for (int i = 0; i < c.numInputs(); i++) {
                    shapes.add(c.inputShape(i));
                  }
                  return shapes;
                })
            .kernel(
                KernelSource.noArithmetic(),
                op ->
                    ctx -> {
                      List<Tensor> out = new ArrayList<>(ctx.numInputs());
                      for (int i = 0; i < ctx.numInputs(); i++) {
                        out.add(ctx.input(i));
                      }
                      return out;
                    })
            // TensorFlow's gradient passes each output's gradient through as its input's (none
            // where none flows).
            .gradient(
                c -> {
                  List<Output<?>> grads = new ArrayList<>(c.op().numInputs());
                  for (int i = 0; i < c.op().numInputs(); i++) {
                    grads.add(c.grad(i));
                  }
                  return grads;
                })
            .builtBy("TensorFlow's graphs (GraphDef import)")
            .build());
    r.register(
        forwarding("StopGradient")
            .gradient(c -> Collections.singletonList(null))
            .traits(OpTrait.ELEMENTWISE, OpTrait.PRESERVES_ZERO, OpTrait.IDEMPOTENT)
            .build());
    r.register(
        OpDef.builder("CheckNumerics")
            .input("tensor", "T")
            .output("output", "T")
            .typeAttr("T", Defs.FLOATS)
            .attr("message", AttrType.STRING, null)
            .shape(c -> one(c.inputShape(0)))
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  String message = op.attrString("message");
                  return ctx -> List.of(checkNumerics(ctx.input(0), message));
                })
            .gradient(c -> List.of(c.grad(0)))
            // Stateful in TensorFlow too: a check must not be folded away. Elementwise: a layout
            // pass may move it with its input.
            .traits(OpTrait.STATEFUL, OpTrait.FORWARDS_INPUT, OpTrait.ELEMENTWISE)
            .build());
    r.register(
        OpDef.builder("NoOp")
            .shape(c -> List.of())
            .kernel(KernelSource.noArithmetic(), op -> ctx -> List.of())
            .build());
  }

  private static OpDef.Builder forwarding(String type) {
    return OpDef.builder(type)
        .input("input", "T")
        .output("output", "T")
        .typeAttr("T")
        .shape(c -> one(c.inputShape(0)))
        .kernel(KernelSource.noArithmetic(), op -> ctx -> List.of(ctx.input(0)))
        .traits(OpTrait.FORWARDS_INPUT);
  }

  private static List<Shape> constant(ShapeContext c) {
    Tensor v = ((AttrValue.TensorValue) c.attr("value")).value();
    if (v.dtype() != c.attrType("dtype")) {
      throw c.error("value has type " + v.dtype() + " but dtype is " + c.attrType("dtype"));
    }
    return one(v.shape());
  }

  /** {@code x} itself if every element is finite; else fails with {@code message}. */
  private static Tensor checkNumerics(Tensor x, String message) {
    long n = x.size();
    for (long i = 0; i < n; i++) {
      double v = x.getAsDouble(i);
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(
            message
                + " : Tensor had "
                + (Double.isNaN(v) ? "NaN" : "Inf")
                + " values (first at element "
                + i
                + " of "
                + x.shape()
                + ")");
      }
    }
    return x;
  }
}
