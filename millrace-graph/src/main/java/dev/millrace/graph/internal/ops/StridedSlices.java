package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Defs.INDEX;
import static dev.millrace.graph.internal.ops.Defs.one;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.Consts;
import dev.millrace.graph.spi.GradientContext;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.internal.ShapeKernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TensorFlow's StridedSlice ({@code x[1:-1:2, ..., tf.newaxis, 3]}) and its gradient op
 * StridedSliceGrad, with TensorFlow's reading of the bounds and masks ({@link StridedSliceSpec}).
 * Each op's definition, shape function, gradient, traits and kernel binding are written together
 * below. The kernels are one scalar implementation each (a strided copy, {@link ShapeKernels}); a
 * slice that takes its whole input is a view of it, as in TensorFlow.
 */
final class StridedSlices {
  private StridedSlices() {}

  static void register(OpRegistry r) {
    r.register(
        masks(
                OpDef.builder("StridedSlice")
                    .input("input", "T")
                    .input("begin", "Index")
                    .input("end", "Index")
                    .input("strides", "Index")
                    .output("output", "T")
                    .typeAttr("T")
                    .typeAttr("Index", INDEX))
            .shape(StridedSlices::shape)
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  StridedSliceSpec.Masks m = StridedSliceSpec.Masks.of(op);
                  return ctx -> List.of(slice(ctx, m));
                })
            .gradient(StridedSlices::gradient)
            .build());
    r.register(
        masks(
                OpDef.builder("StridedSliceGrad")
                    .input("shape", "Index")
                    .input("begin", "Index")
                    .input("end", "Index")
                    .input("strides", "Index")
                    .input("dy", "T")
                    .output("output", "T")
                    .typeAttr("T")
                    .typeAttr("Index", INDEX))
            .shape(StridedSlices::gradShape)
            .kernel(
                KernelSource.referenceOnly(),
                op -> {
                  StridedSliceSpec.Masks m = StridedSliceSpec.Masks.of(op);
                  return ctx -> List.of(sliceGrad(ctx, m));
                })
            // The gradient of a scatter into zeros is the same slice of the incoming gradient.
            .gradient(
                c -> {
                  Output<?> g =
                      c.ops()
                          .op(
                              "StridedSlice",
                              List.of(c.grad(0), c.input(1), c.input(2), c.input(3)),
                              maskAttrs(c.op()))
                          .output(0);
                  return Arrays.asList(null, null, null, null, g);
                })
            .traits(OpTrait.GRADIENT)
            .build());
  }

  /** The five mask attributes, in TensorFlow's order, all 0 by default. */
  private static OpDef.Builder masks(OpDef.Builder b) {
    for (String name : StridedSliceSpec.Masks.NAMES) {
      b.attr(name, AttrType.INT, AttrValue.of(0L));
    }
    return b;
  }

  private static Map<String, AttrValue> maskAttrs(Operation op) {
    Map<String, AttrValue> a = new HashMap<>();
    for (String name : StridedSliceSpec.Masks.NAMES) {
      a.put(name, op.attr(name));
    }
    return a;
  }

  /** Known when the strides are constant (begin and end may be unknown), as in TensorFlow. */
  private static List<Shape> shape(ShapeContext c) {
    Shape in = c.inputShape(0);
    checkVectors(c, false);
    Optional<long[]> strides = Shapes.constInts(c, 3);
    if (strides.isEmpty()) {
      return one(null);
    }
    try {
      StridedSliceSpec spec =
          StridedSliceSpec.of(
              in.dims(),
              Shapes.constInts(c, 1).orElse(null),
              Shapes.constInts(c, 2).orElse(null),
              strides.get(),
              StridedSliceSpec.Masks.of(c));
      return one(Shape.of(spec.output()));
    } catch (IllegalArgumentException e) {
      throw c.error("input " + in + ": " + e.getMessage());
    }
  }

  private static List<Shape> gradShape(ShapeContext c) {
    checkVectors(c, true);
    Shape out = Shapes.shapeFromInput(c, 0);
    Optional<long[]> strides = Shapes.constInts(c, 3);
    if (out == null || !out.isFullyDefined() || strides.isEmpty()) {
      return one(out);
    }
    StridedSliceSpec spec;
    try {
      spec =
          StridedSliceSpec.of(
              out.dims(),
              Shapes.constInts(c, 1).orElse(null),
              Shapes.constInts(c, 2).orElse(null),
              strides.get(),
              StridedSliceSpec.Masks.of(c));
    } catch (IllegalArgumentException e) {
      throw c.error("shape " + out + ": " + e.getMessage());
    }
    Shape sliced = Shape.of(spec.output());
    if (!c.inputShape(4).isCompatibleWith(sliced)) {
      throw c.error(
          "dy has shape " + c.inputShape(4) + ", but the slice of " + out + " has " + sliced);
    }
    return one(out);
  }

  /**
   * Inputs 1 to 3 (begin, end, strides) must be vectors, and input 0 too where it is the gradient's
   * {@code shape}.
   */
  private static void checkVectors(ShapeContext c, boolean shapeInput) {
    for (int i = 1; i <= 3; i++) {
      if (c.inputShape(i).rank() != 1) {
        throw c.error(
            "begin, end and strides must be vectors, got shapes "
                + c.inputShape(1)
                + ", "
                + c.inputShape(2)
                + " and "
                + c.inputShape(3));
      }
    }
    if (shapeInput && c.inputShape(0).rank() != 1) {
      throw c.error("shape must be a vector, got shape " + c.inputShape(0));
    }
  }

  private static Tensor slice(KernelContext ctx, StridedSliceSpec.Masks m) {
    Tensor x = ctx.input(0);
    StridedSliceSpec spec = spec(ctx, x.shape().dims(), m);
    Shape out = Shape.of(spec.output());
    if (takesAll(spec, x.shape())) {
      return x.reshape(out);
    }
    return ShapeKernels.stridedSlice(x, spec.begin(), spec.strides(), spec.processing())
        .reshape(out);
  }

  private static Tensor sliceGrad(KernelContext ctx, StridedSliceSpec.Masks m) {
    Tensor shapeTensor = ctx.input(0);
    Tensor dy = ctx.input(4);
    if (shapeTensor.shape().rank() != 1) {
      throw new IllegalArgumentException(
          "shape must be a vector, got shape " + shapeTensor.shape());
    }
    long[] dims = Consts.longs(shapeTensor);
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(dims) + " has a negative dimension");
      }
    }
    StridedSliceSpec spec = spec(ctx, dims, m);
    if (!Arrays.equals(dy.shape().dims(), spec.output())) {
      throw new IllegalArgumentException(
          "dy has shape "
              + dy.shape()
              + ", but the slice of "
              + Arrays.toString(dims)
              + " has shape "
              + Arrays.toString(spec.output()));
    }
    Tensor d = dy.reshape(Shape.of(spec.processing()));
    return ShapeKernels.stridedSliceGrad(Shape.of(dims), d, spec.begin(), spec.strides());
  }

  /** The spec of inputs 1..3 (begin, end, strides) for an input of {@code dims}. */
  private static StridedSliceSpec spec(KernelContext ctx, long[] dims, StridedSliceSpec.Masks m) {
    Tensor b = ctx.input(1);
    Tensor e = ctx.input(2);
    Tensor s = ctx.input(3);
    if (b.shape().rank() != 1 || e.shape().rank() != 1 || s.shape().rank() != 1) {
      throw new IllegalArgumentException(
          "begin, end and strides must be vectors, got shapes "
              + b.shape()
              + ", "
              + e.shape()
              + " and "
              + s.shape());
    }
    return StridedSliceSpec.of(dims, Consts.longs(b), Consts.longs(e), Consts.longs(s), m);
  }

  private static boolean takesAll(StridedSliceSpec spec, Shape in) {
    for (int i = 0; i < in.rank(); i++) {
      if (spec.begin()[i] != 0 || spec.strides()[i] != 1 || spec.processing()[i] != in.dim(i)) {
        return false;
      }
    }
    return true;
  }

  /** TensorFlow's gradient: StridedSliceGrad scatters the gradient into zeros of x's shape. */
  private static List<Output<?>> gradient(GradientContext c) {
    Ops tf = c.ops();
    Operation op = c.op();
    DType index = op.attrType("Index");
    Output<?> x = c.input(0);
    Output<?> shape =
        x.hasKnownRank() && x.shape().isFullyDefined()
            ? tf.constant(Defs.intVector(index, x.shape().dims()))
            : G.op(tf, "Shape", Map.of("out_type", AttrValue.of(index)), x);
    Output<?> dx =
        tf.op(
                "StridedSliceGrad",
                List.of(shape, c.input(1), c.input(2), c.input(3), c.grad(0)),
                maskAttrs(op))
            .output(0);
    return Arrays.asList(dx, null, null, null);
  }
}
