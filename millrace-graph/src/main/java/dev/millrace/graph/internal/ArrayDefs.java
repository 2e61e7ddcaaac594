package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.Defs.INDEX;
import static dev.millrace.graph.internal.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Sources and array manipulation: Const, Placeholder, Identity, StopGradient, NoOp, Reshape,
 * Transpose, ConcatV2, Pad, Squeeze, Cast, Shape, Size, Fill, ZerosLike, OnesLike, Slice.
 */
final class ArrayDefs {
  private ArrayDefs() {}

  static void register(OpRegistry r) {
    r.register(
        OpDef.builder("Const")
            .output("output", "dtype")
            .attr("value", AttrType.TENSOR, null)
            .typeAttr("dtype")
            .shape(ArrayShapes::constant)
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
        forwarding("Identity")
            .gradient(c -> List.of(c.grad(0)))
            .traits(OpTrait.ELEMENTWISE, OpTrait.PRESERVES_ZERO, OpTrait.IDEMPOTENT)
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
                  return ctx -> List.of(ElementaryKernels.checkNumerics(ctx.input(0), message));
                })
            .gradient(c -> List.of(c.grad(0)))
            // Stateful in TensorFlow too: a check must not be folded away.
            .traits(OpTrait.STATEFUL, OpTrait.FORWARDS_INPUT)
            .build());
    r.register(
        OpDef.builder("NoOp")
            .shape(c -> List.of())
            .kernel(KernelSource.noArithmetic(), op -> ctx -> List.of())
            .build());
    r.register(
        OpDef.builder("Reshape")
            .input("tensor", "T")
            .input("shape", "Tshape")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tshape", DType.INT32, INDEX)
            .shape(ArrayShapes::reshape)
            .kernel(
                KernelSource.noArithmetic(),
                op ->
                    ctx -> {
                      Tensor x = ctx.input(0);
                      long[] target = Consts.longs(ctx.input(1));
                      return List.of(x.reshape(resolveReshape(op.toString(), x.shape(), target)));
                    })
            .gradient(ArrayGrads::reshape)
            .traits(OpTrait.FORWARDS_INPUT)
            .build());
    r.register(
        OpDef.builder("Transpose")
            .input("x", "T")
            .input("perm", "Tperm")
            .output("y", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tperm", DType.INT32, INDEX)
            .shape(ArrayShapes::transpose)
            .kernel(
                KernelSource.kernels("transpose"),
                op ->
                    ctx ->
                        List.of(
                            ctx.kernels()
                                .transpose(ctx.input(0), Defs.toInts(Consts.longs(ctx.input(1))))))
            .gradient(ArrayGrads::transpose)
            .traits(OpTrait.LAYOUT_SENSITIVE)
            .build());
    r.register(
        OpDef.builder("ConcatV2")
            .inputList("values", "T", "N")
            .input("axis", "Tidx")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tidx", DType.INT32, INDEX)
            .shape(ArrayShapes::concat)
            .kernel(
                KernelSource.kernels("concat"),
                op ->
                    ctx -> {
                      int n = ctx.numInputs() - 1;
                      List<Tensor> parts = new ArrayList<>(n);
                      for (int i = 0; i < n; i++) {
                        parts.add(ctx.input(i));
                      }
                      int rank = parts.get(0).shape().rank();
                      long axis = Consts.longs(ctx.input(n))[0];
                      return List.of(
                          ctx.kernels().concat(parts, (int) (axis < 0 ? axis + rank : axis)));
                    })
            .gradient(ArrayGrads::concat)
            .build());
    r.register(
        OpDef.builder("Pad")
            .input("input", "T")
            .input("paddings", "Tpaddings")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("Tpaddings", DType.INT32, INDEX)
            .shape(ArrayShapes::pad)
            .kernel(
                KernelSource.kernels("pad"),
                op -> ctx -> List.of(ctx.kernels().pad(ctx.input(0), pairs(ctx.input(1)), 0.0)))
            .gradient(ArrayGrads::pad)
            .traits(OpTrait.PRESERVES_ZERO)
            .build());
    r.register(
        OpDef.builder("Squeeze")
            .input("input", "T")
            .output("output", "T")
            .typeAttr("T")
            .attr("squeeze_dims", AttrType.LIST_INT, AttrValue.of(new long[0]))
            .shape(ArrayShapes::squeeze)
            .kernel(
                KernelSource.noArithmetic(),
                op ->
                    ctx -> {
                      Tensor x = ctx.input(0);
                      return List.of(x.reshape(squeezed(x.shape(), op.attrInts("squeeze_dims"))));
                    })
            .gradient(ArrayGrads::reshapeLikeInput)
            .traits(OpTrait.FORWARDS_INPUT)
            .build());
    r.register(
        OpDef.builder("Cast")
            .input("x", "SrcT")
            .output("y", "DstT")
            .typeAttr("SrcT")
            .typeAttr("DstT")
            .attr("Truncate", AttrType.BOOL, AttrValue.of(false))
            .shape(c -> one(c.inputShape(0)))
            .kernel(
                KernelSource.kernels("cast"),
                op -> {
                  DType to = op.attrType("DstT");
                  return ctx -> {
                    Tensor x = ctx.input(0);
                    return List.of(x.dtype() == to ? x : ctx.kernels().cast(x, to));
                  };
                })
            .gradient(ArrayGrads::cast)
            .traits(OpTrait.ELEMENTWISE, OpTrait.PRESERVES_ZERO)
            .build());
    r.register(
        OpDef.builder("Shape")
            .input("input", "T")
            .output("output", "out_type")
            .typeAttr("T")
            .typeAttrWithDefault("out_type", DType.INT32, INDEX)
            .shape(c -> one(Shape.of(c.inputShape(0).rank())))
            .kernel(
                KernelSource.noArithmetic(),
                op -> {
                  DType t = op.attrType("out_type");
                  return ctx -> List.of(Defs.intVector(t, ctx.input(0).shape().dims()));
                })
            .build());
    r.register(
        OpDef.builder("Size")
            .input("input", "T")
            .output("output", "out_type")
            .typeAttr("T")
            .typeAttrWithDefault("out_type", DType.INT32, INDEX)
            .shape(c -> one(Shape.scalar()))
            .kernel(
                KernelSource.noArithmetic(),
                op -> {
                  DType t = op.attrType("out_type");
                  return ctx -> List.of(Defs.scalar(t, ctx.input(0).size()));
                })
            .build());
    r.register(
        OpDef.builder("Fill")
            .input("dims", "index_type")
            .input("value", "T")
            .output("output", "T")
            .typeAttr("T")
            .typeAttrWithDefault("index_type", DType.INT32, INDEX)
            .shape(
                c -> {
                  if (c.inputShape(1).rank() != 0) {
                    throw c.error("value must be a scalar, got shape " + c.inputShape(1));
                  }
                  return one(Shapes.shapeFromInput(c, 0));
                })
            .kernel(
                KernelSource.kernels("fill"),
                op ->
                    ctx -> {
                      Tensor v = ctx.input(1);
                      Shape s = Shape.of(Consts.longs(ctx.input(0)));
                      return List.of(ctx.kernels().fill(v.dtype(), s, v.getAsDouble(0)));
                    })
            .build());
    r.register(fillLike("ZerosLike", 0));
    r.register(fillLike("OnesLike", 1));
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
                    ctx ->
                        List.of(
                            ElementaryKernels.broadcastTo(
                                ctx.input(0), Shape.of(Consts.longs(ctx.input(1))))))
            .gradient(ArrayGrads::broadcastTo)
            .builtBy("Gradients")
            .build());
    r.register(
        OpDef.builder("Slice")
            .input("input", "T")
            .input("begin", "Index")
            .input("size", "Index")
            .output("output", "T")
            .typeAttr("T")
            .typeAttr("Index", INDEX)
            .shape(ArrayShapes::slice)
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

  private static OpDef.Builder forwarding(String type) {
    return OpDef.builder(type)
        .input("input", "T")
        .output("output", "T")
        .typeAttr("T")
        .shape(c -> one(c.inputShape(0)))
        .kernel(KernelSource.noArithmetic(), op -> ctx -> List.of(ctx.input(0)))
        .traits(OpTrait.FORWARDS_INPUT);
  }

  private static OpDef fillLike(String type, double value) {
    return OpDef.builder(type)
        .input("x", "T")
        .output("y", "T")
        .typeAttr("T")
        .shape(c -> one(c.inputShape(0)))
        .kernel(
            KernelSource.kernels("fill"),
            op ->
                ctx -> {
                  Tensor x = ctx.input(0);
                  return List.of(ctx.kernels().fill(x.dtype(), x.shape(), value));
                })
        .traits(OpTrait.ELEMENTWISE)
        .build();
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

  static long[][] pairs(Tensor paddings) {
    long[] v = Consts.longs(paddings);
    long[][] p = new long[v.length / 2][];
    for (int i = 0; i < p.length; i++) {
      p[i] = new long[] {v[2 * i], v[2 * i + 1]};
    }
    return p;
  }

  static Shape squeezed(Shape in, long[] dims) {
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
}
