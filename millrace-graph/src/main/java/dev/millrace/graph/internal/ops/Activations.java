package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.FLOAT_SET;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.kernels.internal.ElementwiseKernels;
import dev.millrace.kernels.internal.simd.SimdElementwise;
import dev.millrace.tensor.Shape;
import java.util.List;

/**
 * The activations Relu, Relu6, Elu, Sigmoid and Tanh, each with the gradient op its gradient builds
 * (ReluGrad, Relu6Grad, EluGrad, SigmoidGrad, TanhGrad). Elu binds twin kernels: a scalar reference
 * and a Vector API version. Each op's definition, shape function, gradient, traits and kernel
 * binding are written together below.
 */
final class Activations {
  private Activations() {}

  static void register(OpRegistry r) {
    r.register(
        activation("Relu", UnaryOp.RELU)
            // relu(x) > 0 exactly where x > 0, so the output serves as the features (and the
            // input can be released earlier), as TensorFlow does.
            .gradient(c -> List.of(G.op(c.ops(), "ReluGrad", c.grad(0), c.output(0))))
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
        activation("Relu6", UnaryOp.RELU6)
            .gradient(c -> List.of(G.op(c.ops(), "Relu6Grad", c.grad(0), c.output(0))))
            .traits(OpTrait.PRESERVES_ZERO, OpTrait.IDEMPOTENT)
            .build());
    r.register(
        activationGrad("Relu6Grad", "gradients", "features", "backprops")
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("relu6Grad"),
                op -> ctx -> List.of(ctx.kernels().relu6Grad(ctx.input(0), ctx.input(1))))
            .build());
    r.register(
        OpDef.builder("Elu")
            .input("features", "T")
            .output("activations", "T")
            .typeAttr("T", FLOATS)
            .shape(c -> one(c.inputShape(0)))
            .kernel(
                FLOAT_SET,
                op -> ctx -> List.of(ElementwiseKernels.elu(ctx.input(0))),
                op -> (ctx, threads) -> List.of(SimdElementwise.elu(ctx.input(0), threads)))
            // TensorFlow's gradient reads the output: e^x = elu(x) + 1 below zero.
            .gradient(c -> List.of(G.op(c.ops(), "EluGrad", c.grad(0), c.output(0))))
            .traits(OpTrait.ELEMENTWISE, OpTrait.PRESERVES_ZERO)
            .build());
    r.register(
        activationGrad("EluGrad", "gradients", "outputs", "backprops")
            .kernel(
                FLOAT_SET,
                op -> ctx -> List.of(ElementwiseKernels.eluGrad(ctx.input(0), ctx.input(1))),
                op ->
                    (ctx, threads) ->
                        List.of(SimdElementwise.eluGrad(ctx.input(0), ctx.input(1), threads)))
            .build());
    r.register(
        mathUnary("Sigmoid", UnaryOp.SIGMOID)
            .gradient(c -> List.of(G.op(c.ops(), "SigmoidGrad", c.output(0), c.grad(0))))
            .traits(OpTrait.ELEMENTWISE)
            .build());
    r.register(
        activationGrad("SigmoidGrad", "y", "dy", "z")
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("sigmoidGrad"),
                op -> ctx -> List.of(ctx.kernels().sigmoidGrad(ctx.input(0), ctx.input(1))))
            .build());
    r.register(
        mathUnary("Tanh", UnaryOp.TANH)
            .gradient(c -> List.of(G.op(c.ops(), "TanhGrad", c.output(0), c.grad(0))))
            .traits(OpTrait.ELEMENTWISE, OpTrait.PRESERVES_ZERO)
            .build());
    r.register(
        activationGrad("TanhGrad", "y", "dy", "z")
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("tanhGrad"),
                op -> ctx -> List.of(ctx.kernels().tanhGrad(ctx.input(0), ctx.input(1))))
            .build());
  }

  /** TensorFlow's nn activations: {@code features} in, {@code activations} out. */
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

  /** TensorFlow's math-style activations (Sigmoid, Tanh): {@code x} in, {@code y} out. */
  private static OpDef.Builder mathUnary(String type, UnaryOp fn) {
    return OpDef.builder(type)
        .input("x", "T")
        .output("y", "T")
        .typeAttr("T", FLOATS)
        .shape(c -> one(c.inputShape(0)))
        .kernel(
            KernelSource.kernels("unary"),
            op -> ctx -> List.of(ctx.kernels().unary(fn, ctx.input(0))))
        .function(fn);
  }

  /** A gradient op of two same-shaped inputs. */
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
}
