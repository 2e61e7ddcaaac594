package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.G.add;
import static dev.millrace.graph.internal.G.div;
import static dev.millrace.graph.internal.G.mul;
import static dev.millrace.graph.internal.G.neg;
import static dev.millrace.graph.internal.G.scalar;
import static dev.millrace.graph.internal.G.sub;
import static dev.millrace.graph.internal.G.sumToShapeOf;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Gradients of arithmetic, with TensorFlow's formulas; broadcasting inputs get their gradient
 * summed back to their own shape.
 */
final class MathGrads {
  private MathGrads() {}

  private static List<Output<?>> two(Output<?> a, Output<?> b) {
    return Arrays.asList(a, b);
  }

  static List<Output<?>> addGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    return two(
        sumToShapeOf(tf, g, c.input(0), c.input(1)), sumToShapeOf(tf, g, c.input(1), c.input(0)));
  }

  static List<Output<?>> subGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    return two(
        sumToShapeOf(tf, g, c.input(0), c.input(1)),
        sumToShapeOf(tf, neg(tf, g), c.input(1), c.input(0)));
  }

  static List<Output<?>> mulGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    Output<?> x = c.input(0);
    Output<?> y = c.input(1);
    return two(sumToShapeOf(tf, mul(tf, g, y), x, y), sumToShapeOf(tf, mul(tf, x, g), y, x));
  }

  static List<Output<?>> divGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> g = c.grad(0);
    Output<?> x = c.input(0);
    Output<?> y = c.input(1);
    // d(x/y)/dy = -x / y^2, written as TensorFlow does: g * (-x / y / y).
    Output<?> gy = mul(tf, g, div(tf, div(tf, neg(tf, x), y), y));
    return two(sumToShapeOf(tf, div(tf, g, y), x, y), sumToShapeOf(tf, gy, y, x));
  }

  static List<Output<?>> squaredDifferenceGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> x = c.input(0);
    Output<?> y = c.input(1);
    Output<?> d = mul(tf, mul(tf, c.grad(0), scalar(tf, x.dtype(), 2)), sub(tf, x, y));
    return two(sumToShapeOf(tf, d, x, y), sumToShapeOf(tf, neg(tf, d), y, x));
  }

  static List<Output<?>> negGrad(GradientContext c) {
    return List.of(neg(c.ops(), c.grad(0)));
  }

  static List<Output<?>> squareGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> x = c.input(0);
    return List.of(mul(tf, c.grad(0), mul(tf, x, scalar(tf, x.dtype(), 2))));
  }

  static List<Output<?>> sqrtGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    return List.of(div(tf, mul(tf, c.grad(0), scalar(tf, y.dtype(), 0.5)), y));
  }

  static List<Output<?>> rsqrtGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    // d(x^-1/2)/dx = -1/2 x^-3/2 = -1/2 y^3
    Output<?> y3 = mul(tf, mul(tf, y, y), y);
    return List.of(mul(tf, c.grad(0), mul(tf, y3, scalar(tf, y.dtype(), -0.5))));
  }

  static List<Output<?>> expGrad(GradientContext c) {
    return List.of(mul(c.ops(), c.grad(0), c.output(0)));
  }

  static List<Output<?>> logGrad(GradientContext c) {
    return List.of(div(c.ops(), c.grad(0), c.input(0)));
  }

  static List<Output<?>> reciprocalGrad(GradientContext c) {
    Ops tf = c.ops();
    Output<?> y = c.output(0);
    return List.of(neg(tf, mul(tf, c.grad(0), mul(tf, y, y))));
  }

  static List<Output<?>> addNGrad(GradientContext c) {
    return Collections.nCopies(c.op().numInputs(), c.grad(0));
  }

  static List<Output<?>> matmulGrad(GradientContext c) {
    Ops tf = c.ops();
    Operation op = c.op();
    boolean ta = op.attrBool("transpose_a");
    boolean tb = op.attrBool("transpose_b");
    Output<?> a = c.input(0);
    Output<?> b = c.input(1);
    Output<?> g = c.grad(0);
    if (!ta && !tb) {
      return two(mm(tf, g, b, false, true), mm(tf, a, g, true, false));
    } else if (!ta) {
      return two(mm(tf, g, b, false, false), mm(tf, g, a, true, false));
    } else if (!tb) {
      return two(mm(tf, b, g, false, true), mm(tf, a, g, false, false));
    }
    return two(mm(tf, b, g, true, true), mm(tf, g, a, true, true));
  }

  private static Output<?> mm(Ops tf, Output<?> a, Output<?> b, boolean ta, boolean tb) {
    return G.op(
        tf,
        "MatMul",
        Map.of("transpose_a", AttrValue.of(ta), "transpose_b", AttrValue.of(tb)),
        a,
        b);
  }

  static List<Output<?>> sumGrad(GradientContext c) {
    return reduceGrad(c, false);
  }

  static List<Output<?>> meanGrad(GradientContext c) {
    return reduceGrad(c, true);
  }

  /** Max: the gradient goes to the maxima, shared equally among ties (as TensorFlow). */
  static List<Output<?>> maxGrad(GradientContext c) {
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

  static List<Output<?>> none(GradientContext c) {
    return new ArrayList<>(Collections.nCopies(c.op().numInputs(), null));
  }
}
