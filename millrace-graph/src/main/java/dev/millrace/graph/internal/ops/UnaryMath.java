package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.NUMBERS;
import static dev.millrace.graph.internal.ops.Defs.one;
import static dev.millrace.graph.internal.ops.G.div;
import static dev.millrace.graph.internal.ops.G.mul;
import static dev.millrace.graph.internal.ops.G.neg;
import static dev.millrace.graph.internal.ops.G.scalar;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.GradientFunction;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise functions of one tensor: Neg, Abs, Square, Sqrt, Rsqrt, Exp, Log, Reciprocal, and
 * Floor and Cos (elementary Java, for learning-rate schedules). Each op's definition, shape
 * function, gradient, traits and kernel binding are written together below.
 */
final class UnaryMath {
  private UnaryMath() {}

  static void register(OpRegistry r) {
    OpTrait ew = OpTrait.ELEMENTWISE;
    OpTrait zero = OpTrait.PRESERVES_ZERO;
    OpTrait idem = OpTrait.IDEMPOTENT;
    r.register(unary("Neg", UnaryOp.NEG, NUMBERS, UnaryMath::negGrad, ew, zero));
    r.register(unary("Abs", UnaryOp.ABS, NUMBERS, null, ew, zero, idem));
    r.register(unary("Square", UnaryOp.SQUARE, NUMBERS, UnaryMath::squareGrad, ew, zero));
    r.register(unary("Sqrt", UnaryOp.SQRT, FLOATS, UnaryMath::sqrtGrad, ew, zero));
    r.register(unary("Rsqrt", UnaryOp.RSQRT, FLOATS, UnaryMath::rsqrtGrad, ew));
    r.register(unary("Exp", UnaryOp.EXP, FLOATS, UnaryMath::expGrad, ew));
    r.register(unary("Log", UnaryOp.LOG, FLOATS, UnaryMath::logGrad, ew));
    r.register(unary("Reciprocal", UnaryOp.RECIPROCAL, FLOATS, UnaryMath::reciprocalGrad, ew));
    // Not in the Kernels interface: elementary Java, used by learning-rate schedules.
    r.register(javaUnary("Floor", Math::floor, ew, zero, idem));
    r.register(javaUnary("Cos", Math::cos, ew));
  }

  private static OpDef unary(
      String type, UnaryOp fn, DType[] types, GradientFunction grad, OpTrait... traits) {
    return OpDef.builder(type)
        .input("x", "T")
        .output("y", "T")
        .typeAttr("T", types)
        .shape(c -> one(c.inputShape(0)))
        .kernel(
            KernelSource.kernels("unary"),
            op -> ctx -> List.of(ctx.kernels().unary(fn, ctx.input(0))))
        .gradient(grad)
        .traits(traits)
        .function(fn)
        .build();
  }

  private static OpDef javaUnary(String type, DoubleUnaryOperator fn, OpTrait... traits) {
    return OpDef.builder(type)
        .input("x", "T")
        .output("y", "T")
        .typeAttr("T", FLOATS)
        .shape(c -> one(c.inputShape(0)))
        .kernel(KernelSource.referenceOnly(), op -> ctx -> List.of(map(ctx.input(0), fn)))
        .traits(traits)
        .build();
  }

  private static List<Output<?>> negGrad(GradientContext c) {
    return List.of(neg(c.ops(), c.grad(0)));
  }

  private static List<Output<?>> squareGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> x = c.input(0);
    return List.of(mul(tf, c.grad(0), mul(tf, x, scalar(tf, x.dtype(), 2))));
  }

  private static List<Output<?>> sqrtGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    return List.of(div(tf, mul(tf, c.grad(0), scalar(tf, y.dtype(), 0.5)), y));
  }

  private static List<Output<?>> rsqrtGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    // d(x^-1/2)/dx = -1/2 x^-3/2 = -1/2 y^3
    Output<?> y3 = mul(tf, mul(tf, y, y), y);
    return List.of(mul(tf, c.grad(0), mul(tf, y3, scalar(tf, y.dtype(), -0.5))));
  }

  private static List<Output<?>> expGrad(GradientContext c) {
    return List.of(mul(c.ops(), c.grad(0), c.output(0)));
  }

  private static List<Output<?>> logGrad(GradientContext c) {
    return List.of(div(c.ops(), c.grad(0), c.input(0)));
  }

  private static List<Output<?>> reciprocalGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    return List.of(neg(tf, mul(tf, c.grad(0), mul(tf, y, y))));
  }

  private static Tensor map(Tensor x, DoubleUnaryOperator fn) {
    Tensor out = Tensor.zeros(x.dtype(), x.shape());
    long n = x.size();
    if (x.dtype() == DType.FLOAT64) {
      for (long i = 0; i < n; i++) {
        out.setDouble(i, fn.applyAsDouble(x.getDouble(i)));
      }
    } else {
      for (long i = 0; i < n; i++) {
        out.setFloat(i, (float) fn.applyAsDouble(x.getFloat(i)));
      }
    }
    return out;
  }
}
