package dev.millrace.kernels.internal;

import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.Window1d;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * The scalar integer cores of TensorFlow's eight-bit MatMul and Conv2D: unsigned 8-bit codes, each
 * side shifted by the code that stands for 0.0 (its "zero point"), products summed in 32 bits, as
 * TensorFlow's gemmlowp path sums them (so a sum that overflows wraps the same way). The ground
 * truth for the vectorised versions.
 */
public final class QuantizedKernels {
  private QuantizedKernels() {}

  /** {@code Σ_k (a[i,k] - aZero) · (b[k,j] - bZero)} for QUINT8 a, b; a QINT32 [m, n]. */
  public static Tensor matMul(
      Tensor a, int aZero, boolean transposeA, Tensor b, int bZero, boolean transposeB) {
    requireQuint8("quantized MatMul", "a", a);
    requireQuint8("quantized MatMul", "b", b);
    MatMulShape s = MatMulShape.of(a.shape(), transposeA, b.shape(), transposeB);
    byte[] av = a.toByteArray();
    byte[] bv = b.toByteArray();
    int[] c = new int[Math.multiplyExact(s.m(), s.n())];
    for (int i = 0; i < s.m(); i++) {
      for (int j = 0; j < s.n(); j++) {
        int sum = 0;
        for (int p = 0; p < s.k(); p++) {
          int x = av[transposeA ? p * s.m() + i : i * s.k() + p] & 0xff;
          int y = bv[transposeB ? j * s.k() + p : p * s.n() + j] & 0xff;
          sum += (x - aZero) * (y - bZero);
        }
        c[i * s.n() + j] = sum;
      }
    }
    return ints(Shape.of(s.m(), s.n()), c);
  }

  /**
   * QuantizedConv2D's core for an NHWC QUINT8 input and an HWIO QUINT8 filter: padding reads as
   * {@code inputZero}, so it contributes nothing, as zero padding does in float.
   */
  public static Tensor conv2d(
      Tensor input, int inputZero, Tensor filter, int filterZero, Conv2dSpec spec) {
    requireQuint8("quantized Conv2D", "input", input);
    requireQuint8("quantized Conv2D", "filter", filter);
    ConvShape g = ConvShape.of(input.shape(), filter.shape(), spec);
    byte[] in = input.toByteArray();
    byte[] f = filter.toByteArray();
    int[] out = new int[Math.toIntExact(g.outputShape().size())];
    int o = 0;
    for (int b = 0; b < g.batch(); b++) {
      for (int oy = 0; oy < g.outH(); oy++) {
        for (int ox = 0; ox < g.outW(); ox++) {
          for (int oc = 0; oc < g.outC(); oc++) {
            int sum = 0;
            for (int ky = 0; ky < g.kh(); ky++) {
              int y = oy * spec.strideH() + ky * spec.dilationH() - g.padTop();
              for (int kx = 0; kx < g.kw(); kx++) {
                int x = ox * spec.strideW() + kx * spec.dilationW() - g.padLeft();
                boolean inside = y >= 0 && y < g.inH() && x >= 0 && x < g.inW();
                int base = ((b * g.inH() + y) * g.inW() + x) * g.inC();
                for (int ic = 0; ic < g.inC(); ic++) {
                  int v = inside ? (in[base + ic] & 0xff) - inputZero : 0;
                  int w =
                      (f[((ky * g.kw() + kx) * g.inC() + ic) * g.outC() + oc] & 0xff) - filterZero;
                  sum += v * w;
                }
              }
            }
            out[o++] = sum;
          }
        }
      }
    }
    return ints(g.outputShape(), out);
  }

  /**
   * A QINT32 {@code [m, n]} of sums as FLOAT32 {@code sum · scale[j] + offset[j]} (one fused
   * multiply-add): a fused eight-bit MatMul's real result.
   */
  public static Tensor dequantizeColumns(Tensor sums, float[] scale, float[] offset) {
    int n = Math.toIntExact(sums.shape().dim(1));
    requireColumns(n, scale, offset);
    int[] s = sums.toIntArray();
    Tensor out = Tensor.zeros(DType.FLOAT32, sums.shape());
    for (int i = 0; i < s.length; i++) {
      out.setFloat(i, Math.fma((float) s[i], scale[i % n], offset[i % n]));
    }
    return out;
  }

  /**
   * Throws unless {@code scale} and {@code offset} hold one value per each of {@code n} columns.
   */
  public static void requireColumns(int n, float[] scale, float[] offset) {
    if (scale.length != n || offset.length != n) {
      throw new IllegalArgumentException(
          "quantized MatMul: "
              + scale.length
              + " scales and "
              + offset.length
              + " offsets for "
              + n
              + " columns");
    }
  }

  /** Throws unless {@code t} holds QUINT8 codes. */
  public static void requireQuint8(String op, String role, Tensor t) {
    if (t.dtype() != DType.QUINT8) {
      throw new IllegalArgumentException(
          op + ": " + role + " must be quint8, got " + Checks.describe(t));
    }
  }

  static Tensor ints(Shape shape, int[] values) {
    Tensor t = Tensor.zeros(DType.QINT32, shape);
    for (int i = 0; i < values.length; i++) {
      t.setInt(i, values[i]);
    }
    return t;
  }

  /** The sizes of an eight-bit MatMul, checked. */
  public record MatMulShape(int m, int n, int k) {
    public static MatMulShape of(Shape a, boolean transposeA, Shape b, boolean transposeB) {
      if (a.rank() != 2 || b.rank() != 2) {
        throw new IllegalArgumentException(
            "quantized MatMul needs two matrices, got shapes " + a + " and " + b);
      }
      int m = Math.toIntExact(transposeA ? a.dim(1) : a.dim(0));
      int k = Math.toIntExact(transposeA ? a.dim(0) : a.dim(1));
      int kb = Math.toIntExact(transposeB ? b.dim(1) : b.dim(0));
      int n = Math.toIntExact(transposeB ? b.dim(0) : b.dim(1));
      if (k != kb) {
        throw new IllegalArgumentException(
            "quantized MatMul: inner dimensions differ: " + a + " and " + b);
      }
      return new MatMulShape(m, n, k);
    }
  }

  /** The geometry of an eight-bit NHWC convolution, checked. */
  public record ConvShape(
      int batch,
      int inH,
      int inW,
      int inC,
      int kh,
      int kw,
      int outC,
      int outH,
      int outW,
      int padTop,
      int padLeft) {
    public static ConvShape of(Shape input, Shape filter, Conv2dSpec spec) {
      if (spec.format() != DataFormat.NHWC) {
        throw new IllegalArgumentException("quantized Conv2D runs NHWC only, got " + spec.format());
      }
      if (input.rank() != 4 || filter.rank() != 4) {
        throw new IllegalArgumentException(
            "quantized Conv2D needs a rank-4 input and filter, got " + input + " and " + filter);
      }
      if (input.dim(3) != filter.dim(2)) {
        throw new IllegalArgumentException(
            "quantized Conv2D: input depth "
                + input.dim(3)
                + " differs from the filter's "
                + filter.dim(2)
                + " ("
                + input
                + ", "
                + filter
                + ")");
      }
      Window1d h = spec.windowH(input.dim(1), filter.dim(0));
      Window1d w = spec.windowW(input.dim(2), filter.dim(1));
      return new ConvShape(
          Math.toIntExact(input.dim(0)),
          Math.toIntExact(input.dim(1)),
          Math.toIntExact(input.dim(2)),
          Math.toIntExact(input.dim(3)),
          Math.toIntExact(filter.dim(0)),
          Math.toIntExact(filter.dim(1)),
          Math.toIntExact(filter.dim(3)),
          Math.toIntExact(h.out()),
          Math.toIntExact(w.out()),
          Math.toIntExact(h.padBefore()),
          Math.toIntExact(w.padBefore()));
    }

    public Shape outputShape() {
      return Shape.of(batch, outH, outW, outC);
    }
  }
}
