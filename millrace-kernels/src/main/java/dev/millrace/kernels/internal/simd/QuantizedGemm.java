package dev.millrace.kernels.internal.simd;

import static dev.millrace.kernels.internal.simd.QuantizedTiles.MR;
import static dev.millrace.kernels.internal.simd.QuantizedTiles.NR;

import dev.millrace.kernels.AffineRequantization;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.ConvRequantization;
import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.Requantization;
import dev.millrace.kernels.internal.QuantizedKernels;
import dev.millrace.kernels.internal.QuantizedKernels.ConvShape;
import dev.millrace.kernels.internal.QuantizedKernels.MatMulShape;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The eight-bit MatMul and NHWC Conv2D of {@link QuantizedKernels}, exactly (integer sums), on the
 * Vector API. Both shift the codes by their zero points once into int arrays and run the
 * register-blocked {@link QuantizedTiles} over them:
 *
 * <ul>
 *   <li>MatMul: A becomes a row-major int matrix (transposed if need be), B panels of {@link
 *       QuantizedTiles#NR} columns; tiles of 12 or 8 rows × one panel are split over the threads.
 *   <li>Conv2D: the input becomes a padded int copy (padding is the shifted zero point, 0), so a
 *       tile of output pixels along a row reads its patches in place, one filter tap after another
 *       at constant offsets: no im2col. The HWIO filter is already B ({@code [kh·kw·ic][oc]}).
 * </ul>
 */
public final class QuantizedGemm {
  /** Multiply-adds below which a call runs on the calling thread only. */
  static final long PARALLEL_MIN_MACS = 1L << 20;

  /** Tasks per thread, for balance when a thread is preempted. */
  static final int TASKS_PER_THREAD = 4;

  /** Whether two-panel tiles fit the registers: 512-bit vectors, so AVX-512's 32 registers. */
  static final boolean WIDE = SimdWidth.CHOSEN.bits() == 512;

  private static final ThreadLocal<Buffers> LOCAL = ThreadLocal.withInitial(Buffers::new);

  private QuantizedGemm() {}

  /** {@code Σ_k (a[i,k] - aZero) · (b[k,j] - bZero)}, as {@link QuantizedKernels#matMul}. */
  public static Tensor matMul(
      Tensor a,
      int aZero,
      boolean transposeA,
      Tensor b,
      int bZero,
      boolean transposeB,
      KernelThreads threads) {
    QuantizedKernels.requireQuint8("quantized MatMul", "a", a);
    QuantizedKernels.requireQuint8("quantized MatMul", "b", b);
    MatMulShape s = MatMulShape.of(a.shape(), transposeA, b.shape(), transposeB);
    int m = s.m();
    int n = s.n();
    int k = s.k();
    Tensor out = Tensor.zeros(DType.QINT32, Shape.of(m, n));
    if (m == 0 || n == 0 || k == 0) {
      return out;
    }
    int[] c = ints(out);
    byte[] av = bytes(a);
    byte[] bv = bytes(b);
    int mr = height(m);
    int tiles = (m + mr - 1) / mr;
    // Rows 4 KiB apart (k a multiple of 1024) would share L1 sets; one cache line more breaks it.
    int lda = k % 256 == 0 ? k + 16 : k;
    Buffers buf = LOCAL.get();
    int[] x = buf.input(Math.multiplyExact(tiles * mr, lda));
    if (transposeA) {
      for (int p = 0; p < k; p++) {
        for (int i = 0; i < m; i++) {
          x[i * lda + p] = (av[p * m + i] & 0xff) - aZero;
        }
      }
    } else {
      for (int i = 0; i < m; i++) {
        QuantizedTiles.shift(av, i * k, aZero, x, i * lda, k);
      }
    }
    int panels = (n + NR - 1) / NR;
    int[] bp = buf.panels(Math.multiplyExact(panels * k, NR));
    QuantizedTiles.packB(bv, 0, transposeB ? 1 : n, transposeB ? k : 1, bZero, k, n, bp);
    int[] taps = {0};
    int units = tiles * panels;
    int tasks = tasks((long) m * n * k, units, threads);
    run(
        tasks,
        threads,
        t -> {
          int[] tmp = LOCAL.get().tile();
          for (int u = (int) ((long) units * t / tasks); u < (long) units * (t + 1) / tasks; u++) {
            int i0 = u / panels * mr;
            int j0 = u % panels * NR;
            tile(
                mr,
                x,
                i0 * lda,
                lda,
                taps,
                k,
                bp,
                j0 * k,
                c,
                i0 * n + j0,
                n,
                Math.min(mr, m - i0),
                Math.min(NR, n - j0),
                tmp);
          }
        });
    return out;
  }

  /**
   * {@link #matMul}, each sum of column {@code j} then turned into its QUINT8 code by {@code
   * requantization} (the columns are its channels): {@code requantization.applyTo(matMul(...))}.
   */
  public static Tensor matMulRequantized(
      Tensor a,
      int aZero,
      boolean transposeA,
      Tensor b,
      int bZero,
      boolean transposeB,
      Requantization requantization,
      KernelThreads threads) {
    Tensor sums = matMul(a, aZero, transposeA, b, bZero, transposeB, threads);
    int n = Math.toIntExact(sums.shape().dim(1));
    requantization.requireChannels(n);
    int[] s = ints(sums);
    byte[] codes = new byte[s.length];
    AffineRows.Plan affine =
        requantization instanceof AffineRequantization r ? AffineRows.Plan.of(r) : null;
    byRows(
        sums,
        threads,
        (from, to) -> requantizeRow(requantization, affine, s, from, to - from, n, codes, from));
    return Tensor.wrapping(DType.QUINT8, sums.shape(), codes);
  }

  /**
   * {@link #matMul}, each sum of column {@code j} then the float {@code sum · scale[j] + offset[j]}
   * (one fused multiply-add): a FLOAT32 {@code [m, n]}.
   */
  public static Tensor matMulDequantized(
      Tensor a,
      int aZero,
      boolean transposeA,
      Tensor b,
      int bZero,
      boolean transposeB,
      float[] scale,
      float[] offset,
      KernelThreads threads) {
    Tensor sums = matMul(a, aZero, transposeA, b, bZero, transposeB, threads);
    int n = Math.toIntExact(sums.shape().dim(1));
    QuantizedKernels.requireColumns(n, scale, offset);
    int[] s = ints(sums);
    Tensor result = Tensor.zeros(DType.FLOAT32, sums.shape());
    float[] out = (float[]) result.data().heapBase().orElseThrow();
    byRows(
        sums,
        threads,
        (from, to) -> AffineRows.values(s, from, to - from, n, scale, offset, out, from));
    return result;
  }

  /** A range {@code [from, to)} of elements. */
  private interface Span {
    void run(int from, int to);
  }

  /** Runs {@code body} over whole rows of the matrix {@code sums}, as element ranges. */
  private static void byRows(Tensor sums, KernelThreads threads, Span body) {
    int m = Math.toIntExact(sums.shape().dim(0));
    int n = Math.toIntExact(sums.shape().dim(1));
    IntRange.split(
        m,
        tasks((long) m * n * 16, m, threads),
        threads,
        (task, from, to) -> body.run(from * n, to * n));
  }

  /** QuantizedConv2D's core, as {@link QuantizedKernels#conv2d}. */
  public static Tensor conv2d(
      Tensor input,
      int inputZero,
      Tensor filter,
      int filterZero,
      Conv2dSpec spec,
      KernelThreads threads) {
    return conv2d(input, inputZero, filter, filterZero, spec, null, threads);
  }

  /**
   * QuantizedConv2D's core with its requantization: each output row's sums go to a per-thread
   * buffer while they are in cache and leave as QUINT8 codes, so no 32-bit tensor is allocated,
   * zeroed, written and read again.
   */
  public static Tensor conv2dRequantized(
      Tensor input,
      int inputZero,
      Tensor filter,
      int filterZero,
      Conv2dSpec spec,
      Requantization requantization,
      KernelThreads threads) {
    return conv2d(input, inputZero, filter, filterZero, spec, requantization, threads);
  }

  private static Tensor conv2d(
      Tensor input,
      int inputZero,
      Tensor filter,
      int filterZero,
      Conv2dSpec spec,
      Requantization rq,
      KernelThreads threads) {
    QuantizedKernels.requireQuint8("quantized Conv2D", "input", input);
    QuantizedKernels.requireQuint8("quantized Conv2D", "filter", filter);
    ConvShape g = ConvShape.of(input.shape(), filter.shape(), spec);
    int oc = g.outC();
    if (rq != null) {
      rq.requireChannels(oc);
    }
    Tensor out =
        rq == null
            ? Tensor.zeros(DType.QINT32, g.outputShape())
            : Tensor.wrapping(
                DType.QUINT8, g.outputShape(), new byte[Math.toIntExact(g.outputShape().size())]);
    int depth = g.inC();
    if (out.size() == 0) {
      return out;
    }
    if (depth == 0) {
      return rq == null ? out : rq.applyTo(Tensor.zeros(DType.QINT32, g.outputShape()));
    }
    int[] y = rq == null ? ints(out) : null;
    AffineRows.Plan affine = rq instanceof AffineRequantization a ? AffineRows.Plan.of(a) : null;
    byte[] codes = rq == null ? null : bytes(out);
    int k = Math.multiplyExact(g.kh() * g.kw(), depth);
    int sw = spec.strideW();
    int hp = (g.outH() - 1) * spec.strideH() + (g.kh() - 1) * spec.dilationH() + 1;
    int wp = (g.outW() - 1) * sw + (g.kw() - 1) * spec.dilationW() + 1;
    int image = Math.multiplyExact(hp * wp, depth);
    Buffers buf = LOCAL.get();
    // Tiles past the end of a row read on (and discard what they read) up to MR pixels further.
    int[] x = buf.input(Math.addExact(Math.multiplyExact(g.batch(), image), MR * sw * depth));
    byte[] in = bytes(input);
    int rowsIn = g.batch() * hp;
    IntRange.split(
        rowsIn,
        tasks((long) rowsIn * wp * depth * 16, rowsIn, threads),
        threads,
        (task, from, to) -> {
          for (int r = from; r < to; r++) {
            padRow(in, inputZero, g, r / hp, r % hp, wp, x, r * wp * depth);
          }
        });
    java.util.Arrays.fill(x, g.batch() * image, g.batch() * image + MR * sw * depth, 0);
    int panels = (oc + NR - 1) / NR;
    int[] bp = buf.panels(Math.multiplyExact(panels * k, NR));
    QuantizedTiles.packB(bytes(filter), 0, oc, 1, filterZero, k, oc, bp);
    int[] taps = new int[g.kh() * g.kw()];
    for (int ky = 0; ky < g.kh(); ky++) {
      for (int kx = 0; kx < g.kw(); kx++) {
        taps[ky * g.kw() + kx] = (ky * spec.dilationH() * wp + kx * spec.dilationW()) * depth;
      }
    }
    int mr = height(g.outW());
    int blocks = (g.outW() + mr - 1) / mr;
    int rowsOut = g.batch() * g.outH();
    int tasks = tasks(out.size() * k, rowsOut, threads);
    run(
        tasks,
        threads,
        t -> {
          Buffers local = LOCAL.get();
          int[] tmp = local.tile();
          int rowSize = g.outW() * oc;
          int[] dst = rq == null ? y : local.row(rowSize);
          for (int r = (int) ((long) rowsOut * t / tasks);
              r < (long) rowsOut * (t + 1) / tasks;
              r++) {
            int b = r / g.outH();
            int oy = r % g.outH();
            int rowAt = (b * hp + oy * spec.strideH()) * wp * depth;
            int rowBase = rq == null ? r * rowSize : 0;
            for (int blk = 0; blk < blocks; blk++) {
              int ox0 = blk * mr;
              int rows = Math.min(mr, g.outW() - ox0);
              int oAt = rowBase + ox0 * oc;
              int q = 0;
              if (mr == 8 && WIDE) {
                for (; q + 1 < panels; q += 2) {
                  QuantizedTiles.tile8x2(
                      x,
                      rowAt + ox0 * sw * depth,
                      sw * depth,
                      taps,
                      depth,
                      bp,
                      q * k * NR,
                      (q + 1) * k * NR,
                      dst,
                      oAt + q * NR,
                      oc,
                      rows,
                      Math.min(2 * NR, oc - q * NR),
                      tmp);
                }
              }
              for (; q < panels; q++) {
                tile(
                    mr,
                    x,
                    rowAt + ox0 * sw * depth,
                    sw * depth,
                    taps,
                    depth,
                    bp,
                    q * k * NR,
                    dst,
                    oAt + q * NR,
                    oc,
                    rows,
                    Math.min(NR, oc - q * NR),
                    tmp);
              }
            }
            if (rq != null) {
              requantizeRow(rq, affine, dst, 0, rowSize, oc, codes, r * rowSize);
            }
          }
        });
    return out;
  }

  /**
   * The codes of one output row's sums, written where the row's outputs go. The form is chosen
   * here, once per row, so each loop below sees one kind of requantization.
   */
  private static void requantizeRow(
      Requantization rq,
      AffineRows.Plan affineRow,
      int[] sums,
      int from,
      int n,
      int channels,
      byte[] codes,
      int at) {
    switch (rq) {
      case ConvRequantization table -> tableRow(table, sums, from, n, channels, codes, at);
      case AffineRequantization affine -> affineRow.codes(sums, from, n, channels, codes, at);
    }
  }

  /**
   * {@link dev.millrace.kernels.FixedPointRequantizer#apply} written out with its constants in
   * locals, then the channel's table.
   */
  private static void tableRow(
      ConvRequantization rq, int[] sums, int from, int n, int channels, byte[] codes, int at) {
    long scale = rq.toCode().rangeScale();
    long offset = rq.toCode().offset();
    byte[] table = rq.table();
    for (int i = 0; i < n; i += channels) {
      for (int c = 0; c < channels; c++) {
        long v = ((sums[from + i + c] * scale) >> 32) + offset;
        int code = (int) Math.max(0, Math.min(255, v >> 16));
        codes[at + i + c] = table[(c << 8) | code];
      }
    }
  }

  /** Row {@code yp} of image {@code b}'s padded copy: shifted codes inside, 0 in the padding. */
  private static void padRow(
      byte[] in, int zero, ConvShape g, int b, int yp, int wp, int[] x, int at) {
    int c = g.inC();
    int yIn = yp - g.padTop();
    if (yIn < 0 || yIn >= g.inH()) {
      java.util.Arrays.fill(x, at, at + wp * c, 0);
      return;
    }
    int from = Math.min(wp, Math.max(0, g.padLeft()));
    int to = Math.max(from, Math.min(wp, g.padLeft() + g.inW()));
    java.util.Arrays.fill(x, at, at + from * c, 0);
    int src = ((b * g.inH() + yIn) * g.inW() + from - g.padLeft()) * c;
    QuantizedTiles.shift(in, src, zero, x, at + from * c, (to - from) * c);
    java.util.Arrays.fill(x, at + to * c, at + wp * c, 0);
  }

  /** 12 rows per tile, or 8 where that pads fewer rows (16, 64), as the float GEMM chooses. */
  static int height(int rows) {
    int pad12 = (rows + MR - 1) / MR * MR;
    int pad8 = (rows + 7) / 8 * 8;
    return pad8 * 1.07 < pad12 ? 8 : MR;
  }

  private static void tile(
      int mr,
      int[] x,
      int xAt,
      int rs,
      int[] taps,
      int depth,
      int[] b,
      int bOff,
      int[] out,
      int oAt,
      int ldo,
      int rows,
      int cols,
      int[] tmp) {
    if (mr == MR) {
      QuantizedTiles.tile(x, xAt, rs, taps, depth, b, bOff, out, oAt, ldo, rows, cols, tmp);
    } else {
      QuantizedTiles.tile8(x, xAt, rs, taps, depth, b, bOff, out, oAt, ldo, rows, cols, tmp);
    }
  }

  private static int tasks(long macs, int units, KernelThreads threads) {
    if (macs < PARALLEL_MIN_MACS || threads.parallelism() <= 1) {
      return 1;
    }
    return Math.max(1, Math.min(units, TASKS_PER_THREAD * threads.parallelism()));
  }

  private static void run(int tasks, KernelThreads threads, java.util.function.IntConsumer task) {
    if (tasks <= 1) {
      task.accept(0);
    } else {
      threads.parallelFor(tasks, task);
    }
  }

  /** The codes of a QUINT8 tensor: its own heap array where it has one, else a copy. */
  static byte[] bytes(Tensor t) {
    MemorySegment seg = t.data();
    if (!seg.isNative()
        && seg.address() == 0
        && seg.heapBase().orElse(null) instanceof byte[] a
        && a.length == t.size()) {
      return a;
    }
    return t.toByteArray();
  }

  private static int[] ints(Tensor heap) {
    return (int[]) heap.data().heapBase().orElseThrow();
  }

  /**
   * Per-thread buffers, grown on demand; the calling thread's are shared with the helpers for the
   * duration of one call.
   */
  private static final class Buffers {
    private int[] input = new int[0];
    private int[] panels = new int[0];
    private int[] row = new int[0];
    private final int[] tile = new int[2 * MR * NR];

    int[] input(int size) {
      if (input.length < size) {
        input = new int[size];
      }
      return input;
    }

    int[] panels(int size) {
      if (panels.length < size) {
        panels = new int[size];
      }
      return panels;
    }

    int[] tile() {
      return tile;
    }

    /** One output row of a requantized convolution's sums. */
    int[] row(int size) {
      if (row.length < size) {
        row = new int[size];
      }
      return row;
    }
  }
}
