package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.NUMBERS;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Parallel;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * MatMul of two matrices, either transposed, with TensorFlow's gradient. The op's definition, shape
 * function, gradient, traits and kernel binding are written together below.
 */
final class MatMul {
  private MatMul() {}

  static void register(OpRegistry r) {
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
            .shape(MatMul::matmulShape)
            .kernel(
                KernelSource.kernels("matmul"),
                op -> {
                  boolean ta = op.attrBool("transpose_a");
                  boolean tb = op.attrBool("transpose_b");
                  return ctx -> List.of(Parallel.matmul(ctx, ctx.input(0), ctx.input(1), ta, tb));
                })
            .gradient(MatMul::matmulGrad)
            .build());
  }

  static List<Shape> matmulShape(ShapeContext c) {
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

  private static List<Output<?>> matmulGrad(GradientContext c) {
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

  private static List<Output<?>> two(Output<?> a, Output<?> b) {
    return Arrays.asList(a, b);
  }
}
