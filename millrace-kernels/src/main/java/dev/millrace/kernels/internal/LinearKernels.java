package dev.millrace.kernels.internal;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/** MatMul, BiasAdd and BiasAddGrad. */
public final class LinearKernels {
  private LinearKernels() {}

  public static Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB) {
    String op = "matmul";
    Checks.requireNumeric(op, "a", a);
    Checks.requireNumeric(op, "b", b);
    Checks.requireSameDType(op, "a", a, "b", b);
    Checks.requireRank(op, "a", a, 2);
    Checks.requireRank(op, "b", b, 2);
    int m = dim(a, transposeA ? 1 : 0);
    int ka = dim(a, transposeA ? 0 : 1);
    int kb = dim(b, transposeB ? 1 : 0);
    int n = dim(b, transposeB ? 0 : 1);
    if (ka != kb) {
      throw new IllegalArgumentException(
          op
              + ": inner dimensions differ: a "
              + a.shape()
              + (transposeA ? " transposed" : "")
              + " has "
              + ka
              + " columns but b "
              + b.shape()
              + (transposeB ? " transposed" : "")
              + " has "
              + kb
              + " rows");
    }
    int colsA = dim(a, 1);
    int colsB = dim(b, 1);
    Shape out = Shape.of(m, n);
    if (a.dtype().isFloating()) {
      double[] va = Buffers.doubles(a);
      double[] vb = Buffers.doubles(b);
      double[] r = new double[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int k = 0; k < ka; k++) {
            s +=
                va[transposeA ? k * colsA + i : i * colsA + k]
                    * vb[transposeB ? j * colsB + k : k * colsB + j];
          }
          r[i * n + j] = s;
        }
      }
      return Buffers.fromDoubles(a.dtype(), out, r);
    }
    long[] va = Buffers.longs(a);
    long[] vb = Buffers.longs(b);
    long[] r = new long[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        long s = 0;
        for (int k = 0; k < ka; k++) {
          s +=
              va[transposeA ? k * colsA + i : i * colsA + k]
                  * vb[transposeB ? j * colsB + k : k * colsB + j];
        }
        r[i * n + j] = s;
      }
    }
    return Buffers.fromLongs(a.dtype(), out, r);
  }

  public static Tensor biasAdd(Tensor x, Tensor bias, DataFormat format) {
    String op = "biasAdd";
    Checks.requireNumeric(op, "x", x);
    Checks.requireNumeric(op, "bias", bias);
    Checks.requireNonNull(op, "format", format);
    Checks.requireSameDType(op, "x", x, "bias", bias);
    ChannelLayout l = ChannelLayout.of(op, x.shape(), format);
    if (bias.shape().rank() != 1 || bias.shape().dim(0) != l.channels()) {
      throw new IllegalArgumentException(
          op
              + ": bias "
              + bias.shape()
              + " must be rank 1 with the "
              + l.channels()
              + " channels of x "
              + x.shape()
              + " ("
              + format
              + ")");
    }
    if (x.dtype().isFloating()) {
      double[] v = Buffers.doubles(x);
      double[] b = Buffers.doubles(bias);
      forEach(l, (i, c) -> v[i] += b[c]);
      return Buffers.fromDoubles(x.dtype(), x.shape(), v);
    }
    long[] v = Buffers.longs(x);
    long[] b = Buffers.longs(bias);
    forEach(l, (i, c) -> v[i] += b[c]);
    return Buffers.fromLongs(x.dtype(), x.shape(), v);
  }

  public static Tensor biasAddGrad(Tensor grad, DataFormat format) {
    String op = "biasAddGrad";
    Checks.requireNumeric(op, "grad", grad);
    Checks.requireNonNull(op, "format", format);
    ChannelLayout l = ChannelLayout.of(op, grad.shape(), format);
    Shape out = Shape.of(l.channels());
    if (grad.dtype().isFloating()) {
      double[] g = Buffers.doubles(grad);
      double[] r = new double[l.channels()];
      forEach(l, (i, c) -> r[c] += g[i]);
      return Buffers.fromDoubles(grad.dtype(), out, r);
    }
    long[] g = Buffers.longs(grad);
    long[] r = new long[l.channels()];
    forEach(l, (i, c) -> r[c] += g[i]);
    return Buffers.fromLongs(grad.dtype(), out, r);
  }

  /** Visits every element's flat index with its channel. */
  static void forEach(ChannelLayout l, IndexAndChannel visit) {
    for (int o = 0; o < l.outer(); o++) {
      for (int c = 0; c < l.channels(); c++) {
        for (int i = 0; i < l.inner(); i++) {
          visit.accept(l.index(o, c, i), c);
        }
      }
    }
  }

  @FunctionalInterface
  interface IndexAndChannel {
    void accept(int index, int channel);
  }

  private static int dim(Tensor t, int axis) {
    return Math.toIntExact(t.shape().dim(axis));
  }
}
