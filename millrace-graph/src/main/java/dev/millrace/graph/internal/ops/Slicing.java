package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.INDEX;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Joining, padding and cutting tensors: ConcatV2 and the older Concat, Pack (a stack along a new
 * dimension), Pad and PadV2 (with a fill value), and Slice. Each op's definition, shape function,
 * gradient, traits and kernel binding are written together below.
 */
final class Slicing {
  private Slicing() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("ConcatV2")
            .inputList("values", "T", "N")
            .input("axis", "Tidx")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tidx", DType.INT32, INDEX)
            .shape(Slicing::concat)
            .kernel(
                KernelSource.kernels("concat"),
                op ->
                    ctx -> {
                      int n = ctx.numInputs() - 1;
                      List<Tensor> parts = new ArrayList<>(n);
                      for (int i = 0; i < n; i++) {
                        parts.add(ctx.input(i));
                      }
                      return List.of(concat(ctx, parts, ctx.input(n)));
                    })
            .gradient(c -> concatGrad(c, 0, c.op().numInputs() - 1, c.op().numInputs() - 1))
            .build());
    // The first Concat: the axis (concat_dim) comes first, always int32.
    r.register(
        OpDef.builder("Concat")
            .input("concat_dim", DType.INT32)
            .inputList("values", "T", "N")
            .output("output", "T")
            .typeAttr("T")
            .shape(c -> one(concatShape(c, 1, c.numInputs() - 1, 0)))
            .kernel(
                KernelSource.kernels("concat"),
                op ->
                    ctx -> {
                      List<Tensor> parts = new ArrayList<>(ctx.numInputs() - 1);
                      for (int i = 1; i < ctx.numInputs(); i++) {
                        parts.add(ctx.input(i));
                      }
                      return List.of(concat(ctx, parts, ctx.input(0)));
                    })
            .gradient(c -> concatGrad(c, 1, c.op().numInputs() - 1, 0))
            .builtBy("TensorFlow's graphs (GraphDef import)")
            .build());
    r.register(
        OpDef.builder("Pack")
            .inputList("values", "T", "N")
            .output("output", "T")
            .typeAttr("T")
            .attr("axis", AttrType.INT, AttrValue.of(0L))
            .shape(Slicing::pack)
            .kernel(
                KernelSource.kernels("concat"),
                op ->
                    ctx -> {
                      int n = ctx.numInputs();
                      long axis = op.attrInt("axis");
                      List<Tensor> parts = new ArrayList<>(n);
                      for (int i = 0; i < n; i++) {
                        Tensor x = ctx.input(i);
                        parts.add(
                            x.reshape(Reshapes.expanded("Pack", x.shape(), new long[] {axis})));
                      }
                      int rank = parts.get(0).shape().rank();
                      return List.of(
                          ctx.kernels().concat(parts, (int) (axis < 0 ? axis + rank : axis)));
                    })
            .builtBy("TensorFlow's graphs (GraphDef import)")
            .build());
    r.register(
        OpDef.builder("Pad")
            .input("input", "T")
            .input("paddings", "Tpaddings")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tpaddings", DType.INT32, INDEX)
            .shape(Slicing::pad)
            .kernel(
                KernelSource.kernels("pad"),
                op -> ctx -> List.of(ctx.kernels().pad(ctx.input(0), pairs(ctx.input(1)), 0.0)))
            .gradient(Slicing::pad)
            .traits(OpTrait.PRESERVES_ZERO)
            .build());
    // Pad with a fill value, which TensorFlow writes when tf.pad is given constant_values.
    r.register(
        OpDef.builder("PadV2")
            .input("input", "T")
            .input("paddings", "Tpaddings")
            .input("constant_values", "T")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tpaddings", DType.INT32, INDEX)
            .shape(
                c -> {
                  if (c.inputShape(2).rank() != 0) {
                    throw c.error("constant_values must be a scalar, got shape " + c.inputShape(2));
                  }
                  return pad(c);
                })
            .kernel(
                KernelSource.kernels("pad"),
                op ->
                    ctx ->
                        List.of(
                            ctx.kernels()
                                .pad(
                                    ctx.input(0),
                                    pairs(ctx.input(1)),
                                    ctx.input(2).getAsDouble(0))))
            .gradient(
                c -> {
                  List<Output<?>> g = new ArrayList<>(pad(c));
                  g.add(null);
                  return g;
                })
            .builtBy("TensorFlow's graphs (GraphDef import)")
            .build());
    r.register(
        OpDef.builder("Slice")
            .input("input", "T")
            .input("begin", "Index")
            .input("size", "Index")
            .output("output", "T")
            .typeAttr("T")
            .typeAttr("Index", INDEX)
            .shape(Slicing::slice)
            .kernel(
                KernelSource.kernels("slice"),
                op ->
                    ctx ->
                        List.of(
                            ctx.kernels()
                                .slice(
                                    ctx.input(0),
                                    Consts.longs(ctx.input(1)),
                                    Consts.longs(ctx.input(2)))))
            .build());
  }

  /** N tensors of one shape, stacked along a new dimension {@code axis} of size N. */
  private static List<Shape> pack(ShapeContext c) {
    Shape first = c.inputShape(0);
    for (int i = 1; i < c.numInputs(); i++) {
      if (!c.inputShape(i).isCompatibleWith(first)) {
        throw c.error(
            "values[0] has shape " + first + " but values[" + i + "] has shape " + c.inputShape(i));
      }
    }
    try {
      long axis = c.attrInt("axis");
      Shape expandedShape = Reshapes.expanded("Pack", first, new long[] {axis});
      int at = (int) (axis < 0 ? axis + first.rank() + 1 : axis);
      return one(expandedShape.withDim(at, c.numInputs()));
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
  }

  private static List<Shape> concat(ShapeContext c) {
    return one(concatShape(c, 0, c.numInputs() - 1, c.numInputs() - 1));
  }

  /**
   * The shape of {@code n} tensors, inputs {@code from..from+n-1}, joined along the axis that input
   * {@code axisInput} holds.
   */
  static Shape concatShape(ShapeContext c, int from, int n, int axisInput) {
    Shape first = c.inputShape(from);
    Optional<long[]> axisValue = Shapes.constInts(c, axisInput);
    if (axisValue.isEmpty()) {
      return Shapes.unknown(first.rank());
    }
    int axis = Shapes.axis(c, axisValue.get()[0], first.rank(), first);
    long[] out = first.dims();
    for (int i = 1; i < n; i++) {
      Shape s = c.inputShape(from + i);
      if (s.rank() != first.rank()) {
        throw c.error("values[0] has shape " + first + " but values[" + i + "] has shape " + s);
      }
      for (int d = 0; d < out.length; d++) {
        long v = s.dim(d);
        if (d == axis) {
          out[d] = out[d] == Shapes.U || v == Shapes.U ? Shapes.U : out[d] + v;
        } else if (out[d] != Shapes.U && v != Shapes.U && out[d] != v) {
          throw c.error(
              "values[0] has shape "
                  + first
                  + " but values["
                  + i
                  + "] has shape "
                  + s
                  + ": dimension "
                  + d
                  + " differs (concatenating along axis "
                  + axis
                  + ")");
        } else if (out[d] == Shapes.U) {
          out[d] = v;
        }
      }
    }
    return Shape.of(out);
  }

  private static List<Shape> pad(ShapeContext c) {
    Shape in = c.inputShape(0);
    Shape ps = c.inputShape(1);
    if (ps.rank() != 2 || (ps.dim(0) != Shapes.U && ps.dim(0) != in.rank()) || ps.dim(1) == 1) {
      throw c.error("paddings " + ps + " must have shape [" + in.rank() + ", 2] for input " + in);
    }
    Optional<long[]> p = Shapes.constInts(c, 1);
    if (p.isEmpty()) {
      return one(Shapes.unknown(in.rank()));
    }
    long[] v = p.get();
    long[] out = in.dims();
    for (int i = 0; i < out.length; i++) {
      if (v[2 * i] < 0 || v[2 * i + 1] < 0) {
        throw c.error("paddings " + Arrays.toString(v) + " has a negative entry");
      }
      out[i] = out[i] == Shapes.U ? Shapes.U : out[i] + v[2 * i] + v[2 * i + 1];
    }
    return one(Shape.of(out));
  }

  private static List<Shape> slice(ShapeContext c) {
    Shape in = c.inputShape(0);
    Optional<long[]> begin = Shapes.constInts(c, 1);
    Optional<long[]> size = Shapes.constInts(c, 2);
    if (begin.isEmpty() || size.isEmpty()) {
      return one(Shapes.unknown(in.rank()));
    }
    long[] b = begin.get();
    long[] s = size.get();
    if (b.length != in.rank() || s.length != in.rank()) {
      throw c.error(
          "begin "
              + Arrays.toString(b)
              + " and size "
              + Arrays.toString(s)
              + " must have one entry per dimension of "
              + in);
    }
    long[] out = new long[b.length];
    for (int i = 0; i < b.length; i++) {
      long d = in.dim(i);
      long end = s[i] == -1 ? d : b[i] + s[i];
      if (b[i] < 0 || s[i] < -1 || (d != Shapes.U && end > d)) {
        throw c.error(
            "slice begin "
                + Arrays.toString(b)
                + " size "
                + Arrays.toString(s)
                + " is out of bounds for shape "
                + in);
      }
      out[i] = s[i] == -1 ? (d == Shapes.U ? Shapes.U : d - b[i]) : s[i];
    }
    return one(Shape.of(out));
  }

  private static long[][] pairs(Tensor paddings) {
    long[] v = Consts.longs(paddings);
    long[][] p = new long[v.length / 2][];
    for (int i = 0; i < p.length; i++) {
      p[i] = new long[] {v[2 * i], v[2 * i + 1]};
    }
    return p;
  }

  /** {@code parts} joined along the axis {@code axis} holds (negative: from the end). */
  private static Tensor concat(KernelContext ctx, List<Tensor> parts, Tensor axis) {
    int rank = parts.get(0).shape().rank();
    long a = Consts.longs(axis)[0];
    return ctx.kernels().concat(parts, (int) (a < 0 ? a + rank : a));
  }

  /**
   * The gradient of a concatenation of the {@code n} inputs from {@code from} along the axis that
   * input {@code axisInput} holds: a slice of the gradient per input.
   */
  private static List<Output<?>> concatGrad(GradientContext c, int from, int n, int axisInput) {
    Ops tf = c.ops();
    Output<?> first = c.input(from);
    int rank = first.shape().rank();
    long axisValue =
        Consts.valueOf(c.input(axisInput))
            .map(t -> Consts.longs(t)[0])
            .orElseThrow(
                () -> new IllegalArgumentException(c.op() + ": gradient needs a constant axis"));
    int axis = (int) (axisValue < 0 ? axisValue + rank : axisValue);
    List<Output<?>> grads = new ArrayList<>();
    if (axisInput < from) {
      grads.add(null);
    }
    long offset = 0;
    for (int i = from; i < from + n; i++) {
      Output<?> in = c.input(i);
      long size = in.shape().dim(axis);
      if (size < 0) {
        throw new IllegalArgumentException(
            c.op() + ": gradient needs static sizes along axis " + axis + ", input " + in);
      }
      long[] begin = new long[rank];
      long[] sizes = new long[rank];
      Arrays.fill(sizes, -1);
      begin[axis] = offset;
      sizes[axis] = size;
      grads.add(G.op(tf, "Slice", c.grad(0), G.ints(tf, begin), G.ints(tf, sizes)));
      offset += size;
    }
    if (axisInput > from) {
      grads.add(null);
    }
    return grads;
  }

  private static List<Output<?>> pad(GradientContext c) {
    Ops tf = c.ops();
    long[] p =
        Consts.valueOf(c.input(1))
            .map(Consts::longs)
            .orElseThrow(
                () -> new IllegalArgumentException(c.op() + ": gradient needs constant paddings"));
    long[] begin = new long[p.length / 2];
    for (int i = 0; i < begin.length; i++) {
      begin[i] = p[2 * i];
    }
    Output<?> g = G.op(tf, "Slice", c.grad(0), G.ints(tf, begin), G.shapeOf(tf, c.input(0)));
    return Arrays.asList(g, null);
  }
}
