package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ConvKernels.Geometry;
import dev.millrace.kernels.internal.ImageLayout;
import jdk.incubator.vector.FloatVector;

/**
 * Depthwise convolution and its gradients in NCHW, 8 output columns per vector. Input channel
 * {@code c} of image {@code b} is one plane; it is copied into {@link PhasedRows} (zero padding
 * columns, stride phases), so that every tap of 8 neighbouring output columns is one contiguous
 * load whatever the stride, padding and dilation; rows outside the input are skipped. Each filter
 * tap is a broadcast scalar. The input gradient scatters into a phased plane the same way and
 * copies its input columns out; the filter gradient keeps a vector of partial sums per tap.
 */
final class DepthwiseNchw {
  private DepthwiseNchw() {}

  /** The per-call constants of one convolution. */
  private record Plan(Geometry g, PhasedRows rows, int[] tapOffsets, int outRow) {
    static Plan of(Geometry g) {
      PhasedRows rows =
          PhasedRows.of(
              g.in().w(),
              g.out().w(),
              g.kw(),
              g.spec().strideW(),
              g.spec().dilationW(),
              (int) g.cols().padBefore());
      int[] offsets = new int[g.kw()];
      for (int kx = 0; kx < g.kw(); kx++) {
        offsets[kx] = rows.tapOffset(kx, g.spec().dilationW());
      }
      return new Plan(g, rows, offsets, PhasedRows.roundUp(g.out().w()));
    }

    /** The input row of output row {@code oy} and tap row {@code ky}, or -1 in the padding. */
    int inputRow(int oy, int ky) {
      int iy = oy * g.spec().strideH() - (int) g.rows().padBefore() + ky * g.spec().dilationH();
      return iy >= 0 && iy < g.in().h() ? iy : -1;
    }

    int planeFloats() {
      return g.in().h() * rows.rowLength();
    }

    /** Filter taps {@code [ky][kx]} of input channel c, multiplier m. */
    void taps(float[] f, int c, int m, float[] out) {
      int cm = g.in().c() * g.filterOut();
      for (int t = 0; t < g.kh() * g.kw(); t++) {
        out[t] = f[t * cm + c * g.filterOut() + m];
      }
    }
  }

  static void forward(float[] x, float[] f, float[] y, Geometry g, KernelThreads threads) {
    Plan p = Plan.of(g);
    ImageLayout in = g.in();
    ImageLayout out = g.out();
    int multiplier = g.filterOut();
    long work = (long) out.size() * g.kh() * g.kw();
    IntRange.split(
        in.n() * in.c(),
        IntRange.tasksFor(work, threads),
        threads,
        (task, p0, p1) -> {
          float[] plane = Scratch.padded(p.planeFloats());
          float[] taps = new float[g.kh() * g.kw()];
          for (int plane0 = p0; plane0 < p1; plane0++) {
            int b = plane0 / in.c();
            int c = plane0 % in.c();
            p.rows().load(x, in.index(b, 0, 0, c), in.h(), plane);
            for (int m = 0; m < multiplier; m++) {
              p.taps(f, c, m, taps);
              int dst = out.index(b, 0, 0, c * multiplier + m);
              for (int oy = 0; oy < out.h(); oy++) {
                forwardRow(p, plane, taps, oy, y, dst + oy * out.w());
              }
            }
          }
        });
  }

  /**
   * One output row: two vectors at a time for two independent FMA chains, then one, then a tail.
   */
  private static void forwardRow(Plan p, float[] plane, float[] taps, int oy, float[] y, int dst) {
    int width = p.g().out().w();
    int ox = 0;
    for (; ox + 2 * Gemm.NR <= width; ox += 2 * Gemm.NR) {
      FloatVector a0 = FloatVector.zero(Gemm.F);
      FloatVector a1 = a0;
      for (int ky = 0; ky < p.g().kh(); ky++) {
        int iy = p.inputRow(oy, ky);
        if (iy < 0) {
          continue;
        }
        int row = iy * p.rows().rowLength() + ox;
        for (int kx = 0; kx < p.g().kw(); kx++) {
          FloatVector w = FloatVector.broadcast(Gemm.F, taps[ky * p.g().kw() + kx]);
          int at = row + p.tapOffsets()[kx];
          a0 = FloatVector.fromArray(Gemm.F, plane, at).fma(w, a0);
          a1 = FloatVector.fromArray(Gemm.F, plane, at + Gemm.NR).fma(w, a1);
        }
      }
      a0.intoArray(y, dst + ox);
      a1.intoArray(y, dst + ox + Gemm.NR);
    }
    for (; ox < width; ox += Gemm.NR) {
      FloatVector a = FloatVector.zero(Gemm.F);
      for (int ky = 0; ky < p.g().kh(); ky++) {
        int iy = p.inputRow(oy, ky);
        if (iy < 0) {
          continue;
        }
        int row = iy * p.rows().rowLength() + ox;
        for (int kx = 0; kx < p.g().kw(); kx++) {
          FloatVector w = FloatVector.broadcast(Gemm.F, taps[ky * p.g().kw() + kx]);
          a = FloatVector.fromArray(Gemm.F, plane, row + p.tapOffsets()[kx]).fma(w, a);
        }
      }
      if (ox + Gemm.NR <= width) {
        a.intoArray(y, dst + ox);
      } else {
        a.intoArray(y, dst + ox, Gemm.F.indexInRange(ox, width));
      }
    }
  }

  static void backpropInput(float[] f, float[] dy, float[] dx, Geometry g, KernelThreads threads) {
    Plan p = Plan.of(g);
    ImageLayout in = g.in();
    ImageLayout out = g.out();
    int multiplier = g.filterOut();
    long work = (long) out.size() * g.kh() * g.kw();
    IntRange.split(
        in.n() * in.c(),
        IntRange.tasksFor(work, threads),
        threads,
        (task, p0, p1) -> {
          float[] plane = Scratch.padded(p.planeFloats());
          float[] row = Scratch.columns(p.outRow());
          float[] taps = new float[g.kh() * g.kw()];
          for (int plane0 = p0; plane0 < p1; plane0++) {
            int b = plane0 / in.c();
            int c = plane0 % in.c();
            java.util.Arrays.fill(plane, 0, p.planeFloats(), 0f);
            for (int m = 0; m < multiplier; m++) {
              p.taps(f, c, m, taps);
              int src = out.index(b, 0, 0, c * multiplier + m);
              for (int oy = 0; oy < out.h(); oy++) {
                paddedRow(dy, src + oy * out.w(), out.w(), row);
                scatterRow(p, plane, taps, oy, row);
              }
            }
            p.rows().store(plane, in.h(), dx, in.index(b, 0, 0, c));
          }
        });
  }

  /** {@code width} floats of {@code src} into {@code row}, zeros up to the next whole vector. */
  private static void paddedRow(float[] src, int from, int width, float[] row) {
    System.arraycopy(src, from, row, 0, width);
    java.util.Arrays.fill(row, width, PhasedRows.roundUp(width), 0f);
  }

  /** Adds output-gradient row {@code oy} times each tap to the phased input-gradient plane. */
  private static void scatterRow(Plan p, float[] plane, float[] taps, int oy, float[] row) {
    int width = p.outRow();
    for (int ky = 0; ky < p.g().kh(); ky++) {
      int iy = p.inputRow(oy, ky);
      if (iy < 0) {
        continue;
      }
      int base = iy * p.rows().rowLength();
      for (int kx = 0; kx < p.g().kw(); kx++) {
        FloatVector w = FloatVector.broadcast(Gemm.F, taps[ky * p.g().kw() + kx]);
        int at = base + p.tapOffsets()[kx];
        for (int ox = 0; ox < width; ox += Gemm.NR) {
          FloatVector.fromArray(Gemm.F, row, ox)
              .fma(w, FloatVector.fromArray(Gemm.F, plane, at + ox))
              .intoArray(plane, at + ox);
        }
      }
    }
  }

  /**
   * The filter gradient: channels are split over the threads, so each filter element has one
   * writer; per tap, 8 lanes of partial sums run over every image and row, and are added up at the
   * end of the channel.
   */
  static void backpropFilter(float[] x, float[] dy, float[] df, Geometry g, KernelThreads threads) {
    Plan p = Plan.of(g);
    ImageLayout in = g.in();
    ImageLayout out = g.out();
    int multiplier = g.filterOut();
    int taps = g.kh() * g.kw();
    long work = (long) out.size() * taps;
    IntRange.split(
        in.c(),
        IntRange.tasksFor(work, threads),
        threads,
        (task, c0, c1) -> {
          float[] plane = Scratch.padded(p.planeFloats());
          float[] row = Scratch.columns(p.outRow());
          float[] sums = new float[multiplier * taps * Gemm.NR];
          for (int c = c0; c < c1; c++) {
            java.util.Arrays.fill(sums, 0f);
            for (int b = 0; b < in.n(); b++) {
              p.rows().load(x, in.index(b, 0, 0, c), in.h(), plane);
              for (int m = 0; m < multiplier; m++) {
                int src = out.index(b, 0, 0, c * multiplier + m);
                for (int oy = 0; oy < out.h(); oy++) {
                  paddedRow(dy, src + oy * out.w(), out.w(), row);
                  accumulateRow(p, plane, row, oy, sums, m * taps * Gemm.NR);
                }
              }
            }
            int cm = in.c() * multiplier;
            for (int m = 0; m < multiplier; m++) {
              for (int t = 0; t < taps; t++) {
                float s = 0f;
                for (int lane = 0; lane < Gemm.NR; lane++) {
                  s += sums[(m * taps + t) * Gemm.NR + lane];
                }
                df[t * cm + c * multiplier + m] = s;
              }
            }
          }
        });
  }

  /** Adds, per tap, the products of output-gradient row {@code oy} with its input row's taps. */
  private static void accumulateRow(
      Plan p, float[] plane, float[] row, int oy, float[] sums, int sumBase) {
    int width = p.outRow();
    for (int ky = 0; ky < p.g().kh(); ky++) {
      int iy = p.inputRow(oy, ky);
      if (iy < 0) {
        continue;
      }
      int base = iy * p.rows().rowLength();
      for (int kx = 0; kx < p.g().kw(); kx++) {
        int s = sumBase + (ky * p.g().kw() + kx) * Gemm.NR;
        FloatVector acc = FloatVector.fromArray(Gemm.F, sums, s);
        int at = base + p.tapOffsets()[kx];
        for (int ox = 0; ox < width; ox += Gemm.NR) {
          acc =
              FloatVector.fromArray(Gemm.F, plane, at + ox)
                  .fma(FloatVector.fromArray(Gemm.F, row, ox), acc);
        }
        acc.intoArray(sums, s);
      }
    }
  }
}
