package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.Defs.FLOATS;
import static dev.millrace.graph.internal.Defs.INDEX;
import static dev.millrace.graph.internal.Defs.NUMBERS;
import static dev.millrace.graph.internal.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.spi.GradientFunction;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.BinaryOp;
import dev.millrace.kernels.ReduceOp;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

/**
 * Arithmetic: broadcasting binary ops, elementwise functions, AddN, MatMul, reductions, ArgMax,
 * Equal and BroadcastGradientArgs.
 */
final class MathDefs {
  private MathDefs() {}

  static void register(OpRegistry r) {
    OpTrait ew = OpTrait.ELEMENTWISE;
    OpTrait comm = OpTrait.COMMUTATIVE;
    OpTrait assoc = OpTrait.ASSOCIATIVE;
    OpTrait zero = OpTrait.PRESERVES_ZERO;
    OpTrait idem = OpTrait.IDEMPOTENT;
    r.register(
        binary("AddV2", BinaryOp.ADD, NUMBERS, MathGrads::addGrad, ew, comm, assoc, zero).build());
    // The older Add, which TensorFlow graphs still contain.
    r.register(
        binary("Add", BinaryOp.ADD, NUMBERS, MathGrads::addGrad, ew, comm, assoc, zero)
            .builtBy("TensorFlow's graphs (the typed API builds AddV2)")
            .build());
    r.register(binary("Sub", BinaryOp.SUB, NUMBERS, MathGrads::subGrad, ew, zero).build());
    r.register(
        binary("Mul", BinaryOp.MUL, NUMBERS, MathGrads::mulGrad, ew, comm, assoc, zero).build());
    r.register(binary("RealDiv", BinaryOp.DIV, NUMBERS, MathGrads::divGrad, ew).build());
    r.register(binary("Maximum", BinaryOp.MAXIMUM, NUMBERS, null, ew, comm, assoc, idem).build());
    r.register(binary("Minimum", BinaryOp.MINIMUM, NUMBERS, null, ew, comm, assoc, idem).build());
    r.register(
        binary(
                "SquaredDifference",
                BinaryOp.SQUARED_DIFFERENCE,
                NUMBERS,
                MathGrads::squaredDifferenceGrad,
                ew,
                comm,
                zero)
            .build());
    r.register(binary("Pow", BinaryOp.POW, FLOATS, null, ew).build());

    r.register(unary("Neg", UnaryOp.NEG, NUMBERS, MathGrads::negGrad, ew, zero));
    r.register(unary("Abs", UnaryOp.ABS, NUMBERS, null, ew, zero, idem));
    r.register(unary("Square", UnaryOp.SQUARE, NUMBERS, MathGrads::squareGrad, ew, zero));
    r.register(unary("Sqrt", UnaryOp.SQRT, FLOATS, MathGrads::sqrtGrad, ew, zero));
    r.register(unary("Rsqrt", UnaryOp.RSQRT, FLOATS, MathGrads::rsqrtGrad, ew));
    r.register(unary("Exp", UnaryOp.EXP, FLOATS, MathGrads::expGrad, ew));
    r.register(unary("Log", UnaryOp.LOG, FLOATS, MathGrads::logGrad, ew));
    r.register(unary("Reciprocal", UnaryOp.RECIPROCAL, FLOATS, MathGrads::reciprocalGrad, ew));
    // Not in the Kernels interface: elementary Java, used by learning-rate schedules.
    r.register(javaUnary("Floor", Math::floor, ew, zero, idem));
    r.register(javaUnary("Cos", Math::cos, ew));

    r.register(
        OpDef.builder("AddN")
            .inputList("inputs", "T", "N")
            .output("sum", "T")
            .typeAttr("T", NUMBERS)
            .shape(MathDefs::addNShape)
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
            .gradient(MathGrads::addNGrad)
            .traits(ew, comm, assoc, zero)
            .build());
    r.register(
        OpDef.builder("MatMul")
            .input("a", "T")
            .input("b", "T")
            .output("product", "T")
            .typeAttr("T", NUMBERS)
            .attr("transpose_a", AttrType.BOOL, AttrValue.of(false))
            .attr("transpose_b", AttrType.BOOL, AttrValue.of(false))
            // Hints TensorFlow 2.12+ records on the MatMuls its gradients create.
            .attr("grad_a", AttrType.BOOL, AttrValue.of(false))
            .attr("grad_b", AttrType.BOOL, AttrValue.of(false))
            .shape(MathDefs::matmulShape)
            .kernel(
                KernelSource.kernels("matmul"),
                op -> {
                  boolean ta = op.attrBool("transpose_a");
                  boolean tb = op.attrBool("transpose_b");
                  return ctx -> List.of(Parallel.matmul(ctx, ctx.input(0), ctx.input(1), ta, tb));
                })
            .gradient(MathGrads::matmulGrad)
            .build());
    r.register(reduction("Sum", ReduceOp.SUM, MathGrads::sumGrad));
    r.register(reduction("Mean", ReduceOp.MEAN, MathGrads::meanGrad));
    r.register(reduction("Max", ReduceOp.MAX, MathGrads::maxGrad));
    r.register(reduction("Min", ReduceOp.MIN, null));
    r.register(reduction("Prod", ReduceOp.PROD, null));
    r.register(
        OpDef.builder("ArgMax")
            .input("input", "T")
            .input("dimension", "Tidx")
            .output("output", "output_type")
            .typeAttr("T", NUMBERS)
            .typeAttrWithDefault("Tidx", DType.INT32, INDEX)
            .typeAttrWithDefault("output_type", DType.INT64, INDEX)
            .shape(MathDefs::argmaxShape)
            .kernel(
                KernelSource.kernels("argmax", "cast"),
                op -> {
                  DType outType = op.attrType("output_type");
                  return ctx -> {
                    Tensor x = ctx.input(0);
                    long axis = Consts.longs(ctx.input(1))[0];
                    int rank = x.shape().rank();
                    Tensor out = ctx.kernels().argmax(x, (int) (axis < 0 ? axis + rank : axis));
                    return List.of(out.dtype() == outType ? out : ctx.kernels().cast(out, outType));
                  };
                })
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
            .kernel(KernelSource.referenceOnly(), op -> ElementaryKernels::broadcastGradientArgs)
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
        .kernel(
            KernelSource.referenceOnly(),
            op -> ctx -> List.of(ElementaryKernels.map(ctx.input(0), fn)))
        .traits(traits)
        .build();
  }

  private static OpDef reduction(String type, ReduceOp fn, GradientFunction grad) {
    return OpDef.builder(type)
        .input("input", "T")
        .input("reduction_indices", "Tidx")
        .output("output", "T")
        .typeAttr("T", NUMBERS)
        .typeAttrWithDefault("Tidx", DType.INT32, INDEX)
        .attr("keep_dims", AttrType.BOOL, AttrValue.of(false))
        .shape(MathDefs::reduceShape)
        .kernel(
            KernelSource.kernels("reduce"),
            op -> {
              boolean keep = op.attrBool("keep_dims");
              return ctx -> {
                Tensor x = ctx.input(0);
                int[] axes = ArrayDefs.toInts(Consts.longs(ctx.input(1)));
                // TensorFlow: empty reduction_indices reduce nothing (the Kernels interface
                // would reduce everything).
                return List.of(axes.length == 0 ? x : ctx.kernels().reduce(fn, x, axes, keep));
              };
            })
        .gradient(grad)
        .build();
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

  private static List<Shape> matmulShape(ShapeContext c) {
    Shape a = c.inputShape(0);
    Shape b = c.inputShape(1);
    boolean ta = c.attrBool("transpose_a");
    boolean tb = c.attrBool("transpose_b");
    if (a.rank() != 2 || b.rank() != 2) {
      throw c.error("a " + a + " and b " + b + " must both have rank 2");
    }
    long m = ta ? a.dim(1) : a.dim(0);
    long ka = ta ? a.dim(0) : a.dim(1);
    long kb = tb ? b.dim(1) : b.dim(0);
    long n = tb ? b.dim(0) : b.dim(1);
    if (ka != Shapes.U && kb != Shapes.U && ka != kb) {
      throw c.error(
          "inner dimensions differ: a "
              + a
              + (ta ? " (transposed)" : "")
              + " has "
              + ka
              + ", b "
              + b
              + (tb ? " (transposed)" : "")
              + " has "
              + kb);
    }
    return one(Shape.of(m, n));
  }

  private static List<Shape> reduceShape(ShapeContext c) {
    Shape in = c.inputShape(0);
    boolean keep = c.attrBool("keep_dims");
    Optional<long[]> axes = Shapes.constInts(c, 1);
    if (axes.isEmpty()) {
      return one(keep ? Shapes.unknown(in.rank()) : null);
    }
    boolean[] reduced = new boolean[in.rank()];
    for (long a : axes.get()) {
      reduced[Shapes.axis(c, a, in.rank(), in)] = true;
    }
    return one(Shapes.reduce(in, reduced, keep));
  }

  private static List<Shape> argmaxShape(ShapeContext c) {
    Shape in = c.inputShape(0);
    Optional<long[]> axis = Shapes.constInts(c, 1);
    if (axis.isEmpty()) {
      return one(in.rank() == 0 ? Shape.scalar() : Shapes.unknown(in.rank() - 1));
    }
    if (in.rank() == 0) {
      throw c.error("input must have rank >= 1, got a scalar");
    }
    boolean[] reduced = new boolean[in.rank()];
    reduced[Shapes.axis(c, axis.get()[0], in.rank(), in)] = true;
    return one(Shapes.reduce(in, reduced, false));
  }
}
