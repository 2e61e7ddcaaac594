package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.Defs.FLOATS;
import static dev.millrace.graph.internal.Defs.FLOAT_SET;
import static dev.millrace.graph.internal.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.graph.spi.KernelFactory;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * Convolutions and pooling in both data formats, with their gradient ops: Conv2D,
 * Conv2DBackpropInput, Conv2DBackpropFilter, DepthwiseConv2dNative (and its two backprops),
 * MaxPool, MaxPoolGrad, AvgPool, AvgPoolGrad. Filters are HWIO whatever the format.
 */
final class ConvDefs {
  private ConvDefs() {}

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
            .gradient(NnGrads::conv2d)
            .build());
    r.register(
        conv("Conv2DBackpropInput", true)
            .input("input_sizes", DType.INT32)
            .input("filter", "T")
            .input("out_backprop", "T")
            .output("output", "T")
            .shape(c -> one(sizesInput(c, 0)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("conv2dBackpropInput"),
                convKernel(
                    (ctx, spec) ->
                        Parallel.conv2dBackpropInput(
                            ctx, sizes(ctx.input(0)), ctx.input(1), ctx.input(2), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
    r.register(
        conv("Conv2DBackpropFilter", true)
            .input("input", "T")
            .input("filter_sizes", DType.INT32)
            .input("out_backprop", "T")
            .output("output", "T")
            .shape(c -> one(sizesInput(c, 1)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("conv2dBackpropFilter"),
                convKernel(
                    (ctx, spec) ->
                        ctx.kernels()
                            .conv2dBackpropFilter(
                                ctx.input(0), sizes(ctx.input(1)), ctx.input(2), spec)))
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
            .gradient(NnGrads::depthwise)
            .build());
    r.register(
        conv("DepthwiseConv2dNativeBackpropInput", false)
            .input("input_sizes", DType.INT32)
            .input("filter", "T")
            .input("out_backprop", "T")
            .output("output", "T")
            .shape(c -> one(sizesInput(c, 0)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("depthwiseConv2dBackpropInput"),
                convKernel(
                    (ctx, spec) ->
                        ctx.kernels()
                            .depthwiseConv2dBackpropInput(
                                sizes(ctx.input(0)), ctx.input(1), ctx.input(2), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
    r.register(
        conv("DepthwiseConv2dNativeBackpropFilter", false)
            .input("input", "T")
            .input("filter_sizes", DType.INT32)
            .input("out_backprop", "T")
            .output("output", "T")
            .shape(c -> one(sizesInput(c, 1)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("depthwiseConv2dBackpropFilter"),
                convKernel(
                    (ctx, spec) ->
                        ctx.kernels()
                            .depthwiseConv2dBackpropFilter(
                                ctx.input(0), sizes(ctx.input(1)), ctx.input(2), spec)))
            .traits(OpTrait.GRADIENT)
            .build());
    r.register(
        pool("MaxPool", true)
            .input("input", "T")
            .output("output", "T")
            .shape(c -> one(poolOutput(c, c.inputShape(0))))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("maxPool"),
                poolKernel((ctx, spec) -> Parallel.maxPool(ctx, ctx.input(0), spec)))
            .gradient(NnGrads::maxPool)
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
            .gradient(NnGrads::avgPool)
            .build());
    r.register(
        pool("AvgPoolGrad", false)
            .input("orig_input_shape", DType.INT32)
            .input("grad", "T")
            .output("output", "T")
            .shape(c -> one(sizesInput(c, 0)))
            .kernel(
                FLOAT_SET,
                KernelSource.kernels("avgPoolGrad"),
                poolKernel(
                    (ctx, spec) ->
                        ctx.kernels().avgPoolGrad(sizes(ctx.input(0)), ctx.input(1), spec)))
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

  interface ConvBody {
    Tensor run(KernelContext ctx, Conv2dSpec spec);
  }

  interface PoolBody {
    Tensor run(KernelContext ctx, PoolSpec spec);
  }

  private static KernelFactory convKernel(ConvBody body) {
    return op -> {
      Conv2dSpec spec = Specs.conv(op.toString(), attrs(op));
      return ctx -> List.of(body.run(ctx, spec));
    };
  }

  private static KernelFactory poolKernel(PoolBody body) {
    return op -> {
      PoolSpec spec = Specs.pool(op.toString(), attrs(op));
      return ctx -> List.of(body.run(ctx, spec));
    };
  }

  static Function<String, AttrValue> attrs(Operation op) {
    return name -> op.findAttr(name).orElse(null);
  }

  static Function<String, AttrValue> attrs(ShapeContext c) {
    return c::attr;
  }

  private static String where(ShapeContext c) {
    return c.opType() + " '" + c.opName() + "'";
  }

  static Shape sizes(Tensor t) {
    return Shape.of(Consts.longs(t));
  }

  private static Shape sizesInput(ShapeContext c, int i) {
    Shape s = Shapes.shapeFromInput(c, i);
    if (s != null && s.rank() != 4) {
      throw c.error("input " + i + " must describe a rank-4 shape, got " + s);
    }
    return s;
  }

  static Shape convOutput(ShapeContext c, Shape in, Shape filter, boolean depthwise) {
    Conv2dSpec spec = Specs.conv(where(c), attrs(c));
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

  static Shape poolOutput(ShapeContext c, Shape in) {
    PoolSpec spec = Specs.pool(where(c), attrs(c));
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
