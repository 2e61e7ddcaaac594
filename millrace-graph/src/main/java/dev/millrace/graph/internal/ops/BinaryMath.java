package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.INDEX;
import static dev.millrace.graph.internal.ops.Defs.NUMBERS;
import static dev.millrace.graph.internal.ops.Defs.one;
import static dev.millrace.graph.internal.ops.G.div;
import static dev.millrace.graph.internal.ops.G.mul;
import static dev.millrace.graph.internal.ops.G.neg;
import static dev.millrace.graph.internal.ops.G.scalar;
import static dev.millrace.graph.internal.ops.G.sub;
import static dev.millrace.graph.internal.ops.G.sumToShapeOf;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.GradientFunction;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.BinaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The broadcasting binary arithmetic ops (AddV2 and the older Add, Sub, Mul, RealDiv and the older
 * Div, Maximum, Minimum, SquaredDifference, Pow), Equal, AddN, and BroadcastGradientArgs, which
 * their gradients use to sum back over broadcast axes (with TensorFlow's formulas). Each op's
 * definition, shape function, gradient, traits and kernel binding are written together below.
 */
final class BinaryMath {
  private BinaryMath() {}

  static void register(OpRegistry r) {
    OpTrait ew = OpTrait.ELEMENTWISE;
    OpTrait comm = OpTrait.COMMUTATIVE;
    OpTrait assoc = OpTrait.ASSOCIATIVE;
    OpTrait zero = OpTrait.PRESERVES_ZERO;
    OpTrait idem = OpTrait.IDEMPOTENT;
    r.register(
        binary("AddV2", BinaryOp.ADD, NUMBERS, BinaryMath::addGrad, ew, comm, assoc, zero).build());
    // The older Add, which TensorFlow graphs still contain.
    r.register(
        binary("Add", BinaryOp.ADD, NUMBERS, BinaryMath::addGrad, ew, comm, assoc, zero)
            .builtBy("TensorFlow's graphs (the typed API builds AddV2)")
            .build());
    r.register(binary("Sub", BinaryOp.SUB, NUMBERS, BinaryMath::subGrad, ew, zero).build());
    r.register(
        binary("Mul", BinaryOp.MUL, NUMBERS, BinaryMath::mulGrad, ew, comm, assoc, zero).build());
    r.register(binary("RealDiv", BinaryOp.DIV, NUMBERS, BinaryMath::divGrad, ew).build());
    // The older Div of TensorFlow's first graphs: RealDiv for floats; for integers, as
    // TensorFlow's kernel, division truncated towards zero (and an error dividing by zero).
    r.register(
        binary("Div", BinaryOp.DIV, NUMBERS, BinaryMath::divGrad, ew)
            .builtBy("TensorFlow's graphs (the typed API builds RealDiv)")
            .build());
    r.register(binary("Maximum", BinaryOp.MAXIMUM, NUMBERS, null, ew, comm, assoc, idem).build());
    r.register(binary("Minimum", BinaryOp.MINIMUM, NUMBERS, null, ew, comm, assoc, idem).build());
    r.register(
        binary(
                "SquaredDifference",
                BinaryOp.SQUARED_DIFFERENCE,
                NUMBERS,
                BinaryMath::squaredDifferenceGrad,
                ew,
                comm,
                zero)
            .build());
    r.register(binary("Pow", BinaryOp.POW, FLOATS, null, ew).build());

    r.register(
        OpDef.builder("AddN")
            .inputList("inputs", "T", "N")
            .output("sum", "T")
            .typeAttr("T", NUMBERS)
            .shape(BinaryMath::addNShape)
            .kernel(
                KernelSource.kernels("binary"),
                op ->
                    ctx -> {
                      Tensor sum = ctx.input(0);
                      for (int i = 1; i < ctx.numInputs(); i++) {
                        sum = ctx.kernels().binary(BinaryOp.ADD, sum, ctx.input(i));
                      }
                      return List.of(sum);
                    })
            .gradient(BinaryMath::addNGrad)
            .traits(ew, comm, assoc, zero)
            .build());
    r.register(
        OpDef.builder("Equal")
            .input("x", "T")
            .input("y", "T")
            .output("z", DType.BOOL)
            .typeAttr("T")
            .attr("incompatible_shape_error", AttrType.BOOL, AttrValue.of(true))
            .shape(c -> one(Shapes.broadcast(c, c.inputShape(0), c.inputShape(1))))
            .kernel(
                KernelSource.kernels("equal"),
                op -> ctx -> List.of(ctx.kernels().equal(ctx.input(0), ctx.input(1))))
            .traits(ew, comm)
            .build());
    r.register(
        OpDef.builder("BroadcastGradientArgs")
            .input("s0", "T")
            .input("s1", "T")
            .output("r0", "T")
            .output("r1", "T")
            .typeAttrWithDefault("T", DType.INT32, INDEX)
            .shape(c -> List.of(Shape.of(Shapes.U), Shape.of(Shapes.U)))
            .builtBy("Gradients")
            .kernel(KernelSource.referenceOnly(), op -> BinaryMath::broadcastGradientArgs)
            .build());
  }

  private static OpDef.Builder binary(
      String type, BinaryOp fn, DType[] types, GradientFunction grad, OpTrait... traits) {
    return OpDef.builder(type)
        .input("x", "T")
        .input("y", "T")
        .output("z", "T")
        .typeAttr("T", types)
        .shape(c -> one(Shapes.broadcast(c, c.inputShape(0), c.inputShape(1))))
        .kernel(
            KernelSource.kernels("binary"),
            op -> ctx -> List.of(ctx.kernels().binary(fn, ctx.input(0), ctx.input(1))))
        .gradient(grad)
        .traits(traits);
  }

  private static List<Shape> addNShape(ShapeContext c) {
    Shape out = c.inputShape(0);
    for (int i = 1; i < c.numInputs(); i++) {
      Shape s = c.inputShape(i);
      if (!out.isCompatibleWith(s)) {
        throw c.error("inputs[0] has shape " + out + " but inputs[" + i + "] has shape " + s);
      }
      out = Shapes.merge(out, s);
    }
    return one(out);
  }

  private static List<Output<?>> two(Output<?> a, Output<?> b) {
    return Arrays.asList(a, b);
  }

  private static List<Output<?>> addGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    return two(
        sumToShapeOf(tf, g, c.input(0), c.input(1)), sumToShapeOf(tf, g, c.input(1), c.input(0)));
  }

  private static List<Output<?>> subGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    return two(
        sumToShapeOf(tf, g, c.input(0), c.input(1)),
        sumToShapeOf(tf, neg(tf, g), c.input(1), c.input(0)));
  }

  private static List<Output<?>> mulGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    Output<?> x = c.input(0);
    Output<?> y = c.input(1);
    return two(sumToShapeOf(tf, mul(tf, g, y), x, y), sumToShapeOf(tf, mul(tf, x, g), y, x));
  }

  private static List<Output<?>> divGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    Output<?> x = c.input(0);
    Output<?> y = c.input(1);
    // d(x/y)/dy = -x / y^2, written as TensorFlow does: g * (-x / y / y).
    Output<?> gy = mul(tf, g, div(tf, div(tf, neg(tf, x), y), y));
    return two(sumToShapeOf(tf, div(tf, g, y), x, y), sumToShapeOf(tf, gy, y, x));
  }

  private static List<Output<?>> squaredDifferenceGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> x = c.input(0);
    Output<?> y = c.input(1);
    Output<?> d = mul(tf, mul(tf, c.grad(0), scalar(tf, x.dtype(), 2)), sub(tf, x, y));
    return two(sumToShapeOf(tf, d, x, y), sumToShapeOf(tf, neg(tf, d), y, x));
  }

  private static List<Output<?>> addNGrad(GradientContext c) {
    return Collections.nCopies(c.op().numInputs(), c.grad(0));
  }

  /** The axes along which each of two broadcast shapes was expanded (TensorFlow's BCast). */
  private static List<Tensor> broadcastGradientArgs(KernelContext ctx) {
    long[] s0 = Consts.longs(ctx.input(0));
    long[] s1 = Consts.longs(ctx.input(1));
    int rank = Math.max(s0.length, s1.length);
    List<Long> r0 = new ArrayList<>();
    List<Long> r1 = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      long d0 = i - (rank - s0.length) < 0 ? 1 : s0[i - (rank - s0.length)];
      long d1 = i - (rank - s1.length) < 0 ? 1 : s1[i - (rank - s1.length)];
      if (d0 != d1 && d0 != 1 && d1 != 1) {
        throw new IllegalArgumentException(
            "shapes " + Shape.of(s0) + " and " + Shape.of(s1) + " are not broadcast-compatible");
      }
      if (d0 == 1) {
        r0.add((long) i);
      }
      if (d1 == 1) {
        r1.add((long) i);
      }
    }
    DType t = ctx.input(0).dtype();
    return List.of(
        Defs.intVector(t, r0.stream().mapToLong(Long::longValue).toArray()),
        Defs.intVector(t, r1.stream().mapToLong(Long::longValue).toArray()));
  }
}
