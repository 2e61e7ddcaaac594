package dev.millrace.kernels.internal;

import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.Window1d;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * Conv2D and DepthwiseConv2dNative with their gradients. All six kernels enumerate the same taps
 * (input element, filter element, output element) through {@link Geometry#forEachTap}, so the
 * backward kernels are the exact adjoints of the forward ones: forward {@code out += in * f}, input
 * gradient {@code dIn += dOut * f}, filter gradient {@code dF += in * dOut}.
 */
public final class ConvKernels {
  private ConvKernels() {}

  public static Tensor conv2d(Tensor input, Tensor filter, Conv2dSpec spec, boolean depthwise) {
    String op = depthwise ? "depthwiseConv2d" : "conv2d";
    Checks.requireFloating(op, "input", input);
    Checks.requireFloating(op, "filter", filter);
    Checks.requireSameDType(op, "input", input, "filter", filter);
    Geometry g = Geometry.of(op, input.shape(), filter.shape(), spec, depthwise);
    double[] x = Buffers.doubles(input);
    double[] f = Buffers.doubles(filter);
    double[] y = new double[g.out.size()];
    g.forEachTap((i, k, o) -> y[o] += x[i] * f[k]);
    return Buffers.fromDoubles(input.dtype(), g.out.shape(), y);
  }

  public static Tensor backpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Conv2dSpec spec, boolean depthwise) {
    String op = depthwise ? "depthwiseConv2dBackpropInput" : "conv2dBackpropInput";
    Checks.requireDefined(op, "inputShape", inputShape);
    Checks.requireFloating(op, "filter", filter);
    Checks.requireFloating(op, "outputGrad", outputGrad);
    Checks.requireSameDType(op, "filter", filter, "outputGrad", outputGrad);
    Geometry g = Geometry.of(op, inputShape, filter.shape(), spec, depthwise);
    g.requireOutputShape(op, outputGrad);
    double[] f = Buffers.doubles(filter);
    double[] dy = Buffers.doubles(outputGrad);
    double[] dx = new double[g.in.size()];
    g.forEachTap((i, k, o) -> dx[i] += dy[o] * f[k]);
    return Buffers.fromDoubles(filter.dtype(), inputShape, dx);
  }

  public static Tensor backpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Conv2dSpec spec, boolean depthwise) {
    String op = depthwise ? "depthwiseConv2dBackpropFilter" : "conv2dBackpropFilter";
    Checks.requireFloating(op, "input", input);
    Checks.requireDefined(op, "filterShape", filterShape);
    Checks.requireFloating(op, "outputGrad", outputGrad);
    Checks.requireSameDType(op, "input", input, "outputGrad", outputGrad);
    Geometry g = Geometry.of(op, input.shape(), filterShape, spec, depthwise);
    g.requireOutputShape(op, outputGrad);
    double[] x = Buffers.doubles(input);
    double[] dy = Buffers.doubles(outputGrad);
    double[] df = new double[Buffers.count(filterShape)];
    g.forEachTap((i, k, o) -> df[k] += x[i] * dy[o]);
    return Buffers.fromDoubles(input.dtype(), filterShape, df);
  }

  /** One multiply-accumulate of a convolution, by flat indices into input, filter and output. */
  @FunctionalInterface
  interface Tap {
    void apply(int input, int filter, int output);
  }

  /** The input, filter and output geometry of one convolution, validated. */
  public record Geometry(
      ImageLayout in,
      ImageLayout out,
      int kh,
      int kw,
      int filterOut,
      boolean depthwise,
      Window1d rows,
      Window1d cols,
      Conv2dSpec spec,
      Shape filterShape) {

    public static Geometry of(
        String op, Shape inputShape, Shape filterShape, Conv2dSpec spec, boolean depthwise) {
      Checks.requireNonNull(op, "spec", spec);
      ImageLayout in = ImageLayout.of(op, "input", inputShape, spec.format());
      if (filterShape.rank() != 4) {
        throw new IllegalArgumentException(
            op
                + ": filter must be rank 4 "
                + (depthwise ? "[kh, kw, in, multiplier]" : "HWIO [kh, kw, in, out]")
                + ", got shape "
                + filterShape);
      }
      int kh = Math.toIntExact(filterShape.dim(0));
      int kw = Math.toIntExact(filterShape.dim(1));
      long filterIn = filterShape.dim(2);
      int filterOut = Math.toIntExact(filterShape.dim(3));
      if (filterIn != in.c()) {
        throw new IllegalArgumentException(
            op
                + ": input "
                + inputShape
                + " has "
                + in.c()
                + " channels but filter "
                + filterShape
                + " expects "
                + filterIn);
      }
      Window1d rows = spec.windowH(in.h(), kh);
      Window1d cols = spec.windowW(in.w(), kw);
      long outC = depthwise ? (long) in.c() * filterOut : filterOut;
      ImageLayout out = ImageLayout.of(spec.format(), in.n(), rows.out(), cols.out(), outC);
      return new Geometry(in, out, kh, kw, filterOut, depthwise, rows, cols, spec, filterShape);
    }

    public void requireOutputShape(String op, Tensor outputGrad) {
      if (!outputGrad.shape().equals(out.shape())) {
        throw new IllegalArgumentException(
            op
                + ": outputGrad "
                + outputGrad.shape()
                + " does not match the output shape "
                + out.shape()
                + " of input "
                + in.shape()
                + " and filter "
                + filterShape
                + " ("
                + spec
                + ")");
      }
    }

    /** Visits every (input, filter, output) product of the convolution once. */
    void forEachTap(Tap tap) {
      int sh = spec.strideH();
      int sw = spec.strideW();
      int dh = spec.dilationH();
      int dw = spec.dilationW();
      int top = (int) rows.padBefore();
      int left = (int) cols.padBefore();
      for (int b = 0; b < in.n(); b++) {
        for (int oy = 0; oy < out.h(); oy++) {
          for (int ox = 0; ox < out.w(); ox++) {
            for (int ky = 0; ky < kh; ky++) {
              int iy = oy * sh - top + ky * dh;
              if (iy < 0 || iy >= in.h()) {
                continue; // a padding row contributes zero
              }
              for (int kx = 0; kx < kw; kx++) {
                int ix = ox * sw - left + kx * dw;
                if (ix < 0 || ix >= in.w()) {
                  continue;
                }
                for (int ic = 0; ic < in.c(); ic++) {
                  int i = in.index(b, iy, ix, ic);
                  int k0 = ((ky * kw + kx) * in.c() + ic) * filterOut;
                  for (int j = 0; j < filterOut; j++) {
                    int oc = depthwise ? ic * filterOut + j : j;
                    tap.apply(i, k0 + j, out.index(b, oy, ox, oc));
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
