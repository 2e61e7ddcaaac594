package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.FLOAT_SET;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.internal.Parallel;
import dev.millrace.graph.internal.Specs;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.graph.spi.KernelFactory;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Pooling in both data formats, with the gradient ops: MaxPool and MaxPoolGrad, AvgPool and
 * AvgPoolGrad, and MaxPoolV2 (the window and strides as inputs). Each op's definition, shape
 * function, gradient, traits and kernel binding are written together below.
 */
final class Pooling {
  private Pooling() {}

  static void register(OpRegistry r) {
    r.register(
        pool("MaxPool", true)
            .input("input", "T")
            .output("output", "T")
            .shape(c -> one(poolOutput(c, c.inputShape(0))))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("maxPool"),
                poolKernel((ctx, spec) -> Parallel.maxPool(ctx, ctx.input(0), spec)))
            .gradient(
                c ->
                    List.of(
                        G.op(
                            c.ops(),
                            "MaxPoolGrad",
                            new HashMap<>(c.op().attributes()),
                            c.input(0),
                            c.output(0),
                            c.grad(0))))
            .build());
    // MaxPool with the window and strides as int32 inputs, which Millrace needs constant.
    r.register(
        OpDef.builder("MaxPoolV2")
            .input("input", "T")
            .input("ksize", DType.INT32)
            .input("strides", DType.INT32)
            .output("output", "T")
            .typeAttrWithDefault("T", DType.FLOAT32, FLOATS)
            .stringAttr("padding", null, "SAME", "VALID")
            .stringAttr("data_format", "NHWC", "NHWC", "NCHW")
            .traits(OpTrait.LAYOUT_SENSITIVE)
            .shape(
                c ->
                    one(
                        poolOutput(
                            c,
                            c.inputShape(0),
                            windowFromInputs(
                                c.opType() + " '" + c.opName() + "'",
                                Specs.attrs(c),
                                c.constantInput(1).orElse(null),
                                c.constantInput(2).orElse(null)))))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("maxPool"),
                op -> {
                  PoolSpec spec = Specs.pool(op.toString(), windowFromInputs(op));
                  return ctx -> List.of(Parallel.maxPool(ctx, ctx.input(0), spec));
                })
            .gradient(
                c -> {
                  Function<String, AttrValue> a = windowFromInputs(c.op());
                  Map<String, AttrValue> attrs = new HashMap<>();
                  for (String name : List.of("ksize", "strides", "padding", "data_format")) {
                    attrs.put(name, a.apply(name));
                  }
                  Output<?> g =
                      G.op(c.ops(), "MaxPoolGrad", attrs, c.input(0), c.output(0), c.grad(0));
                  return Arrays.asList(g, null, null);
                })
            .builtBy("TensorFlow's graphs (GraphDef import)")
            .build());
    r.register(
        pool("MaxPoolGrad", true)
            .input("orig_input", "T")
            .input("orig_output", "T")
            .input("grad", "T")
            .output("output", "T")
            .shape(c -> one(c.inputShape(0)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("maxPoolGrad"),
                poolKernel(
                    (ctx, spec) -> ctx.kernels().maxPoolGrad(ctx.input(0), ctx.input(2), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
    r.register(
        pool("AvgPool", false)
            .input("value", "T")
            .output("output", "T")
            .shape(c -> one(poolOutput(c, c.inputShape(0))))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("avgPool"),
                poolKernel((ctx, spec) -> Parallel.avgPool(ctx, ctx.input(0), spec)))
            .gradient(
                c -> {
                  Ops tf = c.ops();
                  return List.of(
                      G.op(
                          tf,
                          "AvgPoolGrad",
                          new HashMap<>(c.op().attributes()),
                          G.shapeOf(tf, c.input(0)),
                          c.grad(0)));
                })
            .build());
    r.register(
        pool("AvgPoolGrad", false)
            .input("orig_input_shape", DType.INT32)
            .input("grad", "T")
            .output("output", "T")
            .shape(c -> one(Shapes.rank4FromInput(c, 0)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("avgPoolGrad"),
                poolKernel(
                    (ctx, spec) ->
                        ctx.kernels().avgPoolGrad(Consts.shape(ctx.input(0)), ctx.input(1), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
  }

  /** The common attributes of the pooling family, in TensorFlow's order. */
  private static OpDef.Builder pool(String type, boolean explicitAttr) {
    OpDef.Builder b =
        OpDef.builder(type)
            .typeAttr("T", FLOATS)
            .attr("ksize", AttrType.LIST_INT, null)
            .attr("strides", AttrType.LIST_INT, null);
    if (explicitAttr) {
      b.stringAttr("padding", null, "SAME", "VALID", "EXPLICIT")
          .attr("explicit_paddings", AttrType.LIST_INT, AttrValue.of(new long[0]));
    } else {
      b.stringAttr("padding", null, "SAME", "VALID");
    }
    return b.stringAttr("data_format", "NHWC", "NHWC", "NCHW").traits(OpTrait.LAYOUT_SENSITIVE);
  }

  interface PoolBody {
    Tensor run(KernelContext ctx, PoolSpec spec);
  }

  /** A kernel that parses the pooling attributes once, when it is made. */
  private static KernelFactory poolKernel(PoolBody body) {
    return op -> {
      PoolSpec spec = Specs.pool(op.toString(), Specs.attrs(op));
      return ctx -> List.of(body.run(ctx, spec));
    };
  }

  /**
   * The attributes of a pooling op with {@code ksize} and {@code strides} as inputs 1 and 2 (errors
   * unprefixed: the session names the operation).
   */
  private static Function<String, AttrValue> windowFromInputs(Operation op) {
    return windowFromInputs(
        "",
        Specs.attrs(op),
        Consts.valueOf(op.input(1)).orElse(null),
        Consts.valueOf(op.input(2)).orElse(null));
  }

  /**
   * {@code attrs} with {@code ksize} and {@code strides} read from constant input values; fails in
   * one line when either is not a constant.
   */
  private static Function<String, AttrValue> windowFromInputs(
      String where, Function<String, AttrValue> attrs, Tensor ksize, Tensor strides) {
    if (ksize == null || strides == null) {
      throw new IllegalArgumentException(
          (where.isEmpty() ? "" : where + ": ")
              + "ksize and strides must be constants (Const nodes) for Millrace to run it;"
              + (ksize == null ? " ksize" : "")
              + (ksize == null && strides == null ? " and" : "")
              + (strides == null ? " strides" : "")
              + (ksize == null && strides == null ? " are" : " is")
              + " computed at run time");
    }
    AttrValue k = AttrValue.of(Consts.longs(ksize));
    AttrValue s = AttrValue.of(Consts.longs(strides));
    return name ->
        switch (name) {
          case "ksize" -> k;
          case "strides" -> s;
          default -> attrs.apply(name);
        };
  }

  static Shape poolOutput(ShapeContext c, Shape in) {
    return poolOutput(c, in, Specs.attrs(c));
  }

  private static Shape poolOutput(ShapeContext c, Shape in, Function<String, AttrValue> attrs) {
    PoolSpec spec = Specs.pool(c.opType() + " '" + c.opName() + "'", attrs);
    DataFormat f = spec.format();
    if (in.rank() != 4) {
      throw c.error("input must have rank 4 (" + f + "), got shape " + in);
    }
    long h =
        Shapes.window(
            c,
            "height",
            in.dim(f.heightAxis()),
            spec.windowH(),
            spec.strideH(),
            1,
            spec.padding(),
            0,
            0);
    long w =
        Shapes.window(
            c,
            "width",
            in.dim(f.widthAxis()),
            spec.windowW(),
            spec.strideW(),
            1,
            spec.padding(),
            0,
            0);
    return f.shape(in.dim(f.batchAxis()), h, w, in.dim(f.channelAxis()));
  }
}
