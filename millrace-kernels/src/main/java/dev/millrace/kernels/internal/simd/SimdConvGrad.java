package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ConvKernels.Geometry;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/**
 * The two Conv2D gradients:
 *
 * <ul>
 *   <li>input gradient: at stride 1 a forward convolution (see {@link #backpropInput}); otherwise
 *       {@code cols = outputGrad · filter^T} per image, then col2im adds each patch element back to
 *       the input pixel it came from, images split over the threads;
 *   <li>filter gradient: {@code filterGrad += patches^T · outputGrad} per image, from an explicit
 *       im2col buffer (one image's patches, reused per thread), each thread into its own partial
 *       sum, the partial sums added at the end. (One GEMM over many images' pixels with packers
 *       that gather the patches, measured side by side, was no faster: 0.8–1.2× at 2 threads.)
 * </ul>
 *
 * Layouts as in {@link SimdConv}: NHWC patches are {@code [pixels][k]}, NCHW ones {@code
 * [k][pixels]}, k running over (ky, kx, ic).
 */
public final class SimdConvGrad {
  private SimdConvGrad() {}

  /**
   * The input gradient. At stride 1 it is the forward convolution of the output gradient with the
   * filter flipped in space and its channel axes swapped, padded by {@code (k - 1) * dilation}
   * minus the forward padding on each side: that runs the forward kernels (direct NHWC, implicit
   * im2col), which need no col2im pass and no per-image GEMM. Other strides scatter per image.
   */
  public static Tensor backpropInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Geometry g, KernelThreads threads) {
    if (NchwViaNhwc.convolution(g)) {
      return NchwViaNhwc.backpropInput(filter, outputGrad, g, threads);
    }
    Geometry t = transposed(g, outputGrad.shape());
    if (t != null) {
      return SimdConv.forward(
          outputGrad, flipped(filter, g), t, null, null, Gemm.Activation.NONE, threads);
    }
    return scatterInput(inputShape, filter, outputGrad, g, threads);
  }

  /**
   * The stride-1 convolution whose output is g's input gradient (see {@link #backpropInput}), or
   * null where there is none (a stride above 1, or forward padding beyond the dilated filter).
   */
  static Geometry transposed(Geometry g, Shape outputGradShape) {
    Conv2dSpec s = g.spec();
    int reachH = (g.kh() - 1) * s.dilationH();
    int reachW = (g.kw() - 1) * s.dilationW();
    int top = (int) g.rows().padBefore();
    int left = (int) g.cols().padBefore();
    int bottom = (int) (g.out().h() + reachH - g.in().h() - top);
    int right = (int) (g.out().w() + reachW - g.in().w() - left);
    if (s.strideH() != 1 || s.strideW() != 1 || top > reachH || left > reachW) {
      return null;
    }
    if (bottom < 0 || right < 0 || bottom > reachH || right > reachW) {
      return null;
    }
    Conv2dSpec t =
        Conv2dSpec.explicit(
                1, 1, reachH - top, reachH - bottom, reachW - left, reachW - right, s.format())
            .withDilations(s.dilationH(), s.dilationW());
    Shape f = Shape.of(g.kh(), g.kw(), g.filterOut(), g.in().c());
    try {
      Geometry tg = Geometry.of("conv2dBackpropInput", outputGradShape, f, t, false);
      return tg.out().shape().equals(g.in().shape()) ? tg : null;
    } catch (IllegalArgumentException degenerate) {
      return null; // an empty image, for which the scatter path is as good
    }
  }

  /** {@code f'[ky][kx][oc][ic] = f[kh - 1 - ky][kw - 1 - kx][ic][oc]}. */
  static Tensor flipped(Tensor filter, Geometry g) {
    float[] f = Floats.of(filter);
    int kh = g.kh();
    int kw = g.kw();
    int c = g.in().c();
    int oc = g.filterOut();
    Tensor out = Floats.zeros(Shape.of(kh, kw, oc, c));
    float[] t = Floats.array(out);
    for (int ky = 0; ky < kh; ky++) {
      for (int kx = 0; kx < kw; kx++) {
        int src = ((kh - 1 - ky) * kw + (kw - 1 - kx)) * c * oc;
        int dst = (ky * kw + kx) * oc * c;
        for (int ic = 0; ic < c; ic++) {
          for (int o = 0; o < oc; o++) {
            t[dst + o * c + ic] = f[src + ic * oc + o];
          }
        }
      }
    }
    return out;
  }

  /** The input gradient per image: {@code cols = dy · f^T}, then col2im adds patches back. */
  static Tensor scatterInput(
      Shape inputShape, Tensor filter, Tensor outputGrad, Geometry g, KernelThreads threads) {
    Tensor out = Floats.zeros(inputShape);
    float[] dx = Floats.array(out);
    float[] f = Floats.of(filter);
    float[] dy = Floats.of(outputGrad);
    int oc = g.filterOut();
    int c = g.in().c();
    int k = g.kh() * g.kw() * c;
    int pixels = g.out().h() * g.out().w();
    int inImage = g.in().h() * g.in().w() * c;
    int outImage = pixels * oc;
    boolean nhwc = g.in().format() == DataFormat.NHWC;
    boolean pointwise = SimdConv.isPointwise(g);
    int images = g.in().n();
    int tasks = threads.parallelism() > 1 && images > 1 ? images : 1;
    KernelThreads inner = tasks > 1 ? KernelThreads.inline() : threads;
    SimdConv.forEachImage(
        images,
        tasks,
        threads,
        (task, b) -> {
          float[] cols = pointwise ? dx : Scratch.columns(pixels * k);
          int cOff = pointwise ? b * inImage : 0;
          if (nhwc) {
            // cols[pixel][p] = sum_oc dy[pixel][oc] * f[p][oc]
            Gemm.gemm(
                pixels,
                k,
                oc,
                Packers.a(dy, b * outImage, oc, 1),
                Packers.b(f, 0, 1, oc),
                cols,
                cOff,
                k,
                false,
                null,
                inner);
            if (!pointwise) {
              col2imNhwc(cols, dx, b * inImage, g);
            }
          } else {
            // cols[p][pixel] = sum_oc f[p][oc] * dy[oc][pixel]
            Gemm.gemm(
                k,
                pixels,
                oc,
                Packers.a(f, 0, oc, 1),
                Packers.b(dy, b * outImage, pixels, 1),
                cols,
                cOff,
                pixels,
                false,
                null,
                inner);
            if (!pointwise) {
              col2imNchw(cols, dx, b * inImage, g);
            }
          }
        });
    return out;
  }

  /**
   * Whether NHWC filter gradients undilated along W use {@link FilterGradNhwc} instead of im2col +
   * GEMM ({@code -Dmillrace.conv.directFilterGradient=false} turns it off, for comparisons).
   */
  private static final boolean DIRECT_FILTER_GRADIENT =
      !"false".equals(System.getProperty("millrace.conv.directFilterGradient"));

  public static Tensor backpropFilter(
      Tensor input, Shape filterShape, Tensor outputGrad, Geometry g, KernelThreads threads) {
    if (NchwViaNhwc.convolution(g)) {
      return NchwViaNhwc.backpropFilter(input, filterShape, outputGrad, g, threads);
    }
    float[] x = Floats.of(input);
    float[] dy = Floats.of(outputGrad);
    int oc = g.filterOut();
    int c = g.in().c();
    int k = g.kh() * g.kw() * c;
    int pixels = g.out().h() * g.out().w();
    int inImage = g.in().h() * g.in().w() * c;
    int outImage = pixels * oc;
    boolean nhwc = g.in().format() == DataFormat.NHWC;
    boolean pointwise = SimdConv.isPointwise(g);
    int images = g.in().n();
    int tasks = Math.min(images, threads.parallelism());
    KernelThreads inner = tasks > 1 ? KernelThreads.inline() : threads;
    float[][] partial = new float[Math.max(1, tasks)][k * oc];
    if (DIRECT_FILTER_GRADIENT && FilterGradNhwc.handles(g)) {
      SimdConv.forEachImage(
          images,
          tasks,
          threads,
          (task, b) ->
              FilterGradNhwc.accumulate(
                  x, dy, b, g, Scratch.padded(FilterGradNhwc.paddedSize(g)), partial[task]));
      return sumOf(partial, filterShape);
    }
    SimdConv.forEachImage(
        images,
        tasks,
        threads,
        (task, b) -> {
          float[] sum = partial[task];
          float[] cols;
          int colsOff;
          if (pointwise) {
            cols = x;
            colsOff = b * inImage;
          } else {
            cols = Scratch.columns(pixels * k);
            colsOff = 0;
            if (nhwc) {
              im2colNhwc(x, b * inImage, g, cols);
            } else {
              im2colNchw(x, b * inImage, g, cols);
            }
          }
          if (nhwc) {
            // dF[p][oc] += sum_pixel cols[pixel][p] * dy[pixel][oc]
            Gemm.gemm(
                k,
                oc,
                pixels,
                Packers.a(cols, colsOff, 1, k),
                Packers.b(dy, b * outImage, oc, 1),
                sum,
                0,
                oc,
                true,
                null,
                inner);
          } else {
            // dF[p][oc] += sum_pixel cols[p][pixel] * dy[oc][pixel]
            Gemm.gemm(
                k,
                oc,
                pixels,
                Packers.a(cols, colsOff, pixels, 1),
                Packers.b(dy, b * outImage, 1, pixels),
                sum,
                0,
                oc,
                true,
                null,
                inner);
          }
        });
    return sumOf(partial, filterShape);
  }

  /** The per-task partial filter gradients added up. */
  private static Tensor sumOf(float[][] partial, Shape filterShape) {
    Tensor out = Floats.zeros(filterShape);
    float[] df = Floats.array(out);
    for (float[] p : partial) {
      SimdMath.addInto(df, p, df.length);
    }
    return out;
  }

  /** {@code cols[pixel * k + p]} for one NHWC image, zero in padding. */
  static void im2colNhwc(float[] x, int imageOff, Geometry g, float[] cols) {
    int k = g.kh() * g.kw() * g.in().c();
    if (g.spec().dilationW() == 1) {
      im2colNhwcRows(x, imageOff, g, cols);
      return;
    }
    SimdConv.forEachNhwcRun(
        g,
        imageOff,
        (pixel, p, src, run) -> {
          int d = pixel * k + p;
          if (src < 0) {
            java.util.Arrays.fill(cols, d, d + run, 0f);
          } else {
            System.arraycopy(x, src, cols, d, run);
          }
        });
  }

  /**
   * {@link #im2colNhwc} without dilation along W: the kw taps of a filter row are adjacent input
   * pixels, so each (pixel, filter row) is one run of {@code kw · c} floats, clipped at the image's
   * edges. With one input channel that is 5 floats a call instead of 1 (the first layer's patches
   * took most of its filter gradient's time one float at a time).
   */
  private static void im2colNhwcRows(float[] x, int imageOff, Geometry g, float[] cols) {
    int c = g.in().c();
    int h = g.in().h();
    int w = g.in().w();
    int kh = g.kh();
    int kw = g.kw();
    int rowRun = kw * c;
    int k = kh * rowRun;
    int sh = g.spec().strideH();
    int sw = g.spec().strideW();
    int dh = g.spec().dilationH();
    int top = (int) g.rows().padBefore();
    int left = (int) g.cols().padBefore();
    int ow = g.out().w();
    for (int oy = 0; oy < g.out().h(); oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int ix0 = ox * sw - left;
        int lo = Math.max(0, -ix0);
        int hi = Math.min(kw, w - ix0);
        for (int ky = 0; ky < kh; ky++) {
          int iy = oy * sh - top + ky * dh;
          int d = (oy * ow + ox) * k + ky * rowRun;
          if (iy < 0 || iy >= h || hi <= lo) {
            java.util.Arrays.fill(cols, d, d + rowRun, 0f);
            continue;
          }
          java.util.Arrays.fill(cols, d, d + lo * c, 0f);
          int src = imageOff + (iy * w + ix0 + lo) * c;
          int n = (hi - lo) * c;
          int at = d + lo * c;
          if (n < 16) {
            for (int i = 0; i < n; i++) {
              cols[at + i] = x[src + i];
            }
          } else {
            System.arraycopy(x, src, cols, at, n);
          }
          java.util.Arrays.fill(cols, d + hi * c, d + rowRun, 0f);
        }
      }
    }
  }

  /** Adds {@code cols[pixel * k + p]} of one NHWC image back into the input gradient. */
  static void col2imNhwc(float[] cols, float[] dx, int imageOff, Geometry g) {
    int k = g.kh() * g.kw() * g.in().c();
    SimdConv.forEachNhwcRun(
        g,
        imageOff,
        (pixel, p, dst, run) -> {
          if (dst >= 0) {
            SimdMath.addInto(dx, dst, cols, pixel * k + p, run);
          }
        });
  }

  /** {@code cols[p * pixels + pixel]} for one NCHW image, zero in padding. */
  static void im2colNchw(float[] x, int imageOff, Geometry g, float[] cols) {
    int pixels = g.out().h() * g.out().w();
    forEachNchwRow(
        g,
        (p, oy, src, ox0, ox1, step) -> {
          int d = p * pixels + oy * g.out().w();
          int ow = g.out().w();
          if (src == Integer.MIN_VALUE) {
            java.util.Arrays.fill(cols, d, d + ow, 0f);
            return;
          }
          java.util.Arrays.fill(cols, d, d + ox0, 0f);
          java.util.Arrays.fill(cols, d + ox1, d + ow, 0f);
          if (ox0 >= ox1) {
            return;
          }
          if (step == 1) {
            System.arraycopy(x, imageOff + src + ox0, cols, d + ox0, ox1 - ox0);
          } else {
            for (int ox = ox0; ox < ox1; ox++) {
              cols[d + ox] = x[imageOff + src + ox * step];
            }
          }
        });
  }

  /** Adds {@code cols[p * pixels + pixel]} of one NCHW image back into the input gradient. */
  static void col2imNchw(float[] cols, float[] dx, int imageOff, Geometry g) {
    int pixels = g.out().h() * g.out().w();
    forEachNchwRow(
        g,
        (p, oy, src, ox0, ox1, step) -> {
          if (src == Integer.MIN_VALUE || ox0 >= ox1) {
            return;
          }
          int d = p * pixels + oy * g.out().w();
          if (step == 1) {
            SimdMath.addInto(dx, imageOff + src + ox0, cols, d + ox0, ox1 - ox0);
          } else {
            for (int ox = ox0; ox < ox1; ox++) {
              dx[imageOff + src + ox * step] += cols[d + ox];
            }
          }
        });
  }

  /**
   * One output row of one patch row (p = (ky, kx, ic)) in NCHW: output columns {@code [ox0, ox1)}
   * read input {@code src + ox * step} (relative to the image); the others fall in padding. {@code
   * src} is {@code Integer.MIN_VALUE} when the whole row is padding.
   */
  @FunctionalInterface
  interface NchwRow {
    void accept(int p, int oy, int src, int ox0, int ox1, int step);
  }

  static void forEachNchwRow(Geometry g, NchwRow row) {
    int c = g.in().c();
    int h = g.in().h();
    int w = g.in().w();
    int oh = g.out().h();
    int ow = g.out().w();
    int sh = g.spec().strideH();
    int sw = g.spec().strideW();
    int dh = g.spec().dilationH();
    int dw = g.spec().dilationW();
    int top = (int) g.rows().padBefore();
    int left = (int) g.cols().padBefore();
    for (int ky = 0; ky < g.kh(); ky++) {
      for (int kx = 0; kx < g.kw(); kx++) {
        int shift = kx * dw - left; // ix = ox * sw + shift
        // ox0 = first ox with ix >= 0; ox1 = first ox with ix >= w.
        int ox0 = Math.min(ow, shift >= 0 ? 0 : ceilDiv(-shift, sw));
        int ox1 = Math.max(ox0, Math.min(ow, w - shift <= 0 ? 0 : ceilDiv(w - shift, sw)));
        for (int ic = 0; ic < c; ic++) {
          int p = (ky * g.kw() + kx) * c + ic;
          for (int oy = 0; oy < oh; oy++) {
            int iy = oy * sh - top + ky * dh;
            if (iy < 0 || iy >= h) {
              row.accept(p, oy, Integer.MIN_VALUE, 0, 0, sw);
            } else {
              row.accept(p, oy, (ic * h + iy) * w + shift, ox0, ox1, sw);
            }
          }
        }
      }
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** Vector helpers shared by the gradient kernels. */
  static final class SimdMath {
    private SimdMath() {}

    /** {@code dst[0, n) += src[0, n)}. */
    static void addInto(float[] dst, float[] src, int n) {
      addInto(dst, 0, src, 0, n);
    }

    /** {@code dst[d, d + n) += src[s, s + n)}. */
    static void addInto(float[] dst, int d, float[] src, int s, int n) {
      int i = 0;
      for (; i <= n - Gemm.NR; i += Gemm.NR) {
        FloatVector.fromArray(Gemm.F, dst, d + i)
            .add(FloatVector.fromArray(Gemm.F, src, s + i))
            .intoArray(dst, d + i);
      }
      for (; i < n; i++) {
        dst[d + i] += src[s + i];
      }
    }
  }
}
