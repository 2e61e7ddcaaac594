package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ConvKernels.Geometry;
import dev.millrace.kernels.internal.ImageLayout;
import jdk.incubator.vector.FloatVector;

/**
 * Depthwise convolution and its gradients in NHWC, 8 input channels per vector. Output channel
 * {@code c * M + m} pairs input channel c with multiplier m, so with {@code M > 1} the channels of
 * one m are M floats apart; the filter and, for the gradients, the output gradient are therefore
 * first reordered {@code [.., m, c]} ({@link #byMultiplier}), which makes every vector load
 * contiguous, and forward outputs are reordered back per pixel. With {@code M = 1} both orders are
 * the same and nothing is copied. Channels past the last whole vector run the same loops in scalar.
 */
final class DepthwiseNhwc {
  private DepthwiseNhwc() {}

  /**
   * {@code v} of {@code [groups, channels, multiplier]} reordered {@code [groups, multiplier,
   * channels]}; {@code v} itself when the multiplier is 1.
   */
  static float[] byMultiplier(float[] v, int channels, int multiplier) {
    if (multiplier == 1) {
      return v;
    }
    float[] r = new float[v.length];
    int group = channels * multiplier;
    for (int g0 = 0; g0 < v.length; g0 += group) {
      for (int c = 0; c < channels; c++) {
        for (int m = 0; m < multiplier; m++) {
          r[g0 + m * channels + c] = v[g0 + c * multiplier + m];
        }
      }
    }
    return r;
  }

  /** The output coordinate whose tap {@code k} reads input coordinate {@code i}, or -1. */
  private static int source(int i, int k, int pad, int stride, int dilation, int outSize) {
    int t = i + pad - k * dilation;
    if (t < 0 || t % stride != 0 || t / stride >= outSize) {
      return -1;
    }
    return t / stride;
  }

  static void forward(float[] x, float[] f, float[] y, Geometry g, KernelThreads threads) {
    ImageLayout in = g.in();
    ImageLayout out = g.out();
    int channels = in.c();
    int multiplier = g.filterOut();
    float[] fm = byMultiplier(f, channels, multiplier);
    long work = (long) out.size() * g.kh() * g.kw();
    IntRange.split(
        out.n() * out.h(),
        IntRange.tasksFor(work, threads),
        threads,
        (task, r0, r1) -> {
          float[] pixel = multiplier == 1 ? null : Scratch.columns(channels * multiplier);
          Taps taps = new Taps(g);
          for (int r = r0; r < r1; r++) {
            int b = r / out.h();
            int oy = r % out.h();
            for (int ox = 0; ox < out.w(); ox++) {
              taps.underOutput(b, oy, ox);
              int dst = out.index(b, oy, ox, 0);
              if (multiplier == 1) {
                dot(x, fm, taps, 0, y, dst);
              } else {
                for (int m = 0; m < multiplier; m++) {
                  dot(x, fm, taps, m * channels, pixel, m * channels);
                }
              }
              if (multiplier > 1) {
                for (int m = 0; m < multiplier; m++) {
                  for (int c = 0; c < channels; c++) {
                    y[dst + c * multiplier + m] = pixel[m * channels + c];
                  }
                }
              }
            }
          }
        });
  }

  /**
   * The input gradient, gathered per input pixel from the output pixels whose windows cover it, so
   * each input-gradient element is written once and rows can be split over the threads.
   */
  static void backpropInput(float[] f, float[] dy, float[] dx, Geometry g, KernelThreads threads) {
    ImageLayout in = g.in();
    ImageLayout out = g.out();
    int channels = in.c();
    int multiplier = g.filterOut();
    float[] fm = byMultiplier(f, channels, multiplier);
    float[] dym = byMultiplier(dy, channels, multiplier);
    long work = (long) out.size() * g.kh() * g.kw();
    IntRange.split(
        in.n() * in.h(),
        IntRange.tasksFor(work, threads),
        threads,
        (task, r0, r1) -> {
          Taps taps = new Taps(g);
          for (int r = r0; r < r1; r++) {
            int b = r / in.h();
            int iy = r % in.h();
            for (int ix = 0; ix < in.w(); ix++) {
              taps.overInput(b, iy, ix);
              int dst = in.index(b, iy, ix, 0);
              dot(dym, fm, taps, 0, dx, dst);
            }
          }
        });
  }

  /**
   * {@code out[at + c] = sum over the terms e of data[taps.data[e] + c] * fm[taps.filter[e] + shift
   * + c]} for every channel c: a depthwise dot product in each channel, two channel vectors at a
   * time for two independent FMA chains.
   */
  private static void dot(float[] data, float[] fm, Taps taps, int shift, float[] out, int at) {
    int channels = taps.channels;
    int vc = channels / Gemm.NR * Gemm.NR;
    int c0 = 0;
    for (; c0 + 2 * Gemm.NR <= vc; c0 += 2 * Gemm.NR) {
      FloatVector a0 = FloatVector.zero(Gemm.F);
      FloatVector a1 = a0;
      for (int e = 0; e < taps.count; e++) {
        int di = taps.data[e] + c0;
        int fi = taps.filter[e] + shift + c0;
        a0 = FloatVector.fromArray(Gemm.F, data, di).fma(FloatVector.fromArray(Gemm.F, fm, fi), a0);
        a1 =
            FloatVector.fromArray(Gemm.F, data, di + Gemm.NR)
                .fma(FloatVector.fromArray(Gemm.F, fm, fi + Gemm.NR), a1);
      }
      a0.intoArray(out, at + c0);
      a1.intoArray(out, at + c0 + Gemm.NR);
    }
    for (; c0 < vc; c0 += Gemm.NR) {
      FloatVector acc = FloatVector.zero(Gemm.F);
      for (int e = 0; e < taps.count; e++) {
        acc =
            FloatVector.fromArray(Gemm.F, data, taps.data[e] + c0)
                .fma(FloatVector.fromArray(Gemm.F, fm, taps.filter[e] + shift + c0), acc);
      }
      acc.intoArray(out, at + c0);
    }
    for (int c = vc; c < channels; c++) {
      float acc = 0f;
      for (int e = 0; e < taps.count; e++) {
        acc += data[taps.data[e] + c] * fm[taps.filter[e] + shift + c];
      }
      out[at + c] = acc;
    }
  }

  /**
   * The terms of one pixel's dot products, as float offsets of a channel run in the data and in the
   * reordered filter. Forward: the taps that fall inside the input, with the input pixel ({@code
   * pixel * C}) and the tap ({@code tap * M * C}; the caller adds {@code m * C}). Input gradient:
   * the taps whose output pixel exists, once per multiplier m, with block m of that pixel in the
   * reordered output gradient ({@code (pixel * M + m) * C}) and of the tap.
   */
  private static final class Taps {
    final Geometry g;
    final int channels;
    final int multiplier;
    final int[] data;
    final int[] filter;
    int count;

    Taps(Geometry g) {
      this.g = g;
      this.channels = g.in().c();
      this.multiplier = g.filterOut();
      data = new int[g.kh() * g.kw() * multiplier];
      filter = new int[g.kh() * g.kw() * multiplier];
    }

    /** The input pixels under output pixel (b, oy, ox). */
    void underOutput(int b, int oy, int ox) {
      ImageLayout in = g.in();
      count = 0;
      for (int ky = 0; ky < g.kh(); ky++) {
        int iy = oy * g.spec().strideH() - (int) g.rows().padBefore() + ky * g.spec().dilationH();
        if (iy < 0 || iy >= in.h()) {
          continue;
        }
        for (int kx = 0; kx < g.kw(); kx++) {
          int ix = ox * g.spec().strideW() - (int) g.cols().padBefore() + kx * g.spec().dilationW();
          if (ix >= 0 && ix < in.w()) {
            add(((b * in.h() + iy) * in.w() + ix) * channels, (ky * g.kw() + kx) * multiplier);
          }
        }
      }
    }

    /** The output pixels whose windows read input pixel (b, iy, ix), each block m of them. */
    void overInput(int b, int iy, int ix) {
      ImageLayout out = g.out();
      count = 0;
      for (int ky = 0; ky < g.kh(); ky++) {
        int oy =
            source(
                iy,
                ky,
                (int) g.rows().padBefore(),
                g.spec().strideH(),
                g.spec().dilationH(),
                out.h());
        if (oy < 0) {
          continue;
        }
        for (int kx = 0; kx < g.kw(); kx++) {
          int ox =
              source(
                  ix,
                  kx,
                  (int) g.cols().padBefore(),
                  g.spec().strideW(),
                  g.spec().dilationW(),
                  out.w());
          if (ox < 0) {
            continue;
          }
          int pixel = (b * out.h() + oy) * out.w() + ox;
          for (int m = 0; m < multiplier; m++) {
            add((pixel * multiplier + m) * channels, (ky * g.kw() + kx) * multiplier + m);
          }
        }
      }
    }

    /** A term: data at {@code dataAt}, filter block {@code block} ({@code tap * M + m}). */
    private void add(int dataAt, int block) {
      data[count] = dataAt;
      filter[count++] = block * channels;
    }
  }

  /**
   * The filter gradient: output rows are split over the threads, each adding into its own partial
   * filter (reordered {@code [tap, m, c]}); per tap, channel vector and output row the products are
   * summed in a register over the row's valid columns. The partials are added in task order.
   */
  static void backpropFilter(float[] x, float[] dy, float[] df, Geometry g, KernelThreads threads) {
    ImageLayout out = g.out();
    int channels = g.in().c();
    int multiplier = g.filterOut();
    int group = channels * multiplier;
    int size = g.kh() * g.kw() * group;
    float[] dym = byMultiplier(dy, channels, multiplier);
    long work = (long) out.size() * g.kh() * g.kw();
    int rows = out.n() * out.h();
    int tasks = Math.max(1, Math.min(IntRange.tasksFor(work, threads), rows));
    float[][] partial = new float[tasks][];
    IntRange.split(
        rows,
        tasks,
        threads,
        (task, r0, r1) -> {
          float[] sums = new float[size]; // allocated by the thread that fills it
          for (int r = r0; r < r1; r++) {
            filterRow(x, dym, sums, g, r / out.h(), r % out.h());
          }
          partial[task] = sums;
        });
    float[] total = new float[size];
    for (float[] p : partial) {
      if (p != null) {
        for (int i = 0; i < size; i++) {
          total[i] += p[i];
        }
      }
    }
    // [tap, m, c] back to [tap, c, m].
    for (int t = 0; t < g.kh() * g.kw(); t++) {
      for (int m = 0; m < multiplier; m++) {
        for (int c = 0; c < channels; c++) {
          df[t * group + c * multiplier + m] = total[t * group + m * channels + c];
        }
      }
    }
  }

  private static void filterRow(float[] x, float[] dym, float[] sums, Geometry g, int b, int oy) {
    ImageLayout in = g.in();
    ImageLayout out = g.out();
    int channels = in.c();
    int multiplier = g.filterOut();
    int group = channels * multiplier;
    int vc = channels / Gemm.NR * Gemm.NR;
    int sw = g.spec().strideW();
    int left = (int) g.cols().padBefore();
    for (int ky = 0; ky < g.kh(); ky++) {
      int iy = oy * g.spec().strideH() - (int) g.rows().padBefore() + ky * g.spec().dilationH();
      if (iy < 0 || iy >= in.h()) {
        continue;
      }
      for (int kx = 0; kx < g.kw(); kx++) {
        // Output columns whose tap kx lands inside the input: 0 <= ox * sw - left + kx * dw < w.
        int shift = kx * g.spec().dilationW() - left;
        int ox0 = Math.max(0, Math.ceilDiv(-shift, sw));
        int ox1 = Math.min(out.w(), Math.floorDiv(in.w() - 1 - shift, sw) + 1);
        for (int m = 0; m < multiplier; m++) {
          int s = ((ky * g.kw() + kx) * multiplier + m) * channels;
          for (int c0 = 0; c0 < vc; c0 += Gemm.NR) {
            FloatVector acc = FloatVector.fromArray(Gemm.F, sums, s + c0);
            for (int ox = ox0; ox < ox1; ox++) {
              int xi = in.index(b, iy, ox * sw + shift, c0);
              int di = ((b * out.h() + oy) * out.w() + ox) * group + m * channels + c0;
              acc =
                  FloatVector.fromArray(Gemm.F, x, xi)
                      .fma(FloatVector.fromArray(Gemm.F, dym, di), acc);
            }
            acc.intoArray(sums, s + c0);
          }
          for (int c = vc; c < channels; c++) {
            float acc = sums[s + c];
            for (int ox = ox0; ox < ox1; ox++) {
              int xi = in.index(b, iy, ox * sw + shift, c);
              acc += x[xi] * dym[((b * out.h() + oy) * out.w() + ox) * group + m * channels + c];
            }
            sums[s + c] = acc;
          }
        }
      }
    }
  }
}
