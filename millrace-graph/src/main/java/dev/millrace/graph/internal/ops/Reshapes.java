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
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The same elements in another shape: Reshape, Squeeze, ExpandDims (views of their input),
 * Transpose and BroadcastTo. Each op's definition, shape function, gradient, traits and kernel
 * binding are written together below.
 */
final class Reshapes {
  private Reshapes() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("Reshape")
            .input("tensor", "T")
            .input("shape", "Tshape")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tshape", DType.INT32, INDEX)
            .shape(Reshapes::reshape)
            .kernel(
                KernelSource.noArithmetic(),
                op ->
                    ctx -> {
                      Tensor x = ctx.input(0);
                      long[] target = Consts.longs(ctx.input(1));
                      return List.of(x.reshape(resolveReshape(op.toString(), x.shape(), target)));
                    })
            .gradient(Reshapes::reshape)
            .traits(OpTrait.FORWARDS_INPUT)
            .build());
    r.register(
        OpDef.builder("Squeeze")
            .input("input", "T")
            .output("output", "T")
            .typeAttr("T")
            .attr("squeeze_dims", AttrType.LIST_INT, AttrValue.of(new long[0]))
            .shape(Reshapes::squeeze)
            .kernel(
                KernelSource.noArithmetic(),
                op ->
                    ctx -> {
                      Tensor x = ctx.input(0);
                      return List.of(x.reshape(squeezed(x.shape(), op.attrInts("squeeze_dims"))));
                    })
            .gradient(Reshapes::reshapeLikeInput)
            .traits(OpTrait.FORWARDS_INPUT)
            .build());
    r.register(
        OpDef.builder("ExpandDims")
            .input("input", "T")
            .input("dim", "Tdim")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tdim", DType.INT32, INDEX)
            .shape(Reshapes::expandDims)
            .kernel(
                KernelSource.noArithmetic(),
                op ->
                    ctx -> {
                      Tensor x = ctx.input(0);
                      long[] axis = Consts.longs(ctx.input(1));
                      return List.of(x.reshape(expanded(op.toString(), x.shape(), axis)));
                    })
            .gradient(c -> Arrays.asList(G.reshapeLike(c.ops(), c.grad(0), c.input(0)), null))
            .traits(OpTrait.FORWARDS_INPUT)
            .builtBy("TensorFlow's graphs (GraphDef import)")
            .build());
    r.register(
        OpDef.builder("Transpose")
            .input("x", "T")
            .input("perm", "Tperm")
            .output("y", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tperm", DType.INT32, INDEX)
            .shape(Reshapes::transpose)
            .kernel(
                KernelSource.kernels("transpose"),
                op ->
                    ctx ->
                        List.of(
                            ctx.kernels()
                                .transpose(ctx.input(0), Defs.toInts(Consts.longs(ctx.input(1))))))
            .gradient(Reshapes::transpose)
            .traits(OpTrait.LAYOUT_SENSITIVE)
            .build());
    r.register(
        OpDef.builder("BroadcastTo")
            .input("input", "T")
            .input("shape", "Tidx")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tidx", DType.INT32, INDEX)
            .shape(
                c -> {
                  Shape target = Shapes.shapeFromInput(c, 1);
                  if (target != null) {
                    Shapes.broadcast(c, c.inputShape(0), target);
                  }
                  return one(target);
                })
            .kernel(
                KernelSource.referenceOnly(),
                op ->
                    ctx -> List.of(broadcastTo(ctx.input(0), Shape.of(Consts.longs(ctx.input(1))))))
            .gradient(Reshapes::broadcastTo)
            .builtBy("Gradients")
            .build());
  }

  static List<Shape> reshape(ShapeContext c) {
    Optional<long[]> target = Shapes.constInts(c, 1);
    Shape in = c.inputShape(0);
    if (target.isEmpty()) {
      Shape s = c.inputShape(1);
      return one(s.rank() == 1 && s.dim(0) >= 0 ? Shapes.unknown((int) s.dim(0)) : null);
    }
    long[] t = target.get();
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < t.length; i++) {
      if (t[i] == -1) {
        if (inferred >= 0) {
          throw c.error("shape " + Arrays.toString(t) + " has more than one -1");
        }
        inferred = i;
      } else if (t[i] < 0) {
        throw c.error("shape " + Arrays.toString(t) + " has a negative dimension");
      } else {
        known *= t[i];
      }
    }
    long[] out = t.clone();
    if (in.isFullyDefined()) {
      long n = in.size();
      if (inferred >= 0) {
        if (known == 0 || n % known != 0) {
          throw c.error("cannot reshape " + in + " (" + n + " elements) to " + Arrays.toString(t));
        }
        out[inferred] = n / known;
      } else if (known != n) {
        throw c.error(
            "cannot reshape "
                + in
                + " ("
                + n
                + " elements) to "
                + Shape.of(t)
                + " ("
                + known
                + " elements)");
      }
    }
    return one(Shape.of(out));
  }

  private static List<Shape> squeeze(ShapeContext c) {
    Shape in = c.inputShape(0);
    long[] dims = c.attrInts("squeeze_dims");
    boolean[] drop = new boolean[in.rank()];
    if (dims.length == 0) {
      for (int i = 0; i < in.rank(); i++) {
        if (in.dim(i) == Shapes.U) {
          return one(null);
        }
        drop[i] = in.dim(i) == 1;
      }
    }
    for (long d : dims) {
      int a = Shapes.axis(c, d, in.rank(), in);
      if (in.dim(a) != 1 && in.dim(a) != Shapes.U) {
        throw c.error(
            "cannot squeeze dimension " + d + " of shape " + in + ": its size is " + in.dim(a));
      }
      drop[a] = true;
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < in.rank(); i++) {
      if (!drop[i]) {
        out.add(in.dim(i));
      }
    }
    return one(Shape.of(out.stream().mapToLong(Long::longValue).toArray()));
  }

  private static List<Shape> transpose(ShapeContext c) {
    Shape in = c.inputShape(0);
    Optional<long[]> perm = Shapes.constInts(c, 1);
    if (perm.isEmpty()) {
      return one(Shapes.unknown(in.rank()));
    }
    long[] p = perm.get();
    if (p.length != in.rank()) {
      throw c.error("perm " + Arrays.toString(p) + " has " + p.length + " entries for shape " + in);
    }
    boolean[] seen = new boolean[p.length];
    long[] out = new long[p.length];
    for (int i = 0; i < p.length; i++) {
      if (p[i] < 0 || p[i] >= p.length || seen[(int) p[i]]) {
        throw c.error(
            "perm " + Arrays.toString(p) + " is not a permutation of 0.." + (p.length - 1));
      }
      seen[(int) p[i]] = true;
      out[i] = in.dim((int) p[i]);
    }
    return one(Shape.of(out));
  }

  static Shape resolveReshape(String where, Shape in, long[] target) {
    long n = in.size();
    long known = 1;
    int inferred = -1;
    for (int i = 0; i < target.length; i++) {
      if (target[i] == -1) {
        inferred = i;
      } else {
        known *= target[i];
      }
    }
    long[] out = target.clone();
    if (inferred >= 0) {
      if (known == 0 || n % known != 0) {
        throw new IllegalArgumentException(
            where
                + ": cannot reshape "
                + in
                + " ("
                + n
                + " elements) to "
                + Arrays.toString(target));
      }
      out[inferred] = n / known;
    }
    return Shape.of(out);
  }

  private static Shape squeezed(Shape in, long[] dims) {
    boolean[] drop = new boolean[in.rank()];
    if (dims.length == 0) {
      for (int i = 0; i < in.rank(); i++) {
        drop[i] = in.dim(i) == 1;
      }
    }
    for (long d : dims) {
      int a = (int) (d < 0 ? d + in.rank() : d);
      if (in.dim(a) != 1) {
        throw new IllegalArgumentException(
            "cannot squeeze dimension " + d + " of shape " + in + ": its size is " + in.dim(a));
      }
      drop[a] = true;
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < in.rank(); i++) {
      if (!drop[i]) {
        out.add(in.dim(i));
      }
    }
    return Shape.of(out.stream().mapToLong(Long::longValue).toArray());
  }

  private static List<Shape> expandDims(ShapeContext c) {
    Optional<long[]> axis = Shapes.constInts(c, 1);
    Shape in = c.inputShape(0);
    if (axis.isEmpty() || in == null) {
      return one(null);
    }
    try {
      return one(expanded("ExpandDims", in, axis.get()));
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
  }

  /**
   * {@code shape} with a dimension of 1 inserted at {@code axis} (one value; negative counts from
   * the end of the result, as in TensorFlow: -1 appends).
   */
  static Shape expanded(String what, Shape shape, long[] axis) {
    if (axis.length != 1) {
      throw new IllegalArgumentException(what + ": dim must be a single value, got " + axis.length);
    }
    int rank = shape.rank();
    long a = axis[0] < 0 ? axis[0] + rank + 1 : axis[0];
    if (a < 0 || a > rank) {
      throw new IllegalArgumentException(
          what + ": dim " + axis[0] + " is outside [" + (-rank - 1) + ", " + rank + "]");
    }
    long[] out = new long[rank + 1];
    for (int i = 0, j = 0; i <= rank; i++) {
      out[i] = i == a ? 1 : shape.dim(j++);
    }
    return Shape.of(out);
  }

  private static List<Output<?>> reshape(GradientContext c) {
    return Arrays.asList(G.reshapeLike(c.ops(), c.grad(0), c.input(0)), null);
  }

  private static List<Output<?>> reshapeLikeInput(GradientContext c) {
    return List.of(G.reshapeLike(c.ops(), c.grad(0), c.input(0)));
  }

  private static List<Output<?>> transpose(GradientContext c) {
    long[] perm =
        Consts.valueOf(c.input(1))
            .map(Consts::longs)
            .orElseThrow(
                () -> new IllegalArgumentException(c.op() + ": gradient needs a constant perm"));
    long[] inverse = new long[perm.length];
    for (int i = 0; i < perm.length; i++) {
      inverse[(int) perm[i]] = i;
    }
    Ops tf = c.ops();
    return Arrays.asList(G.op(tf, "Transpose", c.grad(0), G.ints(tf, inverse)), null);
  }

  private static List<Output<?>> broadcastTo(GradientContext c) {
    Ops tf = c.ops();
    Output<?> x = c.input(0);
    Output<?> g = c.grad(0);
    if (x.hasKnownRank()
        && g.hasKnownRank()
        && x.shape().isFullyDefined()
        && g.shape().isFullyDefined()) {
      return Arrays.asList(G.sumToShapeOf(tf, g, x, x), null);
    }
    Output<?> sx = G.op(tf, "Shape", x);
    Output<?> rx = tf.op("BroadcastGradientArgs", List.of(sx, c.input(1)), Map.of()).output(0);
    return Arrays.asList(G.reshape(tf, G.sum(tf, g, rx, false), sx), null);
  }

  /** {@code x} broadcast to {@code target} (NumPy rules), copied element by element. */
  private static Tensor broadcastTo(Tensor x, Shape target) {
    Shape in = x.shape();
    int rank = target.rank();
    int lead = rank - in.rank();
    long[] srcStride = new long[rank];
    long[] inStrides = in.strides();
    for (int i = 0; i < rank; i++) {
      int k = i - lead;
      if (k < 0) {
        continue;
      }
      long d = in.dim(k);
      if (d != 1 && d != target.dim(i)) {
        throw new IllegalArgumentException("cannot broadcast " + in + " to " + target);
      }
      srcStride[i] = d == 1 ? 0 : inStrides[k];
    }
    if (lead < 0) {
      throw new IllegalArgumentException("cannot broadcast " + in + " to " + target);
    }
    Tensor out = Tensor.zeros(x.dtype(), target);
    int width = x.dtype().byteSize();
    long[] dims = target.dims();
    long[] index = new long[rank];
    long n = out.size();
    for (long o = 0; o < n; o++) {
      long src = 0;
      for (int a = 0; a < rank; a++) {
        src += index[a] * srcStride[a];
      }
      MemorySegment.copy(x.data(), src * width, out.data(), o * width, width);
      for (int a = rank - 1; a >= 0; a--) {
        if (++index[a] < dims[a]) {
          break;
        }
        index[a] = 0;
      }
    }
    return out;
  }
}
