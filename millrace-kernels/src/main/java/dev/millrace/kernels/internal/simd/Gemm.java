package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocked single-precision GEMM, {@code C (+)= A · B} with C row-major, in the BLIS structure: B is
 * packed once per call into panels of {@link #NR} columns ({@code [k][NR]}, one cache line apart),
 * shared by all threads (a short A packs B in strips or depth blocks instead: {@code smallM}); each
 * thread packs its own blocks of {@link #MC} rows of A into micro-panels of 12 or 8 rows ({@code
 * [k][mr]}) and runs a register-blocked micro-kernel over them, {@link #KC} steps of k at a time so
 * that a B micro-panel (8 KiB) stays in L1 and the A block (up to 144 KiB) in L2.
 *
 * <p>Where two B panels lie side by side the register tile spans both ({@link PairMicroKernels}: 6
 * rows × two vectors, one broadcast of A per two FMAs); a last, odd panel runs the one-panel
 * kernels of {@link MicroKernels} (12 or 8 rows × one vector, one broadcast per FMA). The pair tile
 * made GEMM 1024³ about 1.3× faster on a Zen 4 at both 256 and 512 bits. Indices linear in k let C2
 * drop every bounds check from the loops. How A and B are read is left to {@link PackA} and {@link
 * PackB}, so the same driver serves MatMul with any transposes and convolutions (implicit im2col).
 */
public final class Gemm {
  static final VectorSpecies<Float> F = SimdWidth.FLOAT;

  /** Columns per B panel: one vector of floats (8 at 256 bits, 16 at 512). */
  public static final int NR = F.length();

  /**
   * The most steps of k per block, and the row stride of row-major A panels. The depth is cut into
   * equal blocks of at most this ({@link #depthBlock}), so that K = 288 runs as one block rather
   * than 256 + 32: a B micro-panel of up to 16 KiB stays in half of L1 while the A micro-panels
   * stream from L2 past it.
   */
  static final int KC = 512;

  /**
   * The row stride of row-major A panels: KC plus one cache line, so that the 12 rows of a panel
   * fall in different L1 sets (a stride of 2 KiB would put 6 rows in the same 8-way set, with the B
   * panel's lines, and evict them).
   */
  static final int KCS = KC + 16;

  /** Rows of A per packed block: a multiple of both micro-kernel heights (12 and 8). */
  static final int MC = 144;

  /** Packed-B floats above which B is packed in column blocks rather than whole (16 MiB). */
  static final int MAX_PACKED_B = 1 << 22;

  /** Tasks per thread a parallel GEMM is cut into, for balance when a thread is preempted. */
  static final int TASKS_PER_THREAD = 4;

  /**
   * Bytes of B panels a short-A GEMM packs in one pass: rows of B read in spans of several panels
   * rather than one, and the strip (in L2) used before the next is packed.
   */
  static final long STRIP_BYTES = 256 * 1024;

  /**
   * Floats between consecutive packed B panels beyond their {@code kc * NR}: one cache line. Panels
   * whose size is a multiple of 4 KiB would put the same step of k of every panel in one L1 set,
   * and packing (which writes a row of k to every panel in turn) would evict its own lines; the pad
   * made packing a dense layer's weights 1.1–1.7× faster in a harness that packed them alone.
   */
  static final int PANEL_PAD = 16;

  /** Packed-A floats up to which a short A is packed whole (4 MiB). */
  static final int MAX_PACKED_A = 1 << 20;

  /** Packed A up to this size stays in L2 while B panels stream past it (Zen 3's L2: 512 KiB). */
  static final long A_IN_L2_BYTES = 512 * 1024;

  private Gemm() {}

  /**
   * Packs rows {@code [i0, i0 + rows)} and depth {@code [p0, p0 + kc)} of A into {@code dst} from
   * {@code dOff}, k-major: {@code dst[dOff + kk * mr + r] = A[i0 + r][p0 + kk]}, rows {@code >=
   * rows} zero.
   */
  public interface PackA {
    void pack(float[] dst, int dOff, int i0, int rows, int p0, int kc, int mr);

    /** How this packer lays out a micro-panel ({@link Layout#K_MAJOR} unless it says otherwise). */
    default Layout layout() {
      return Layout.K_MAJOR;
    }
  }

  /**
   * Layouts of a packed A micro-panel of {@code mr} rows and {@code kc} steps of k. Both keep the
   * micro-kernel's A index linear in k with constant row offsets.
   */
  public enum Layout {
    /** {@code [kk][r]}: 12 floats per k, one stream. One strided store per element to pack. */
    K_MAJOR,
    /**
     * {@code [r][kk]} with row stride {@link #KCS} whatever kc: contiguous rows are packed with
     * block copies, but the micro-kernel reads 12 streams. (A third layout, chunks of 8 steps of k
     * row after row, packs as cheaply and reads as one stream, but its two-level loop ran at half
     * the speed in C2, and fully unrolled C2 gave up compiling it.)
     */
    ROW_MAJOR;

    /**
     * Floats per row of a micro-panel of depth {@code kc}: the tile of rows i.. starts at i * this.
     */
    int rowSpan(int kc) {
      return switch (this) {
        case K_MAJOR -> kc;
        case ROW_MAJOR -> KCS;
      };
    }
  }

  /**
   * Packs columns {@code [j0, j0 + cols)} and depth {@code [p0, p0 + kc)} of B into {@code dst}
   * from {@code dOff}: {@code dst[dOff + kk * 8 + l] = B[p0 + kk][j0 + l]}, columns {@code >= cols}
   * zero.
   */
  public interface PackB {
    void pack(float[] dst, int dOff, int j0, int cols, int p0, int kc);

    /**
     * Packs the {@code ceil(cols / NR)} panels of columns {@code [j0, j0 + cols)}, panel q at
     * {@code dOff + q * panelStride}. A packer whose rows are contiguous overrides this to read
     * each row's span of the panels in one pass rather than once per panel.
     */
    default void packPanels(
        float[] dst, int dOff, int panelStride, int j0, int cols, int p0, int kc) {
      for (int q = 0; q * NR < cols; q++) {
        pack(dst, dOff + q * panelStride, j0 + q * NR, Math.min(NR, cols - q * NR), p0, kc);
      }
    }
  }

  /**
   * What is applied to each finished element of C: {@code act(c * scale[ch] + bias[ch])}, the
   * channel being the row ({@code perRow}) or the column; {@code scale} or {@code bias} may be
   * null.
   */
  public record Epilogue(float[] scale, float[] bias, boolean perRow, Activation activation) {
    public boolean isIdentity() {
      return scale == null && bias == null && activation == Activation.NONE;
    }
  }

  /** The activations the epilogue can fuse. */
  public enum Activation {
    NONE,
    RELU,
    RELU6
  }

  /**
   * {@code C[m][n] = A[m][k] · B[k][n]} (or {@code +=} when {@code accumulate}), C at {@code c[cOff
   * + i * ldc + j]}, then the epilogue (null: none). Work is split over {@code threads}.
   */
  public static void gemm(
      int m,
      int n,
      int k,
      PackA a,
      PackB b,
      float[] c,
      int cOff,
      int ldc,
      boolean accumulate,
      Epilogue epilogue,
      KernelThreads threads) {
    if (m == 0 || n == 0) {
      return;
    }
    Epilogue ep = epilogue == null || epilogue.isIdentity() ? null : epilogue;
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) {
          java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
      }
      if (ep != null) {
        for (int i = 0; i < m; i++) {
          for (int j0 = 0; j0 < n; j0 += NR) {
            applyEpilogue(ep, c, cOff, ldc, i, j0, 1, Math.min(NR, n - j0));
          }
        }
      }
      return;
    }
    int mr = microHeight(m);
    int mPad = (m + mr - 1) / mr * mr;
    long flops = 2L * m * n * k;
    int workers = flops < 1 << 21 ? 1 : Math.max(1, threads.parallelism());
    if (m <= MC && (long) mPad * k <= MAX_PACKED_A) {
      smallM(m, n, k, mr, mPad, a, b, c, cOff, ldc, accumulate, ep, workers, threads);
      return;
    }
    int panels = (n + NR - 1) / NR;
    int ps = panelStride(k);
    int panelsPerBlock = Math.max(1, Math.min(panels, MAX_PACKED_B / ps));
    for (int pb0 = 0; pb0 < panels; pb0 += panelsPerBlock) {
      int pb1 = Math.min(panels, pb0 + panelsPerBlock);
      float[] bp = Scratch.packedB((pb1 - pb0) * ps);
      boolean parallelPack = workers > 1 && (long) (pb1 - pb0) * k >= 1 << 15;
      packB(b, bp, ps, n, 0, k, pb0, pb1, parallelPack, threads);
      Block block = new Block(m, n, k, mr, a, bp, ps, pb0, pb1, c, cOff, ldc, accumulate, ep);
      int tiles = (m + mr - 1) / mr;
      if (workers == 1) {
        block.run(0, tiles, pb0, pb1);
      } else if (tiles >= 2 * workers || tiles >= pb1 - pb0) {
        // Rows split: each task packs its own A rows; B is shared. Tasks of at most one A block,
        // at least TASKS_PER_THREAD per thread, claimed by whichever thread is free: a thread that
        // the OS preempts delays only its current task.
        int t = Math.max((tiles * mr + MC - 1) / MC, Math.min(tiles, TASKS_PER_THREAD * workers));
        threads.parallelFor(
            t, w -> block.run(tiles * w / t, tiles * (w + 1) / t, block.pb0, block.pb1));
      } else {
        // Few rows, many columns: tasks take shares of the B panels.
        int span = block.pb1 - block.pb0;
        int t = Math.min(span, TASKS_PER_THREAD * workers);
        int first = block.pb0;
        threads.parallelFor(
            t, w -> block.run(0, tiles, first + span * w / t, first + span * (w + 1) / t));
      }
    }
  }

  /**
   * A of at most one row block ({@code m <= MC}), such as a convolution's output channels in NCHW
   * or a dense layer's batch: A is packed whole once and threads split the B panels. When packed A
   * fits in L2 each thread packs strips of its B panels just before use, so no large packed B is
   * written and read back; otherwise see {@link #deepShortA}.
   */
  private static void smallM(
      int m,
      int n,
      int k,
      int mr,
      int mPad,
      PackA a,
      PackB b,
      float[] c,
      int cOff,
      int ldc,
      boolean accumulate,
      Epilogue ep,
      int workers,
      KernelThreads threads) {
    // Depth block b starts at b * mPad * stride; a tile's rows are kc (k-major) or KCS apart.
    Layout layout = a.layout();
    int kb = depthBlock(k);
    int stride = layout.rowSpan(kb);
    float[] ap = Scratch.packedA(mPad * stride * ((k + kb - 1) / kb));
    for (int pc = 0; pc < k; pc += kb) {
      int kc = Math.min(kb, k - pc);
      for (int i = 0; i < m; i += mr) {
        a.pack(
            ap,
            pc / kb * mPad * stride + i * layout.rowSpan(kc),
            i,
            Math.min(mr, m - i),
            pc,
            kc,
            mr);
      }
    }
    int panels = (n + NR - 1) / NR;
    int tasks = workers <= 1 ? 1 : Math.min(panels, TASKS_PER_THREAD * workers);
    if ((long) mPad * k * Float.BYTES > A_IN_L2_BYTES) {
      deepShortA(m, n, k, mr, mPad, ap, layout, b, c, cOff, ldc, accumulate, ep, tasks, threads);
      return;
    }
    int ps = panelStride(k);
    // Panels packed together: a strip of up to STRIP_BYTES, read row by row from B.
    int strip = Math.max(2, (int) (STRIP_BYTES / ((long) ps * Float.BYTES)) & ~1);
    IntConsumer work =
        task -> {
          int qBegin = panels * task / tasks;
          int qEnd = panels * (task + 1) / tasks;
          float[] bp = Scratch.panel(Math.min(strip, qEnd - qBegin) * ps);
          float[] tmp = Scratch.tile();
          for (int s0 = qBegin; s0 < qEnd; s0 += strip) {
            int s1 = Math.min(qEnd, s0 + strip);
            b.packPanels(bp, 0, ps, s0 * NR, Math.min(n, s1 * NR) - s0 * NR, 0, k);
            for (int q = s0; q < s1; ) {
              boolean pair = q + 1 < s1;
              int j0 = q * NR;
              int cols = Math.min(pair ? PairMicroKernels.WIDTH : NR, n - j0);
              for (int pc = 0; pc < k; pc += kb) {
                int kc = Math.min(kb, k - pc);
                boolean overwrite = pc == 0 && !accumulate;
                for (int i = 0; i < m; i += mr) {
                  int rows = Math.min(mr, m - i);
                  int aOff = pc / kb * mPad * stride + i * layout.rowSpan(kc);
                  int bOff = (q - s0) * ps + pc * NR;
                  int cAt = cOff + i * ldc + j0;
                  tile(
                      pair, mr, layout, ap, aOff, bp, bOff, ps, kc, c, cAt, ldc, rows, cols,
                      overwrite, tmp);
                  if (ep != null && pc + kc == k) {
                    applyEpilogue(ep, c, cOff, ldc, i, j0, rows, cols);
                  }
                }
              }
              q += pair ? 2 : 1;
            }
          }
        };
    if (tasks <= 1) {
      work.accept(0);
    } else {
      threads.parallelFor(tasks, work);
    }
  }

  /**
   * A short A too deep for L2 (a dense layer's batch of 100 × 3136 inputs): one depth block at a
   * time, B's rows of that block are packed for all columns, shared by the threads (each packs a
   * contiguous run of panels, reading B's rows in long spans), then every tile takes that block.
   * The block of A then serves every panel before the next is read, instead of all of A streaming
   * from memory once per panel; C's tiles go round once per block.
   */
  private static void deepShortA(
      int m,
      int n,
      int k,
      int mr,
      int mPad,
      float[] ap,
      Layout layout,
      PackB b,
      float[] c,
      int cOff,
      int ldc,
      boolean accumulate,
      Epilogue ep,
      int tasks,
      KernelThreads threads) {
    int kb = depthBlock(k);
    int stride = layout.rowSpan(kb);
    int panels = (n + NR - 1) / NR;
    int ps = panelStride(kb);
    float[] bp = Scratch.packedB(panels * ps);
    for (int pc = 0; pc < k; pc += kb) {
      int kc = Math.min(kb, k - pc);
      packB(b, bp, ps, n, pc, kc, 0, panels, tasks > 1, threads);
      boolean overwrite = pc == 0 && !accumulate;
      boolean last = pc + kc == k;
      int aBlock = pc / kb * mPad * stride;
      IntConsumer work =
          task -> {
            float[] tmp = Scratch.tile();
            int qEnd = panels * (task + 1) / tasks;
            for (int q = panels * task / tasks; q < qEnd; ) {
              boolean pair = q + 1 < qEnd;
              int j0 = q * NR;
              int cols = Math.min(pair ? PairMicroKernels.WIDTH : NR, n - j0);
              for (int i = 0; i < m; i += mr) {
                int rows = Math.min(mr, m - i);
                int aOff = aBlock + i * layout.rowSpan(kc);
                int cAt = cOff + i * ldc + j0;
                tile(
                    pair, mr, layout, ap, aOff, bp, q * ps, ps, kc, c, cAt, ldc, rows, cols,
                    overwrite, tmp);
                if (last && ep != null) {
                  applyEpilogue(ep, c, cOff, ldc, i, j0, rows, cols);
                }
              }
              q += pair ? 2 : 1;
            }
          };
      threads.parallelFor(tasks, work);
    }
  }

  /** Floats from one packed B panel of depth {@code kc} to the next ({@link #PANEL_PAD}). */
  static int panelStride(int kc) {
    return kc * NR + PANEL_PAD;
  }

  /** The depth of a block: {@code k} cut into the fewest equal blocks of at most {@link #KC}. */
  static int depthBlock(int k) {
    int blocks = (k + KC - 1) / KC;
    return (k + blocks - 1) / blocks;
  }

  /** 12 rows per micro-tile, or 8 when that wastes fewer padded rows (small m such as 16 or 64). */
  static int microHeight(int m) {
    int pad12 = (m + 11) / 12 * 12;
    int pad8 = (m + 7) / 8 * 8;
    // The 8-row kernel does 9 loads per 8 FMAs instead of 13 per 12: about 7 % slower per row.
    return pad8 * 1.07 < pad12 ? 8 : 12;
  }

  /**
   * Packs depth {@code [p0, p0 + kc)} of B panels {@code [pb0, pb1)}, panel p at {@code (p - pb0) *
   * ps}; in parallel, each thread packs one contiguous run of panels.
   */
  private static void packB(
      PackB b,
      float[] bp,
      int ps,
      int n,
      int p0,
      int kc,
      int pb0,
      int pb1,
      boolean parallel,
      KernelThreads t) {
    int span = pb1 - pb0;
    int tasks = parallel ? Math.min(t.parallelism(), span) : 1;
    IntConsumer pack =
        w -> {
          int lo = pb0 + span * w / tasks;
          int hi = pb0 + span * (w + 1) / tasks;
          b.packPanels(bp, (lo - pb0) * ps, ps, lo * NR, Math.min(n, hi * NR) - lo * NR, p0, kc);
        };
    t.parallelFor(tasks, pack);
  }

  /** One column block of the product: B packed for panels {@code [pb0, pb1)}. */
  private record Block(
      int m,
      int n,
      int k,
      int mr,
      PackA a,
      float[] bp,
      int ps,
      int pb0,
      int pb1,
      float[] c,
      int cOff,
      int ldc,
      boolean accumulate,
      Epilogue ep) {

    /** Row tiles {@code [t0, t1)} against panels {@code [q0, q1)}. */
    void run(int t0, int t1, int q0, int q1) {
      int r0 = t0 * mr;
      int r1 = Math.min(m, t1 * mr);
      if (r0 >= r1 || q0 >= q1) {
        return;
      }
      float[] ap = Scratch.packedA(MC * KCS);
      float[] tmp = Scratch.tile();
      Layout layout = a.layout();
      int kb = depthBlock(k);
      for (int pc = 0; pc < k; pc += kb) {
        int kc = Math.min(kb, k - pc);
        int rowStride = layout.rowSpan(kc);
        boolean overwrite = pc == 0 && !accumulate;
        boolean last = pc + kc == k;
        for (int ic = r0; ic < r1; ic += MC) {
          int mc = Math.min(MC, r1 - ic);
          for (int ir = 0; ir < mc; ir += mr) {
            a.pack(ap, ir * rowStride, ic + ir, Math.min(mr, mc - ir), pc, kc, mr);
          }
          for (int q = q0; q < q1; ) {
            boolean pair = q + 1 < q1;
            int j0 = q * NR;
            int cols = Math.min(pair ? PairMicroKernels.WIDTH : NR, n - j0);
            int bOff = (q - pb0) * ps + pc * NR;
            for (int ir = 0; ir < mc; ir += mr) {
              int rows = Math.min(mr, mc - ir);
              int cAt = cOff + (ic + ir) * ldc + j0;
              int aOff = ir * rowStride;
              tile(
                  pair, mr, layout, ap, aOff, bp, bOff, ps, kc, c, cAt, ldc, rows, cols, overwrite,
                  tmp);
              if (last && ep != null) {
                applyEpilogue(ep, c, cOff, ldc, ic + ir, j0, rows, cols);
              }
            }
            q += pair ? 2 : 1;
          }
        }
      }
    }
  }

  /**
   * One register tile: two B panels wide ({@link PairMicroKernels}, fewer broadcasts of A per FMA)
   * where a second panel follows at {@code panelStride}, else one ({@link MicroKernels}).
   */
  private static void tile(
      boolean pair,
      int mr,
      Layout layout,
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      int panelStride,
      int kc,
      float[] c,
      int cAt,
      int ldc,
      int rows,
      int cols,
      boolean overwrite,
      float[] tmp) {
    if (pair) {
      PairMicroKernels.run(
          mr, layout, a, aOff, b, bOff, panelStride, kc, c, cAt, ldc, rows, cols, overwrite, tmp);
    } else {
      MicroKernels.run(mr, layout, a, aOff, b, bOff, kc, c, cAt, ldc, rows, cols, overwrite, tmp);
    }
  }

  /**
   * Applies the epilogue to the finished tile of {@code rows × cols} at (i0, j0), one B panel's
   * columns at a time.
   */
  static void applyEpilogue(
      Epilogue ep, float[] c, int cOff, int ldc, int i0, int j0, int rows, int cols) {
    for (int j = 0; j < cols; j += NR) {
      applyPanelEpilogue(ep, c, cOff, ldc, i0, j0 + j, rows, Math.min(NR, cols - j));
    }
  }

  private static void applyPanelEpilogue(
      Epilogue ep, float[] c, int cOff, int ldc, int i0, int j0, int rows, int cols) {
    float[] scale = ep.scale();
    float[] bias = ep.bias();
    if (cols == NR) {
      FloatVector colScale =
          scale != null && !ep.perRow() ? FloatVector.fromArray(F, scale, j0) : null;
      FloatVector colBias =
          bias != null && !ep.perRow() ? FloatVector.fromArray(F, bias, j0) : null;
      for (int r = 0; r < rows; r++) {
        int at = cOff + (i0 + r) * ldc + j0;
        FloatVector v = FloatVector.fromArray(F, c, at);
        if (scale != null) {
          v = v.mul(ep.perRow() ? FloatVector.broadcast(F, scale[i0 + r]) : colScale);
        }
        if (bias != null) {
          v = v.add(ep.perRow() ? FloatVector.broadcast(F, bias[i0 + r]) : colBias);
        }
        activate(v, ep.activation()).intoArray(c, at);
      }
      return;
    }
    for (int r = 0; r < rows; r++) {
      int at = cOff + (i0 + r) * ldc + j0;
      for (int j = 0; j < cols; j++) {
        int ch = ep.perRow() ? i0 + r : j0 + j;
        float v = c[at + j];
        if (scale != null) {
          v *= scale[ch];
        }
        if (bias != null) {
          v += bias[ch];
        }
        c[at + j] = activate(v, ep.activation());
      }
    }
  }

  static FloatVector activate(FloatVector v, Activation act) {
    return switch (act) {
      case NONE -> v;
      case RELU -> v.max(0f);
      case RELU6 -> v.max(0f).min(6f);
    };
  }

  static float activate(float v, Activation act) {
    return switch (act) {
      case NONE -> v;
      // Math.max would turn NaN into NaN too; TensorFlow's relu keeps NaN.
      case RELU -> v > 0 || Float.isNaN(v) ? v : 0f;
      case RELU6 -> Float.isNaN(v) ? v : Math.min(Math.max(v, 0f), 6f);
    };
  }
}
