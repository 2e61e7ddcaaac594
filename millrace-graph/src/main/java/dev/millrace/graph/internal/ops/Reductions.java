package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.INDEX;
import static dev.millrace.graph.internal.ops.Defs.NUMBERS;
import static dev.millrace.graph.internal.ops.Defs.one;
import static dev.millrace.graph.internal.ops.G.add;
import static dev.millrace.graph.internal.ops.G.div;
import static dev.millrace.graph.internal.ops.G.mul;
import static dev.millrace.graph.internal.ops.G.scalar;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.GradientFunction;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.ReduceOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reductions over constant axes (Sum, Mean, Max, Min, Prod) and ArgMax. Each op's definition, shape
 * function, gradient, traits and kernel binding are written together below.
 */
final class Reductions {
  private Reductions() {}

  static void register(OpRegistry r) {
    r.register(reduction("Sum", ReduceOp.SUM, Reductions::sumGrad));
    r.register(reduction("Mean", ReduceOp.MEAN, Reductions::meanGrad));
    r.register(reduction("Max", ReduceOp.MAX, Reductions::maxGrad));
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
            .shape(Reductions::argmaxShape)
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
  }

  private static OpDef reduction(String type, ReduceOp fn, GradientFunction grad) {
    return OpDef.builder(type)
        .input("input", "T")
        .input("reduction_indices", "Tidx")
        .output("output", "T")
        .typeAttr("T", NUMBERS)
        .typeAttrWithDefault("Tidx", DType.INT32, INDEX)
        .attr("keep_dims", AttrType.BOOL, AttrValue.of(false))
        .shape(Reductions::reduceShape)
        .kernel(
            KernelSource.kernels("reduce"),
            op -> {
              boolean keep = op.attrBool("keep_dims");
              return ctx -> {
                Tensor x = ctx.input(0);
                int[] axes = Defs.toInts(Consts.longs(ctx.input(1)));
                // TensorFlow: empty reduction_indices reduce nothing (the Kernels interface
                // would reduce everything).
                return List.of(axes.length == 0 ? x : ctx.kernels().reduce(fn, x, axes, keep));
              };
            })
        .gradient(grad)
        .build();
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

  private static List<Output<?>> sumGrad(GradientContext c) {
    return reduceGrad(c, false);
  }

  private static List<Output<?>> meanGrad(GradientContext c) {
    return reduceGrad(c, true);
  }

  /** Max: the gradient goes to the maxima, shared equally among ties (as TensorFlow). */
  private static List<Output<?>> maxGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> x = c.input(0);
    Output<?> y = c.output(0);
    Output<?> keepShape = keptShape(tf, c);
    Output<?> yk = G.reshape(tf, y, keepShape);
    Output<?> hit =
        G.op(tf, "Cast", Map.of("DstT", AttrValue.of(x.dtype())), G.op(tf, "Equal", x, yk));
    Output<?> count = G.reshape(tf, G.sum(tf, hit, c.input(1), false), keepShape);
    Output<?> gk = G.reshape(tf, c.grad(0), keepShape);
    return Arrays.asList(mul(tf, div(tf, hit, count), gk), null);
  }

  /** Sum and Mean: the gradient broadcast back over the reduced axes (divided by their size). */
  private static List<Output<?>> reduceGrad(GradientContext c, boolean mean) {
    Ops tf = c.ops();
    Output<?> x = c.input(0);
    Output<?> g = c.grad(0);
    Output<?> gk = G.reshape(tf, g, keptShape(tf, c));
    Output<?> scaled = gk;
    if (mean) {
      if (x.hasKnownRank()
          && x.shape().isFullyDefined()
          && c.output(0).hasKnownRank()
          && c.output(0).shape().isFullyDefined()) {
        double scale = (double) c.output(0).shape().size() / x.shape().size();
        scaled = mul(tf, gk, scalar(tf, x.dtype(), scale));
      } else {
        Map<String, AttrValue> cast = Map.of("DstT", AttrValue.of(x.dtype()));
        Output<?> n = G.op(tf, "Cast", cast, G.op(tf, "Size", x));
        Output<?> m = G.op(tf, "Cast", cast, G.op(tf, "Size", c.output(0)));
        scaled = mul(tf, gk, div(tf, m, n));
      }
    }
    Output<?> spread = G.op(tf, "BroadcastTo", scaled, G.shapeOf(tf, x));
    return Arrays.asList(spread, null);
  }

  /** The input's shape with the reduced axes set to 1 (the keep_dims shape of the output). */
  private static Output<?> keptShape(Ops tf, GradientContext c) {
    Output<?> x = c.input(0);
    long[] axes =
        Consts.valueOf(c.input(1))
            .map(Consts::longs)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        c.op() + ": gradient needs constant reduction_indices"));
    if (!x.hasKnownRank()) {
      throw new IllegalArgumentException(c.op() + ": gradient needs an input of known rank");
    }
    int rank = x.shape().rank();
    boolean[] reduced = new boolean[rank];
    for (long a : axes) {
      reduced[(int) (a < 0 ? a + rank : a)] = true;
    }
    Shape xs = x.shape();
    if (xs.isFullyDefined()) {
      long[] d = xs.dims();
      for (int i = 0; i < rank; i++) {
        d[i] = reduced[i] ? 1 : d[i];
      }
      return G.ints(tf, d);
    }
    // shape(x) * keep + reduced, with keep/reduced as 0/1 masks: int32 arithmetic at run time.
    long[] keep = new long[rank];
    long[] ones = new long[rank];
    for (int i = 0; i < rank; i++) {
      keep[i] = reduced[i] ? 0 : 1;
      ones[i] = reduced[i] ? 1 : 0;
    }
    return add(tf, mul(tf, G.op(tf, "Shape", x), G.ints(tf, keep)), G.ints(tf, ones));
  }
}
