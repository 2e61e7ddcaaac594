package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.FLOATS;
import static dev.millrace.graph.internal.ops.Defs.FLOAT_SET;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.internal.Parallel;
import dev.millrace.graph.internal.Specs;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.graph.spi.KernelFactory;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The convolutions, in both data formats, each with its gradient ops: Conv2D with
 * Conv2DBackpropInput and Conv2DBackpropFilter, DepthwiseConv2dNative with its two backprops.
 * Filters are HWIO whatever the format. Each op's definition, shape function, gradient, traits and
 * kernel binding are written together below.
 */
final class Convolutions {
  private Convolutions() {}

  static void register(OpRegistry r) {
    r.register(
        conv("Conv2D", true)
            .input("input", "T")
            .input("filter", "T")
            .output("output", "T")
            .shape(c -> one(convOutput(c, c.inputShape(0), c.inputShape(1), false)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("conv2d"),
                convKernel(
                    (ctx, spec) -> Parallel.conv2d(ctx, ctx.input(0), ctx.input(1), spec, false)))
            .gradient(c -> convGrad(c, "Conv2DBackpropInput", "Conv2DBackpropFilter"))
            .build());
    r.register(
        conv("Conv2DBackpropInput", true)
            .input("input_sizes", DType.INT32)
            .input("filter", "T")
            .input("out_backprop", "T")
            .output("output", "T")
            .shape(c -> one(Shapes.rank4FromInput(c, 0)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("conv2dBackpropInput"),
                convKernel(
                    (ctx, spec) ->
                        Parallel.conv2dBackpropInput(
                            ctx, Consts.shape(ctx.input(0)), ctx.input(1), ctx.input(2), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
    r.register(
        conv("Conv2DBackpropFilter", true)
            .input("input", "T")
            .input("filter_sizes", DType.INT32)
            .input("out_backprop", "T")
            .output("output", "T")
            .shape(c -> one(Shapes.rank4FromInput(c, 1)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("conv2dBackpropFilter"),
                convKernel(
                    (ctx, spec) ->
                        ctx.kernels()
                            .conv2dBackpropFilter(
                                ctx.input(0), Consts.shape(ctx.input(1)), ctx.input(2), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
    r.register(
        conv("DepthwiseConv2dNative", false)
            .input("input", "T")
            .input("filter", "T")
            .output("output", "T")
            .shape(c -> one(convOutput(c, c.inputShape(0), c.inputShape(1), true)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("depthwiseConv2d"),
                convKernel(
                    (ctx, spec) -> Parallel.conv2d(ctx, ctx.input(0), ctx.input(1), spec, true)))
            .gradient(
                c ->
                    convGrad(
                        c,
                        "DepthwiseConv2dNativeBackpropInput",
                        "DepthwiseConv2dNativeBackpropFilter"))
            .build());
    r.register(
        conv("DepthwiseConv2dNativeBackpropInput", false)
            .input("input_sizes", DType.INT32)
            .input("filter", "T")
            .input("out_backprop", "T")
            .output("output", "T")
            .shape(c -> one(Shapes.rank4FromInput(c, 0)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("depthwiseConv2dBackpropInput"),
                convKernel(
                    (ctx, spec) ->
                        ctx.kernels()
                            .depthwiseConv2dBackpropInput(
                                Consts.shape(ctx.input(0)), ctx.input(1), ctx.input(2), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
    r.register(
        conv("DepthwiseConv2dNativeBackpropFilter", false)
            .input("input", "T")
            .input("filter_sizes", DType.INT32)
            .input("out_backprop", "T")
            .output("output", "T")
            .shape(c -> one(Shapes.rank4FromInput(c, 1)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("depthwiseConv2dBackpropFilter"),
                convKernel(
                    (ctx, spec) ->
                        ctx.kernels()
                            .depthwiseConv2dBackpropFilter(
                                ctx.input(0), Consts.shape(ctx.input(1)), ctx.input(2), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
  }

  /** The common attributes of the convolution family, in TensorFlow's order. */
  private static OpDef.Builder conv(String type, boolean cudnnAttr) {
    OpDef.Builder b =
        OpDef.builder(type).typeAttr("T", FLOATS).attr("strides", AttrType.LIST_INT, null);
    if (cudnnAttr) {
      b.attr("use_cudnn_on_gpu", AttrType.BOOL, AttrValue.of(true));
    }
    return b.stringAttr("padding", null, "SAME", "VALID", "EXPLICIT")
        .attr("explicit_paddings", AttrType.LIST_INT, AttrValue.of(new long[0]))
        .stringAttr("data_format", "NHWC", "NHWC", "NCHW")
        .attr("dilations", AttrType.LIST_INT, AttrValue.of(1L, 1L, 1L, 1L))
        .traits(OpTrait.LAYOUT_SENSITIVE);
  }

  interface ConvBody {
    Tensor run(KernelContext ctx, Conv2dSpec spec);
  }

  /** A kernel that parses the convolution attributes once, when it is made. */
  private static KernelFactory convKernel(ConvBody body) {
    return op -> {
      Conv2dSpec spec = Specs.conv(op.toString(), Specs.attrs(op));
      return ctx -> List.of(body.run(ctx, spec));
    };
  }

  /** The gradients of input and filter, through the backprop ops with the forward attributes. */
  private static List<Output<?>> convGrad(GradientContext c, String inputOp, String filterOp) {
    Ops tf = c.ops();
    Map<String, AttrValue> a = new HashMap<>(c.op().attributes());
    Output<?> x = c.input(0);
    Output<?> f = c.input(1);
    Output<?> g = c.grad(0);
    Output<?> dx = G.op(tf, inputOp, a, G.shapeOf(tf, x), f, g);
    Output<?> df = G.op(tf, filterOp, a, x, G.shapeOf(tf, f), g);
    return Arrays.asList(dx, df);
  }

  static Shape convOutput(ShapeContext c, Shape in, Shape filter, boolean depthwise) {
    Conv2dSpec spec = Specs.conv(c.opType() + " '" + c.opName() + "'", Specs.attrs(c));
    DataFormat f = spec.format();
    if (in.rank() != 4) {
      throw c.error("input must have rank 4 (" + f + "), got shape " + in);
    }
    if (filter.rank() != 4) {
      throw c.error("filter must have rank 4 [height, width, in, out], got shape " + filter);
    }
    long channels = in.dim(f.channelAxis());
    long filterIn = filter.dim(2);
    if (channels != Shapes.U && filterIn != Shapes.U && channels != filterIn) {
      throw c.error(
          "input "
              + in
              + " has "
              + channels
              + " channels ("
              + f
              + ") but filter "
              + filter
              + " expects "
              + filterIn);
    }
    long h =
        Shapes.window(
            c,
            "height",
            in.dim(f.heightAxis()),
            filter.dim(0),
            spec.strideH(),
            spec.dilationH(),
            spec.padding(),
            spec.padTop(),
            spec.padBottom());
    long w =
        Shapes.window(
            c,
            "width",
            in.dim(f.widthAxis()),
            filter.dim(1),
            spec.strideW(),
            spec.dilationW(),
            spec.padding(),
            spec.padLeft(),
            spec.padRight());
    long out;
    if (depthwise) {
      long ch = channels != Shapes.U ? channels : filterIn;
      out = ch == Shapes.U || filter.dim(3) == Shapes.U ? Shapes.U : ch * filter.dim(3);
    } else {
      out = filter.dim(3);
    }
    return f.shape(in.dim(f.batchAxis()), h, w, out);
  }
}
