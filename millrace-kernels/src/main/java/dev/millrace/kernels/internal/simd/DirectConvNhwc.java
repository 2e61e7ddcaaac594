package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ConvKernels.Geometry;
import java.util.Arrays;

/**
 * Direct NHWC convolution: no patch matrix, packed or not. A band of output rows of one image is
 * computed from a zero-padded copy of the input rows it reads (copied once per band, so no bounds
 * checks and no padding branches remain); a tile of output pixels of one output row then reads, for
 * each filter row, one run of {@code kw · c} contiguous floats per pixel, the runs of neighbouring
 * pixels being {@code strideW · c} apart. Output channels go 16 at a time to tiles of 4 pixels × 16
 * channels ({@link WideConvMicroKernels}: 6 loads per 8 FMAs; with 512-bit vectors the panels are
 * 32 wide and stride-1 rows also use 6-pixel tiles, {@link WideConvMicroKernels#heights}); the
 * fewer than 16 left over go 8 at a time to tiles of 12 or 8 pixels × 8 channels ({@link
 * ConvMicroKernels}: 13 loads per 12 FMAs, load-bound). The filter is packed once per call into
 * {@code [k][16]} panels, then the GEMM's {@code [k][8]} panels for the leftover channels, shared
 * by the threads; bands are claimed by free threads. 3- and 5-wide filters at stride 1 use the
 * input-stationary tiles of {@link TapRowKernels} instead, from a row-planar copy of the band: for
 * every panel where no step tile exists (any input channel count then has a direct kernel), for the
 * narrow ones also where they measured faster than the step tiles ({@link #narrowTapsBeatSteps}). A
 * band computes one panel over all its rows before the next, so the panel ({@code 4 · 16 · k}
 * bytes) stays in L1 or close to it (36 KiB at 64 input channels).
 *
 * <p>Against the GEMM over implicit im2col this saves copying every patch ({@code kh · kw} times
 * the input for stride 1) into packed panels; the price is one padded copy of the input and the
 * broadcast streams of the GEMM's row-major panels. Measured on batch 32, 3×3 SAME layers (1
 * thread, same process): with the 8-wide tiles only, 16→16 32×32 1.5×, 16→32 stride 2 1.16×, 32→32
 * 16×16 1.10×, 64→64 8×8 1.10× faster than the GEMM; the 16-wide tiles then took medians 1.38 →
 * 1.12 ms (16→32 s2), 2.28 → 1.91 (32→32) and 2.12 → 1.83 (64→64), interleaved in one process.
 */
final class DirectConvNhwc {
  private final float[] x;
  private final Geometry g;
  private final Gemm.Epilogue ep;
  private final float[] y;
  private final int c;
  private final int oc;
  private final int depth;

  /** Floats per padded input row ({@code paddedWidth · c}). */
  private final int rowFloats;

  /** Floats between the patches of horizontally adjacent output pixels. */
  private final int pixelStep;

  /** Start of each contiguous run of a patch, relative to the patch's first float. */
  private final int[] segOff;

  private final int segLen;
  private final RowTiles tiles;

  /** Heights of the wide tiles that cut an output row, left to right. */
  private final int[] wideHeights;

  /** Leading 16-channel panels, computed by the wide kernels; the rest use 8-channel panels. */
  private final int widePanels;

  /** The filter: {@link #widePanels} {@code [k][16]} panels, then {@code [k][8]} panels. */
  private final float[] filter;

  /**
   * Whether the filter is one {@link TapRowKernels} compute (3 or 5 wide, stride 1, undilated).
   * Then {@link #tapXs} holds each (filter row, input channel) pair's plane offset in the
   * row-planar copy, {@link #tapWs} and {@link #tapWideWs} its first filter vector in a narrow or
   * wide panel.
   */
  private final boolean tapRows;

  /**
   * Which panels run the tap tiles: the narrow ones where no step tile exists or {@link
   * #narrowTapsBeatSteps}, the wide ones only where no step tile exists (the step tiles measured
   * faster, 3×3 32→32 at 16×16: 1.50 against 1.70 ms; 5×5 32→64 at 14×14, batch 128: 24 against 28
   * ms, the tap tiles computing 16 pixels for 14). Where neither a step tile nor a wide tap tile
   * exists (5-wide filters below 512 bits) every panel is narrow. {@link #stepTiles}: some panel
   * runs a step tile, which reads the padded NHWC band.
   */
  private final boolean wideTaps;

  private final boolean narrowTaps;
  private final boolean stepTiles;

  private final int[] tapXs;
  private final int[] tapWs;
  private final int[] tapWideWs;
  private final int[] tapHeights;

  /** Padded input width: floats per channel plane of the row-planar copy. */
  private final int paddedWidth;

  /** Per output row, the filter rows it takes: those that read real input rows. */
  private final RowTaps[] rowTaps;

  /**
   * The runs ({@link #segOff}) and tap pairs ({@link #tapXs}, {@link #tapWs}, {@link #tapWideWs})
   * of filter rows {@code [ky0, ky1)}, and the filter's first step of k among them ({@code ky0 · kw
   * · c}). An output row near the top or bottom edge leaves out the filter rows that would read the
   * band's zero padding: the same sums but for products with zero, and 8.6 % fewer multiply-adds
   * for a 5×5 filter at 14×14.
   */
  private record RowTaps(int[] segOff, int firstK, int[] tapXs, int[] tapWs, int[] tapWideWs) {}

  /** The most floats of padded input per band (256 KiB: half of Zen 3's L2). */
  static final int MAX_BAND_FLOATS = 1 << 16;

  private DirectConvNhwc(float[] x, float[] f, Geometry g, Gemm.Epilogue ep, float[] y) {
    this.x = x;
    this.g = g;
    this.ep = ep == null || ep.isIdentity() ? null : ep;
    this.y = y;
    c = g.in().c();
    oc = g.filterOut();
    depth = g.kh() * g.kw() * c;
    int sw = g.spec().strideW();
    int dh = g.spec().dilationH();
    int dw = g.spec().dilationW();
    int left = (int) g.cols().padBefore();
    paddedWidth = Math.max(left + g.in().w(), (g.out().w() - 1) * sw + (g.kw() - 1) * dw + 1);
    rowFloats = paddedWidth * c;
    pixelStep = sw * c;
    if (dw == 1) {
      // The kw taps of a filter row are adjacent pixels: one run of kw * c floats.
      segLen = g.kw() * c;
      segOff = new int[g.kh()];
      for (int ky = 0; ky < g.kh(); ky++) {
        segOff[ky] = ky * dh * rowFloats;
      }
    } else {
      segLen = c;
      segOff = new int[g.kh() * g.kw()];
      for (int ky = 0; ky < g.kh(); ky++) {
        for (int kx = 0; kx < g.kw(); kx++) {
          segOff[ky * g.kw() + kx] = ky * dh * rowFloats + kx * dw * c;
        }
      }
    }
    tiles = RowTiles.of(g.out().w());
    tapRows = tapRowsFit(g);
    int pairs = tapRows ? g.kh() * c : 0;
    tapXs = new int[pairs];
    tapWs = new int[pairs];
    tapWideWs = new int[pairs];
    for (int ky = 0; ky < g.kh() && tapRows; ky++) {
      for (int ci = 0; ci < c; ci++) {
        tapXs[ky * c + ci] = ky * dh * rowFloats + ci * paddedWidth;
        tapWs[ky * c + ci] = (ky * g.kw() * c + ci) * Gemm.NR;
        tapWideWs[ky * c + ci] = (ky * g.kw() * c + ci) * WIDE;
      }
    }
    rowTaps = rowTaps(g, dw == 1 ? 1 : g.kw());
    tapHeights = TapRowKernels.heights(g.out().w());
    wideHeights = WideConvMicroKernels.heights(g.out().w(), g.spec().strideW());
    boolean noStep = !ConvMicroKernels.hasStep(pixelStep);
    wideTaps = tapRows && noStep && TapRowKernels.hasWide(g.kw());
    // Without a wide kernel of either kind every panel is a narrow one.
    widePanels = tapRows && noStep && !wideTaps ? 0 : oc / WIDE;
    boolean hasNarrow = widePanels * WIDE < oc;
    narrowTaps = tapRows && hasNarrow && (noStep || narrowTapsBeatSteps(g.kw()));
    stepTiles = (widePanels > 0 && !wideTaps) || (hasNarrow && !narrowTaps);
    int wideFloats = widePanels * depth * WIDE;
    int narrow = (oc - widePanels * WIDE + Gemm.NR - 1) / Gemm.NR;
    filter = Scratch.packedB(wideFloats + narrow * depth * Gemm.NR);
    for (int q = 0; q < widePanels; q++) {
      packWide(f, q * WIDE, filter, q * depth * WIDE);
    }
    Gemm.PackB packer = Packers.b(f, 0, oc, 1);
    for (int q = 0; q < narrow; q++) {
      int j0 = widePanels * WIDE + q * Gemm.NR;
      packer.pack(
          filter, wideFloats + q * depth * Gemm.NR, j0, Math.min(Gemm.NR, oc - j0), 0, depth);
    }
  }

  private static final int WIDE = WideConvMicroKernels.WIDTH;

  /** {@link RowTaps} of each output row; rows that take the same filter rows share one. */
  private RowTaps[] rowTaps(Geometry g, int segsPerFilterRow) {
    int kh = g.kh();
    int dh = g.spec().dilationH();
    int sh = g.spec().strideH();
    int top = (int) g.rows().padBefore();
    int h = g.in().h();
    RowTaps[] byRange = new RowTaps[(kh + 1) * (kh + 1)];
    RowTaps[] byRow = new RowTaps[g.out().h()];
    for (int oy = 0; oy < byRow.length; oy++) {
      int first = oy * sh - top; // the input row of filter row 0
      int ky0 = InsideRange.from(first, dh, kh);
      int ky1 = Math.max(ky0, InsideRange.to(first, dh, h, kh));
      int key = ky0 * (kh + 1) + ky1;
      if (byRange[key] == null) {
        byRange[key] =
            new RowTaps(
                slice(segOff, ky0 * segsPerFilterRow, ky1 * segsPerFilterRow),
                ky0 * g.kw() * c,
                slice(tapXs, ky0 * c, ky1 * c),
                slice(tapWs, ky0 * c, ky1 * c),
                slice(tapWideWs, ky0 * c, ky1 * c));
      }
      byRow[oy] = byRange[key];
    }
    return byRow;
  }

  /** {@code a[from, to)}, both clamped to {@code a}'s length (the tap arrays may be empty). */
  private static int[] slice(int[] a, int from, int to) {
    return Arrays.copyOfRange(a, Math.min(a.length, from), Math.min(a.length, to));
  }

  private static final boolean TAP_ROWS =
      !"false".equals(System.getProperty("millrace.conv.tapRows"));

  /**
   * Whether the narrow tap tiles beat the 12- and 8-pixel step tiles where both exist: for 3-wide
   * filters; for 5-wide ones at 512 bits (32→16 at 14×14, batch 128, 1 thread: 7.6 against 9.5 ms;
   * 16→24 at 28×28: 28.8 against 33.3) but not at 256 (16→8 at 28×28: 9.3 against 8.3 ms, the
   * 8-pixel tap tiles computing 32 pixels where 12 + 8 + 8 cut the 28 exactly).
   */
  private static boolean narrowTapsBeatSteps(int kw) {
    return kw == 3 || Gemm.NR >= 16;
  }

  /**
   * Channels {@code [j0, j0 + 16)} of the HWIO filter ({@code [k][oc]}) as a {@code [k][16]} panel.
   */
  private void packWide(float[] f, int j0, float[] panel, int at) {
    for (int k = 0; k < depth; k++) {
      System.arraycopy(f, k * oc + j0, panel, at + k * WIDE, WIDE);
    }
  }

  /**
   * Whether the direct kernel handles {@code g} (NHWC, padding before each axis not negative): its
   * pixel step has tiles, or its filter is one {@link TapRowKernels} compute, which take any input
   * channel count (the first layer's 3, say).
   */
  static boolean handles(Geometry g) {
    return g.rows().padBefore() >= 0
        && g.cols().padBefore() >= 0
        && (ConvMicroKernels.hasStep(g.spec().strideW() * g.in().c()) || tapRowsFit(g));
  }

  /** 3- and 5-wide filters at stride 1, undilated: what {@link TapRowKernels} compute. */
  private static boolean tapRowsFit(Geometry g) {
    return TAP_ROWS
        && TapRowKernels.computes(g.kw())
        && g.spec().strideW() == 1
        && g.spec().dilationW() == 1;
  }

  /** {@code y = act(conv(x, f) * scale + bias)}, y being the zeroed or garbage NHWC output. */
  static void forward(
      float[] x, float[] f, Geometry g, Gemm.Epilogue ep, float[] y, KernelThreads threads) {
    int images = g.out().n();
    int oh = g.out().h();
    if (images == 0 || oh == 0 || g.out().w() == 0 || g.filterOut() == 0) {
      return;
    }
    DirectConvNhwc conv = new DirectConvNhwc(x, f, g, ep, y);
    long flops = 2L * images * oh * g.out().w() * g.filterOut() * conv.depth;
    int workers = flops < 1 << 21 ? 1 : threads.parallelism();
    // Whole images when there are enough of them to balance; else bands of rows (each band pads
    // the kh - stride input rows it shares with its neighbours again). Bands are also cut so that
    // the padded copy stays in L2.
    int wanted = Gemm.TASKS_PER_THREAD * workers;
    int bands = workers == 1 ? 1 : Math.min(oh, (wanted + images - 1) / images);
    int rowsInL2 = Math.max(1, MAX_BAND_FLOATS / (conv.rowFloats * g.spec().strideH()));
    int bandHeight = Math.min(rowsInL2, (oh + bands - 1) / bands);
    int bandsPerImage = (oh + bandHeight - 1) / bandHeight;
    int tasks = images * bandsPerImage;
    if (workers == 1) {
      for (int t = 0; t < tasks; t++) {
        int oy0 = t % bandsPerImage * bandHeight;
        conv.band(t / bandsPerImage, oy0, Math.min(oh, oy0 + bandHeight));
      }
      return;
    }
    threads.parallelFor(
        tasks,
        t -> {
          int oy0 = t % bandsPerImage * bandHeight;
          conv.band(t / bandsPerImage, oy0, Math.min(oh, oy0 + bandHeight));
        });
  }

  /** Output rows {@code [oy0, oy1)} of image {@code b}, all channels. */
  private void band(int b, int oy0, int oy1) {
    float[] acc = Scratch.tile();
    float[] xp = stepTiles ? padBand(b, oy0, oy1) : null;
    float[] planar = wideTaps || narrowTaps ? planarBand(b, oy0, oy1) : null;
    for (int q = 0; q < widePanels; q++) {
      for (int oy = oy0; oy < oy1; oy++) {
        if (wideTaps) {
          tapWideRow(planar, b, oy0, oy, q, acc);
        } else {
          wideRow(xp, b, oy0, oy, q, acc);
        }
      }
    }
    for (int q = 0; widePanels * WIDE + q * Gemm.NR < oc; q++) {
      for (int oy = oy0; oy < oy1; oy++) {
        if (narrowTaps) {
          tapRow(planar, b, oy0, oy, q, acc);
        } else {
          row(xp, b, oy0, oy, q, acc);
        }
      }
    }
  }

  /**
   * The input rows that output rows {@code [oy0, oy1)} read, zero-padded as {@link #padBand} pads
   * them but row-planar ({@code [row][channel][x]}), with a zero tail that the last tile's unused
   * pixels may read.
   */
  private float[] planarBand(int b, int oy0, int oy1) {
    int sh = g.spec().strideH();
    int h = g.in().h();
    int w = g.in().w();
    int top = (int) g.rows().padBefore();
    int left = (int) g.cols().padBefore();
    int bandRows = (oy1 - oy0 - 1) * sh + (g.kh() - 1) * g.spec().dilationH() + 1;
    int size = bandRows * rowFloats;
    // A 16-pixel tile reads kw - 1 pixels past its last.
    int tail = 16 + g.kw() - 1;
    float[] planar = Scratch.columns(size + tail);
    int image = b * h * w * c;
    for (int r = 0; r < bandRows; r++) {
      int iy = oy0 * sh - top + r;
      int at = r * rowFloats;
      if (iy < 0 || iy >= h) {
        Arrays.fill(planar, at, at + rowFloats, 0f);
        continue;
      }
      int src = image + iy * w * c;
      // Blocks of one vector's pixels × as many channels transposed in registers, the rest float
      // by float.
      int n = RegisterTranspose.SIZE;
      int blocked = n > 0 && c % n == 0 ? w / n * n : 0;
      for (int ci0 = 0; blocked > 0 && ci0 < c; ci0 += n) {
        for (int ix = 0; ix < blocked; ix += n) {
          RegisterTranspose.block(
              x, src + ix * c + ci0, c, planar, at + ci0 * paddedWidth + left + ix, paddedWidth);
        }
      }
      for (int ci = 0; ci < c; ci++) {
        int d = at + ci * paddedWidth;
        Arrays.fill(planar, d, d + left, 0f);
        for (int ix = blocked; ix < w; ix++) {
          planar[d + left + ix] = x[src + ix * c + ci];
        }
        Arrays.fill(planar, d + left + w, d + paddedWidth, 0f);
      }
    }
    Arrays.fill(planar, size, size + tail, 0f);
    return planar;
  }

  /** {@link #wideRow} with {@link TapRowKernels}, from the row-planar band. */
  private void tapWideRow(float[] planar, int b, int oy0, int oy, int q, float[] acc) {
    int ow = g.out().w();
    int j0 = q * WIDE;
    int bOff = q * depth * WIDE;
    int rowBase = (oy - oy0) * g.spec().strideH() * rowFloats;
    int pixel0 = (b * g.out().h() + oy) * ow;
    int height = TapRowKernels.wideHeight();
    RowTaps taps = rowTaps[oy];
    for (int ox = 0; ox < ow; ox += height) {
      int rows = Math.min(height, ow - ox);
      TapRowKernels.wideTile(
          g.kw(),
          planar,
          rowBase + ox,
          taps.tapXs(),
          filter,
          bOff,
          taps.tapWideWs(),
          c * WIDE,
          acc,
          y,
          (pixel0 + ox) * oc + j0,
          oc,
          rows);
      if (ep != null) {
        Gemm.applyEpilogue(ep, y, 0, oc, pixel0 + ox, j0, rows, Gemm.NR);
        Gemm.applyEpilogue(ep, y, 0, oc, pixel0 + ox, j0 + Gemm.NR, rows, Gemm.NR);
      }
    }
  }

  /** {@link #row} with {@link TapRowKernels}, from the row-planar band. */
  private void tapRow(float[] planar, int b, int oy0, int oy, int q, float[] acc) {
    int ow = g.out().w();
    int j0 = widePanels * WIDE + q * Gemm.NR;
    int cols = Math.min(Gemm.NR, oc - j0);
    int bOff = widePanels * depth * WIDE + q * depth * Gemm.NR;
    int rowBase = (oy - oy0) * g.spec().strideH() * rowFloats;
    int pixel0 = (b * g.out().h() + oy) * ow;
    int ox = 0;
    RowTaps taps = rowTaps[oy];
    for (int height : tapHeights) {
      int rows = Math.min(height, ow - ox);
      int cAt = (pixel0 + ox) * oc + j0;
      TapRowKernels.tile(
          g.kw(),
          height,
          planar,
          rowBase + ox,
          taps.tapXs(),
          filter,
          bOff,
          taps.tapWs(),
          c * Gemm.NR,
          acc,
          y,
          cAt,
          oc,
          rows,
          cols);
      if (ep != null) {
        Gemm.applyEpilogue(ep, y, 0, oc, pixel0 + ox, j0, rows, cols);
      }
      ox += height;
    }
  }

  /** Output row {@code oy} of image {@code b}, channels of 16-wide panel {@code q}. */
  private void wideRow(float[] xp, int b, int oy0, int oy, int q, float[] acc) {
    int ow = g.out().w();
    int j0 = q * WIDE;
    RowTaps taps = rowTaps[oy];
    int bOff = q * depth * WIDE + taps.firstK() * WIDE;
    int rowBase = (oy - oy0) * g.spec().strideH() * rowFloats;
    int pixel0 = (b * g.out().h() + oy) * ow;
    int ox = 0;
    for (int height : wideHeights) {
      int rows = Math.min(height, ow - ox);
      WideConvMicroKernels.tile(
          height,
          pixelStep,
          xp,
          rowBase + ox * pixelStep,
          taps.segOff(),
          segLen,
          filter,
          bOff,
          y,
          (pixel0 + ox) * oc + j0,
          oc,
          rows,
          acc);
      if (ep != null) {
        Gemm.applyEpilogue(ep, y, 0, oc, pixel0 + ox, j0, rows, Gemm.NR);
        Gemm.applyEpilogue(ep, y, 0, oc, pixel0 + ox, j0 + Gemm.NR, rows, Gemm.NR);
      }
      ox += height;
    }
  }

  /** Output row {@code oy} of image {@code b}, channels of 8-wide panel {@code q}. */
  private void row(float[] xp, int b, int oy0, int oy, int q, float[] acc) {
    int ow = g.out().w();
    int j0 = widePanels * WIDE + q * Gemm.NR;
    int cols = Math.min(Gemm.NR, oc - j0);
    RowTaps taps = rowTaps[oy];
    int bOff = widePanels * depth * WIDE + q * depth * Gemm.NR + taps.firstK() * Gemm.NR;
    int rowBase = (oy - oy0) * g.spec().strideH() * rowFloats;
    int pixel0 = (b * g.out().h() + oy) * ow;
    for (int t = 0; t < tiles.count(); t++) {
      int ox = tiles.start(t);
      int rows = tiles.rows(t);
      int cAt = (pixel0 + ox) * oc + j0;
      ConvMicroKernels.tile(
          tiles.height(t),
          pixelStep,
          xp,
          rowBase + ox * pixelStep,
          taps.segOff(),
          segLen,
          filter,
          bOff,
          y,
          cAt,
          oc,
          rows,
          cols,
          acc);
      if (ep != null) {
        Gemm.applyEpilogue(ep, y, 0, oc, pixel0 + ox, j0, rows, cols);
      }
    }
  }

  /**
   * The input rows that output rows {@code [oy0, oy1)} read, zero-padded to {@link #rowFloats}
   * each, plus a zero tail that a short tile's unused pixels may read past the last row.
   */
  private float[] padBand(int b, int oy0, int oy1) {
    int sh = g.spec().strideH();
    int h = g.in().h();
    int w = g.in().w();
    int top = (int) g.rows().padBefore();
    int left = (int) g.cols().padBefore();
    int bandRows = (oy1 - oy0 - 1) * sh + (g.kh() - 1) * g.spec().dilationH() + 1;
    int size = bandRows * rowFloats;
    int tail = 12 * pixelStep;
    float[] xp = Scratch.padded(size + tail);
    PaddedRows.copy(x, b * h * w * c, h, w, c, oy0 * sh - top, bandRows, left, rowFloats, xp, tail);
    return xp;
  }
}
