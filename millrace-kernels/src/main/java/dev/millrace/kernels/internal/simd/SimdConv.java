package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ConvKernels.Geometry;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/**
 * Conv2D forward as a GEMM over implicit im2col (the patch matrix is never stored: the packers
 * gather it). The GEMM orientation follows the data format so that the output is written in place
 * and the packing reads memory in its natural order:
 *
 * <ul>
 *   <li>NHWC: one GEMM over the whole batch, {@code out[pixels][oc] = patches[pixels][k] ·
 *       filter[k][oc]}; the filter (HWIO is already {@code [k][oc]}) is B, packed once; patch rows
 *       are gathered as runs of contiguous input channels. Where {@link #usesDirectNhwc} says so, a
 *       direct kernel reads the patches from a padded input instead of packing them.
 *   <li>NCHW: one GEMM per image, {@code out[oc][pixels] = filter^T[oc][k] · patches^T[k][pixels]};
 *       8 output pixels of a row read 8 contiguous input floats per tap, one vector load when in
 *       bounds; images are split over the threads.
 *   <li>1×1 filters with stride 1 and no padding skip im2col: the input already is the patch
 *       matrix.
 * </ul>
 *
 * The {@code k} index runs over (ky, kx, ic), the HWIO filter's row order, in both formats.
 */
public final class SimdConv {
  private SimdConv() {}

  /**
   * Output channels from which NHWC patches are packed k-major (see {@link #forward}). Measured on
   * the reference layers: row-major copies won clearly at 16 and 32 output channels and tied at 64;
   * MatMul with 1024 columns is faster k-major.
   */
  static final int KMAJOR_MIN_CHANNELS = 128;

  /** {@code act(conv * scale + bias)} per output channel; scale and bias may be null. */
  public static Tensor forward(
      Tensor input,
      Tensor filter,
      Geometry g,
      float[] scale,
      float[] bias,
      Gemm.Activation act,
      KernelThreads threads) {
    if (NchwViaNhwc.forwardPays(input, g)) {
      return NchwViaNhwc.forward(input, filter, g, scale, bias, act, threads);
    }
    Tensor out = Floats.toOverwrite(g.out().shape());
    float[] x = Floats.of(input);
    float[] f = Floats.of(filter);
    float[] y = Floats.array(out);
    int oc = g.filterOut();
    int k = g.kh() * g.kw() * g.in().c();
    if (g.in().format() == DataFormat.NHWC) {
      Gemm.Epilogue ep = new Gemm.Epilogue(scale, bias, false, act);
      if (usesDirectNhwc(g)) {
        DirectConvNhwc.forward(x, f, g, ep, y, threads);
        return out;
      }
      int pixels = g.out().n() * g.out().h() * g.out().w();
      // Few B panels (output channels) amortise little packing: copy rows into row-major panels.
      // Many amortise the strided stores of k-major panels, whose micro-kernel is faster.
      boolean copies = oc < KMAJOR_MIN_CHANNELS;
      Gemm.PackA patches =
          isPointwise(g)
              ? (copies ? Packers.rowMajor(x, 0, g.in().c()) : Packers.a(x, 0, g.in().c(), 1))
              : (copies ? new NhwcPatches(x, g) : new NhwcPatchesKMajor(x, g));
      Gemm.gemm(pixels, oc, k, patches, Packers.b(f, 0, oc, 1), y, 0, oc, false, ep, threads);
      return out;
    }
    Gemm.Epilogue ep = new Gemm.Epilogue(scale, bias, true, act);
    int images = g.in().n();
    int outPlane = g.out().h() * g.out().w();
    int inImage = g.in().c() * g.in().h() * g.in().w();
    Gemm.PackA filterT = Packers.a(f, 0, 1, oc);
    // One task per image, claimed by free threads (balance); one image alone splits its GEMM.
    int tasks = threads.parallelism() > 1 && images > 1 ? images : 1;
    KernelThreads inner = tasks > 1 ? KernelThreads.inline() : threads;
    forEachImage(
        images,
        tasks,
        threads,
        (task, b) -> {
          Gemm.PackB patches =
              isPointwise(g)
                  ? Packers.b(x, b * inImage, g.in().h() * g.in().w(), 1)
                  : new NchwPatches(x, b * inImage, g);
          Gemm.gemm(
              oc, outPlane, k, filterT, patches, y, b * oc * outPlane, outPlane, false, ep, inner);
        });
    return out;
  }

  /**
   * Whether an NHWC convolution runs the direct kernel ({@link DirectConvNhwc}) rather than the
   * GEMM over implicit im2col: not pointwise (that one needs no im2col at all), fewer than {@link
   * #KMAJOR_MIN_CHANNELS} output channels (where the GEMM packs row-major panels, the copies the
   * direct kernel saves; it was measured on 16–64 output channels only) and {@code strideW · c} of
   * 16, 32 or 64 (the kernels' compile-time pixel steps), or a 3- or 5-wide filter at stride 1 (its
   * input-stationary tiles take any channel count: ResNet's 3→16 3×3 first layer left the GEMM 2.8×
   * faster, the tutorial CNN's 1→32 5×5 one about 3× at 512 bits and 2× at 256). Measured on batch
   * 32, 3×3 SAME layers against the GEMM in the same process, with the direct kernel's 12×8 tiles:
   * 16→16 32×32 1.5×, 16→32 stride 2 1.16×, 32→32 16×16 and 64→64 8×8 1.10× faster; its 4×16 tiles
   * (for each 16 output channels) then made it 13–19 % faster again. Other channel counts keep the
   * GEMM.
   */
  static boolean usesDirectNhwc(Geometry g) {
    return !isPointwise(g) && g.filterOut() < KMAJOR_MIN_CHANNELS && DirectConvNhwc.handles(g);
  }

  /** A 1×1 filter, stride 1, no padding: output pixel i reads input pixel i only. */
  static boolean isPointwise(Geometry g) {
    return g.kh() == 1
        && g.kw() == 1
        && g.spec().strideH() == 1
        && g.spec().strideW() == 1
        && g.rows().padBefore() == 0
        && g.cols().padBefore() == 0
        && g.out().h() == g.in().h()
        && g.out().w() == g.in().w();
  }

  /** Work on one image by one of the tasks of {@link #forEachImage}. */
  @FunctionalInterface
  interface ImageBody {
    void run(int task, int image);
  }

  /** Runs {@code body} for images {@code [0, images)}, split into {@code tasks} contiguous runs. */
  static void forEachImage(int images, int tasks, KernelThreads threads, ImageBody body) {
    if (tasks <= 1) {
      for (int b = 0; b < images; b++) {
        body.run(0, b);
      }
      return;
    }
    threads.parallelFor(
        tasks,
        t -> {
          for (int b = images * t / tasks; b < images * (t + 1) / tasks; b++) {
            body.run(t, b);
          }
        });
  }

  /**
   * One tap of one output pixel of an NHWC image: its {@code c} input channels, at {@code src} in
   * the image array, or {@code -1} in padding; {@code p} is the patch column of channel 0.
   */
  @FunctionalInterface
  interface NhwcRun {
    void accept(int pixel, int p, int src, int run);
  }

  /** Visits every (output pixel, tap) of one NHWC image starting at {@code imageOff}. */
  static void forEachNhwcRun(Geometry g, int imageOff, NhwcRun visit) {
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
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int pixel = oy * ow + ox;
        for (int ky = 0; ky < g.kh(); ky++) {
          int iy = oy * sh - top + ky * dh;
          for (int kx = 0; kx < g.kw(); kx++) {
            int ix = ox * sw - left + kx * dw;
            int p = (ky * g.kw() + kx) * c;
            boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            visit.accept(pixel, p, inside ? imageOff + (iy * w + ix) * c : -1, c);
          }
        }
      }
    }
  }

  /**
   * Patch rows of an NHWC input: row {@code i} is output pixel (b, oy, ox), column {@code p} is
   * filter tap (ky, kx) and input channel ic, {@code p = (ky * kw + kx) * c + ic}; zero in padding.
   * Written as row-major panels: each tap of a pixel is one contiguous run of channels, copied.
   */
  record NhwcPatches(float[] x, Geometry g) implements Gemm.PackA {
    @Override
    public Gemm.Layout layout() {
      return Gemm.Layout.ROW_MAJOR;
    }

    /**
     * Copies {@code n} floats of {@code x} from {@code s} (zeros if s < 0) to row r at depth kk.
     */
    private void put(float[] dst, int dOff, int r, int kk, int s, int n, int mr) {
      int d = dOff + r * Gemm.KCS + kk;
      if (s < 0) {
        java.util.Arrays.fill(dst, d, d + n, 0f);
      } else {
        Packers.copy(x, s, dst, d, n);
      }
    }

    @Override
    public void pack(float[] dst, int dOff, int i0, int rows, int p0, int kc, int mr) {
      int c = g.in().c();
      int h = g.in().h();
      int w = g.in().w();
      int oh = g.out().h();
      int ow = g.out().w();
      int kw = g.kw();
      int sh = g.spec().strideH();
      int sw = g.spec().strideW();
      int dh = g.spec().dilationH();
      int dw = g.spec().dilationW();
      int top = (int) g.rows().padBefore();
      int left = (int) g.cols().padBefore();
      int end = p0 + kc;
      for (int r = 0; r < rows; r++) {
        int pixel = i0 + r;
        int b = pixel / (oh * ow);
        int rem = pixel - b * oh * ow;
        int oy = rem / ow;
        int ox = rem - oy * ow;
        int y0 = oy * sh - top;
        int x0 = ox * sw - left;
        int imageBase = b * h * w * c;
        if (p0 == 0 && kc == g.kh() * kw * c && dw == 1) {
          // The whole depth, undilated columns: the kw taps of a filter row are adjacent pixels,
          // one contiguous run of kw * c floats, clipped to the image (zeros outside).
          int lo = Math.max(0, -x0);
          int hi = Math.min(kw, w - x0);
          for (int ky = 0; ky < g.kh(); ky++) {
            int iy = y0 + ky * dh;
            int d = ky * kw * c;
            if (iy < 0 || iy >= h || lo >= hi) {
              put(dst, dOff, r, d, -1, kw * c, mr);
              continue;
            }
            put(dst, dOff, r, d, -1, lo * c, mr);
            put(dst, dOff, r, d + lo * c, imageBase + (iy * w + x0 + lo) * c, (hi - lo) * c, mr);
            put(dst, dOff, r, d + hi * c, -1, (kw - hi) * c, mr);
          }
          continue;
        }
        int p = p0;
        int tap = p / c;
        int ic = p - tap * c;
        int ky = tap / kw;
        int kx = tap - ky * kw;
        while (p < end) {
          int run = Math.min(c - ic, end - p);
          int iy = y0 + ky * dh;
          int ix = x0 + kx * dw;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
            put(dst, dOff, r, p - p0, imageBase + (iy * w + ix) * c + ic, run, mr);
          } else {
            put(dst, dOff, r, p - p0, -1, run, mr);
          }
          p += run;
          ic = 0;
          if (++kx == kw) {
            kx = 0;
            ky++;
          }
        }
      }
      Packers.zeroRowsRowMajor(dst, dOff, rows, kc, mr);
    }
  }

  /** {@link NhwcPatches} written k-major: one strided store per element. */
  record NhwcPatchesKMajor(float[] x, Geometry g) implements Gemm.PackA {
    @Override
    public void pack(float[] dst, int dOff, int i0, int rows, int p0, int kc, int mr) {
      int c = g.in().c();
      int h = g.in().h();
      int w = g.in().w();
      int oh = g.out().h();
      int ow = g.out().w();
      int kw = g.kw();
      int sh = g.spec().strideH();
      int sw = g.spec().strideW();
      int dh = g.spec().dilationH();
      int dw = g.spec().dilationW();
      int top = (int) g.rows().padBefore();
      int left = (int) g.cols().padBefore();
      int end = p0 + kc;
      for (int r = 0; r < rows; r++) {
        int pixel = i0 + r;
        int b = pixel / (oh * ow);
        int rem = pixel - b * oh * ow;
        int oy = rem / ow;
        int ox = rem - oy * ow;
        int y0 = oy * sh - top;
        int x0 = ox * sw - left;
        int imageBase = b * h * w * c;
        int p = p0;
        int tap = p / c;
        int ic = p - tap * c;
        int ky = tap / kw;
        int kx = tap - ky * kw;
        while (p < end) {
          int run = Math.min(c - ic, end - p);
          int iy = y0 + ky * dh;
          int ix = x0 + kx * dw;
          int d = dOff + (p - p0) * mr + r;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
            int src = imageBase + (iy * w + ix) * c + ic;
            for (int q = 0; q < run; q++) {
              dst[d + q * mr] = x[src + q];
            }
          } else {
            for (int q = 0; q < run; q++) {
              dst[d + q * mr] = 0f;
            }
          }
          p += run;
          ic = 0;
          if (++kx == kw) {
            kx = 0;
            ky++;
          }
        }
      }
      Packers.zeroRows(dst, dOff, rows, kc, mr);
    }
  }

  /**
   * Transposed patches of one NCHW image: row {@code p} is (ky, kx, ic) as above, column {@code j}
   * is output pixel (oy, ox) of the image. They are read from a padded copy of the image whose
   * columns are split into {@code strideW} phases ({@code [c][hp][phase][wq]}, column {@code ix} in
   * phase {@code ix % sw} at {@code ix / sw}), so that 8 output pixels of a row read 8 contiguous
   * floats per tap at any stride, with no bounds checks: one vector copy.
   */
  static final class NchwPatches implements Gemm.PackB {
    private final float[] xp;
    private final Geometry g;
    private final int channelStride;
    private final int rowStride;
    private final int[] tapOffset;

    NchwPatches(float[] x, int imageOff, Geometry g) {
      this.g = g;
      int c = g.in().c();
      int h = g.in().h();
      int w = g.in().w();
      int sh = g.spec().strideH();
      int sw = g.spec().strideW();
      int dh = g.spec().dilationH();
      int dw = g.spec().dilationW();
      int top = (int) g.rows().padBefore();
      int left = (int) g.cols().padBefore();
      int hp = Math.max(top + h, (g.out().h() - 1) * sh + (g.kh() - 1) * dh + 1);
      int wp = Math.max(left + w, (g.out().w() - 1) * sw + (g.kw() - 1) * dw + 1);
      int wq = (wp + sw - 1) / sw;
      rowStride = sw * wq;
      channelStride = hp * rowStride;
      xp = Scratch.padded(c * channelStride);
      for (int ic = 0; ic < c; ic++) {
        for (int iyp = 0; iyp < hp; iyp++) {
          int iy = iyp - top;
          int row = ic * channelStride + iyp * rowStride;
          if (iy < 0 || iy >= h) {
            java.util.Arrays.fill(xp, row, row + rowStride, 0f);
            continue;
          }
          int src = imageOff + (ic * h + iy) * w;
          if (sw == 1) {
            java.util.Arrays.fill(xp, row, row + left, 0f);
            System.arraycopy(x, src, xp, row + left, w);
            java.util.Arrays.fill(xp, row + left + w, row + rowStride, 0f);
          } else {
            for (int phase = 0; phase < sw; phase++) {
              int d = row + phase * wq;
              for (int col = 0, ix = phase - left; col < wq; col++, ix += sw) {
                xp[d + col] = ix >= 0 && ix < w ? x[src + ix] : 0f;
              }
            }
          }
        }
      }
      tapOffset = new int[g.kh() * g.kw()];
      for (int ky = 0; ky < g.kh(); ky++) {
        for (int kx = 0; kx < g.kw(); kx++) {
          int ixp = kx * dw;
          tapOffset[ky * g.kw() + kx] = ky * dh * rowStride + (ixp % sw) * wq + ixp / sw;
        }
      }
    }

    @Override
    public void pack(float[] dst, int dOff, int j0, int cols, int p0, int kc) {
      int c = g.in().c();
      int ow = g.out().w();
      int sh = g.spec().strideH();
      int oy0 = j0 / ow;
      int ox0 = j0 - oy0 * ow;
      int tap = p0 / c;
      int ic = p0 - tap * c;
      if (cols == Gemm.NR && ox0 + Gemm.NR <= ow) {
        // Eight pixels of one output row: one vector copy per (tap, channel).
        int base = oy0 * sh * rowStride + ox0;
        for (int kk = 0; kk < kc; kk++) {
          FloatVector.fromArray(Gemm.F, xp, base + ic * channelStride + tapOffset[tap])
              .intoArray(dst, dOff + kk * Gemm.NR);
          if (++ic == c) {
            ic = 0;
            tap++;
          }
        }
        return;
      }
      int[] pixelBase = new int[Gemm.NR];
      for (int l = 0; l < Gemm.NR; l++) {
        int q = Math.min(j0 + l, j0 + cols - 1);
        int oy = q / ow;
        pixelBase[l] = oy * sh * rowStride + (q - oy * ow);
      }
      for (int kk = 0; kk < kc; kk++) {
        int d = dOff + kk * Gemm.NR;
        int off = ic * channelStride + tapOffset[tap];
        for (int l = 0; l < Gemm.NR; l++) {
          dst[d + l] = l < cols ? xp[pixelBase[l] + off] : 0f;
        }
        if (++ic == c) {
          ic = 0;
          tap++;
        }
      }
    }
  }
}
