package dev.millrace.kernels.internal;

import dev.millrace.kernels.PoolSpec;
import dev.millrace.kernels.Window1d;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * MaxPool and AvgPool with their gradients. Padding pixels take no part: a window is clipped to the
 * input (max ignores padding; average divides by the clipped window's pixel count), as in
 * TensorFlow. With SAME padding every window keeps at least one input pixel.
 */
public final class PoolKernels {
  private PoolKernels() {}

  public static Tensor maxPool(Tensor x, PoolSpec spec) {
    String op = "maxPool";
    Checks.requireFloating(op, "x", x);
    Geometry g = Geometry.of(op, x.shape(), spec);
    double[] v = Buffers.doubles(x);
    int[] argmax = argmax(g, v);
    double[] y = new double[argmax.length];
    for (int o = 0; o < y.length; o++) {
      y[o] = v[argmax[o]];
    }
    return Buffers.fromDoubles(x.dtype(), g.out.shape(), y);
  }

  public static Tensor maxPoolGrad(Tensor x, Tensor outputGrad, PoolSpec spec) {
    String op = "maxPoolGrad";
    Checks.requireFloating(op, "x", x);
    Checks.requireFloating(op, "outputGrad", outputGrad);
    Checks.requireSameDType(op, "x", x, "outputGrad", outputGrad);
    Geometry g = Geometry.of(op, x.shape(), spec);
    g.requireOutputShape(op, outputGrad);
    int[] argmax = argmax(g, Buffers.doubles(x));
    double[] dy = Buffers.doubles(outputGrad);
    double[] dx = new double[g.in.size()];
    for (int o = 0; o < dy.length; o++) {
      dx[argmax[o]] += dy[o];
    }
    return Buffers.fromDoubles(x.dtype(), x.shape(), dx);
  }

  public static Tensor avgPool(Tensor x, PoolSpec spec) {
    String op = "avgPool";
    Checks.requireFloating(op, "x", x);
    Geometry g = Geometry.of(op, x.shape(), spec);
    double[] v = Buffers.doubles(x);
    double[] y = new double[g.out.size()];
    g.forEachWindow(
        (b, c, o, y0, y1, x0, x1) -> {
          double sum = 0;
          for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
              sum += v[g.in.index(b, iy, ix, c)];
            }
          }
          y[o] = sum / ((y1 - y0) * (x1 - x0));
        });
    return Buffers.fromDoubles(x.dtype(), g.out.shape(), y);
  }

  public static Tensor avgPoolGrad(Shape inputShape, Tensor outputGrad, PoolSpec spec) {
    String op = "avgPoolGrad";
    Checks.requireDefined(op, "inputShape", inputShape);
    Checks.requireFloating(op, "outputGrad", outputGrad);
    Geometry g = Geometry.of(op, inputShape, spec);
    g.requireOutputShape(op, outputGrad);
    double[] dy = Buffers.doubles(outputGrad);
    double[] dx = new double[g.in.size()];
    g.forEachWindow(
        (b, c, o, y0, y1, x0, x1) -> {
          double share = dy[o] / ((y1 - y0) * (x1 - x0));
          for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
              dx[g.in.index(b, iy, ix, c)] += share;
            }
          }
        });
    return Buffers.fromDoubles(outputGrad.dtype(), inputShape, dx);
  }

  /** Per output element, the flat input index of its window's first maximum (row-major scan). */
  private static int[] argmax(Geometry g, double[] v) {
    int[] argmax = new int[g.out.size()];
    g.forEachWindow(
        (b, c, o, y0, y1, x0, x1) -> {
          int best = g.in.index(b, y0, x0, c);
          for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
              int i = g.in.index(b, iy, ix, c);
              if (v[i] > v[best]) {
                best = i;
              }
            }
          }
          argmax[o] = best;
        });
    return argmax;
  }

  /** A pooling window clipped to the input: rows {@code [y0, y1)}, columns {@code [x0, x1)}. */
  @FunctionalInterface
  interface WindowVisitor {
    void visit(int batch, int channel, int output, int y0, int y1, int x0, int x1);
  }

  /** The input and output geometry of one pooling, validated. */
  public record Geometry(
      ImageLayout in, ImageLayout out, PoolSpec spec, Window1d rows, Window1d cols) {
    public static Geometry of(String op, Shape inputShape, PoolSpec spec) {
      Checks.requireNonNull(op, "spec", spec);
      ImageLayout in = ImageLayout.of(op, "input", inputShape, spec.format());
      Window1d rows = spec.windowRows(in.h());
      Window1d cols = spec.windowCols(in.w());
      ImageLayout out = ImageLayout.of(spec.format(), in.n(), rows.out(), cols.out(), in.c());
      return new Geometry(in, out, spec, rows, cols);
    }

    public void requireOutputShape(String op, Tensor outputGrad) {
      if (!outputGrad.shape().equals(out.shape())) {
        throw new IllegalArgumentException(
            op
                + ": outputGrad "
                + outputGrad.shape()
                + " does not match the output shape "
                + out.shape()
                + " of pooling input "
                + in.shape()
                + " ("
                + spec
                + ")");
      }
    }

    void forEachWindow(WindowVisitor visitor) {
      for (int b = 0; b < out.n(); b++) {
        for (int c = 0; c < out.c(); c++) {
          for (int oy = 0; oy < out.h(); oy++) {
            int start = oy * spec.strideH() - (int) rows.padBefore();
            int y0 = Math.max(start, 0);
            int y1 = Math.min(start + spec.windowH(), in.h());
            for (int ox = 0; ox < out.w(); ox++) {
              int left = ox * spec.strideW() - (int) cols.padBefore();
              int x0 = Math.max(left, 0);
              int x1 = Math.min(left + spec.windowW(), in.w());
              visitor.visit(b, c, out.index(b, oy, ox, c), y0, y1, x0, x1);
            }
          }
        }
      }
    }
  }
}
