package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ImageLayout;
import dev.millrace.kernels.internal.PoolKernels.Geometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Max and average pooling and their gradients in NCHW, 8 output columns of one channel plane per
 * vector. Only windows wholly inside the input's columns ({@link PoolWindows#interiorFrom} to
 * {@link PoolWindows#interiorTo}, whole vectors of them) run as vectors, so no lane ever reads
 * padding and every lane scans its window in the reference's order; the border columns and the last
 * partial vector run the scalar loops. Planes are split over the threads.
 *
 * <p>Tap {@code kx} of 8 neighbouring outputs reads 8 input columns {@code stride} apart ({@link
 * Layout}). Stride 1 reads them in place. Stride 2, the common downsampling, reads 15 floats in
 * place and keeps the even ones with two permutes, which costs less than copying the plane. The max
 * gradient adds each lane's gradient at the tap the maximum scan picked, wherever that is; the
 * average gradient adds whole vectors of shares, so at stride 2 it accumulates in a plane split
 * into stride phases ({@link PhasedRows}) and copies the input columns out. Larger strides run
 * scalar: their windows rarely overlap, so each input is read about once either way, and copying
 * the plane into phases for vector reads measured slower than the scalar loops (3×3, stride 3).
 */
final class PoolNchw {
  private PoolNchw() {}

  private static final int HALF = Gemm.NR / 2;

  /** Lane i of the low half takes the even float 2i of a vector (8 lanes: 0, 2, 4, 6, ...). */
  private static final VectorShuffle<Float> EVEN_LOW =
      VectorShuffle.fromOp(Gemm.F, i -> i < HALF ? 2 * i : 0);

  /**
   * Lane i of the high half takes float {@code 2(i - HALF) + 1} of a vector loaded {@code NR - 1}
   * floats further on, that is float {@code 2i} of the first (8 lanes: ..., 1, 3, 5, 7).
   */
  private static final VectorShuffle<Float> ODD_HIGH =
      VectorShuffle.fromOp(Gemm.F, i -> i < HALF ? 0 : 2 * (i - HALF) + 1);

  /** The high half's lanes. */
  private static final VectorMask<Float> HIGH = VectorMask.fromLong(Gemm.F, -1L << HALF);

  /**
   * How the vector loops address one plane: tap kx of input row iy for the 8 output columns from ox
   * starts at {@code iy * rowStride + tapOffset[kx] + ox * laneStep} and its lanes are {@code
   * laneStep} apart ({@code pairs}: every other float, read by {@link #lanes}); tap {@code t = (iy
   * - y0) * kw + kx} of a window starting on row y0 is {@code tapAddress[t]} after that row's
   * start.
   *
   * @param phased the phased plane to add into (and copy out), or null to work in place
   */
  private record Layout(
      PhasedRows phased, int rowStride, int[] tapOffset, int[] tapAddress, int laneStep) {

    static Layout of(Geometry g, boolean spread) {
      int kw = g.spec().windowW();
      int left = (int) g.cols().padBefore();
      int sw = g.spec().strideW();
      boolean inPlace = !(spread && sw == 2);
      PhasedRows phased = inPlace ? null : PhasedRows.of(g.in().w(), g.out().w(), kw, sw, 1, left);
      int rowStride = inPlace ? g.in().w() : phased.rowLength();
      int[] offsets = new int[kw];
      for (int kx = 0; kx < kw; kx++) {
        offsets[kx] = inPlace ? kx - left : phased.tapOffset(kx, 1);
      }
      int[] address = new int[g.spec().windowH() * kw];
      for (int t = 0; t < address.length; t++) {
        address[t] = t / kw * rowStride + offsets[t % kw];
      }
      return new Layout(phased, rowStride, offsets, address, inPlace ? sw : 1);
    }

    boolean pairs() {
      return laneStep == 2;
    }

    int phasedFloats(Geometry g) {
      return phased == null ? 0 : g.in().h() * phased.rowLength();
    }
  }

  /** The 8 lanes at {@code at}: consecutive floats, or with {@code pairs} every other one. */
  private static FloatVector lanes(float[] src, int at, boolean pairs) {
    FloatVector low = FloatVector.fromArray(Gemm.F, src, at);
    if (!pairs) {
      return low;
    }
    // Loaded from at + 7, its odd lanes hold at + 8, ..., at + 14: loading from at + 8 would read
    // at + 15, past the last window's last tap, which is past the array on the last plane's row.
    FloatVector high = FloatVector.fromArray(Gemm.F, src, at + Gemm.NR - 1);
    return low.rearrange(EVEN_LOW).blend(high.rearrange(ODD_HIGH), HIGH);
  }

  /** Per call: the read layout, the layout the average gradient adds into, the vector columns. */
  private record Plan(Geometry g, Layout read, Layout spread, int from, int to) {
    static Plan of(Geometry g) {
      int from = PoolWindows.interiorFrom(g);
      int to = PoolWindows.interiorTo(g);
      // Whole vectors only: the interior's last partial vector goes to the scalar loop.
      to = from + (to - from) / Gemm.NR * Gemm.NR;
      if (g.spec().strideW() > 2) {
        to = from; // measured slower as vectors than in scalar: see the class comment
      }
      return new Plan(g, Layout.of(g, false), Layout.of(g, true), from, to);
    }
  }

  static void pool(float[] v, float[] y, Geometry g, boolean max, KernelThreads threads) {
    Plan p = Plan.of(g);
    ImageLayout in = g.in();
    ImageLayout o = g.out();
    long work = (long) o.size() * g.spec().windowH() * g.spec().windowW();
    IntRange.split(
        in.n() * in.c(),
        IntRange.tasksFor(work, threads),
        threads,
        (task, p0, p1) -> {
          for (int pl = p0; pl < p1; pl++) {
            int b = pl / in.c();
            int c = pl % in.c();
            int base = in.index(b, 0, 0, c);
            for (int oy = 0; oy < o.h(); oy++) {
              int dst = o.index(b, oy, 0, c);
              int count = (PoolWindows.y1(g, oy) - PoolWindows.y0(g, oy)) * g.spec().windowW();
              for (int ox = p.from(); ox < p.to(); ox += Gemm.NR) {
                FloatVector r =
                    max
                        ? maxWindows(p, v, base, oy, ox)
                        : sumWindows(p, v, base, oy, ox).div(count);
                r.intoArray(y, dst + ox);
              }
              scalarPool(v, base, y, dst, g, oy, 0, p.from(), max);
              scalarPool(v, base, y, dst, g, oy, p.to(), o.w(), max);
            }
          }
        });
  }

  /**
   * The maxima of 8 windows of output row oy from column ox, read from {@code src} at {@code base}.
   * Max and sum have a method each, so that C2 compiles each with its own profile.
   */
  private static FloatVector maxWindows(Plan p, float[] src, int base, int oy, int ox) {
    Layout l = p.read();
    int y0 = PoolWindows.y0(p.g(), oy);
    int y1 = PoolWindows.y1(p.g(), oy);
    int kw = p.g().spec().windowW();
    int row = base + y0 * l.rowStride() + ox * l.laneStep();
    FloatVector acc = lanes(src, row + l.tapOffset()[0], l.pairs());
    for (int iy = y0; iy < y1; iy++, row += l.rowStride()) {
      for (int kx = iy == y0 ? 1 : 0; kx < kw; kx++) {
        acc = PoolWindows.maxStep(acc, lanes(src, row + l.tapOffset()[kx], l.pairs()));
      }
    }
    return acc;
  }

  /** The sums of 8 windows of output row oy from column ox. */
  private static FloatVector sumWindows(Plan p, float[] src, int base, int oy, int ox) {
    Layout l = p.read();
    int y0 = PoolWindows.y0(p.g(), oy);
    int y1 = PoolWindows.y1(p.g(), oy);
    int kw = p.g().spec().windowW();
    int row = base + y0 * l.rowStride() + ox * l.laneStep();
    FloatVector acc = FloatVector.zero(Gemm.F);
    for (int iy = y0; iy < y1; iy++, row += l.rowStride()) {
      for (int kx = 0; kx < kw; kx++) {
        acc = acc.add(lanes(src, row + l.tapOffset()[kx], l.pairs()));
      }
    }
    return acc;
  }

  /**
   * Output columns {@code [ox0, ox1)} of row oy in scalar, from the input plane at {@code plane}
   * into the output row at {@code dst}: windows clipped by the border, a last partial vector, and
   * every column at strides above 2. The windows are scanned as the reference scans them.
   */
  private static void scalarPool(
      float[] v, int plane, float[] y, int dst, Geometry g, int oy, int ox0, int ox1, boolean max) {
    int width = g.in().w();
    int y0 = PoolWindows.y0(g, oy);
    int y1 = PoolWindows.y1(g, oy);
    for (int ox = ox0; ox < ox1; ox++) {
      int x0 = PoolWindows.x0(g, ox);
      int x1 = PoolWindows.x1(g, ox);
      float acc = v[plane + y0 * width + x0];
      for (int iy = y0; iy < y1; iy++) {
        int row = plane + iy * width;
        for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
          float q = v[row + ix];
          if (!max) {
            acc += q;
          } else if (q > acc) {
            acc = q;
          }
        }
      }
      y[dst + ox] = max ? acc : acc / ((y1 - y0) * (x1 - x0));
    }
  }

  /**
   * The gradients of output columns {@code [ox0, ox1)} of row oy in scalar, as {@link #scalarPool}.
   */
  private static void scalarGrad(
      float[] v,
      float[] dx,
      int plane,
      float[] dy,
      int from,
      Geometry g,
      int oy,
      int ox0,
      int ox1,
      boolean max) {
    int width = g.in().w();
    int y0 = PoolWindows.y0(g, oy);
    int y1 = PoolWindows.y1(g, oy);
    for (int ox = ox0; ox < ox1; ox++) {
      int x0 = PoolWindows.x0(g, ox);
      int x1 = PoolWindows.x1(g, ox);
      float d = dy[from + ox];
      if (max) {
        int best = plane + y0 * width + x0;
        for (int iy = y0; iy < y1; iy++) {
          int row = plane + iy * width;
          for (int ix = x0; ix < x1; ix++) {
            if (v[row + ix] > v[best]) {
              best = row + ix;
            }
          }
        }
        dx[best] += d;
        continue;
      }
      float share = d / ((y1 - y0) * (x1 - x0));
      for (int iy = y0; iy < y1; iy++) {
        int row = plane + iy * width;
        for (int ix = x0; ix < x1; ix++) {
          dx[row + ix] += share;
        }
      }
    }
  }

  static void grad(float[] v, float[] dy, float[] dx, Geometry g, boolean max, KernelThreads t) {
    Plan p = Plan.of(g);
    Layout l = max ? p.read() : p.spread();
    ImageLayout in = g.in();
    ImageLayout o = g.out();
    long work = (long) o.size() * g.spec().windowH() * g.spec().windowW();
    IntRange.split(
        in.n() * in.c(),
        IntRange.tasksFor(work, t),
        t,
        (task, p0, p1) -> {
          boolean phased = l.phased() != null;
          float[] acc = phased ? Scratch.columns(l.phasedFloats(g)) : null;
          float[] lanes = new float[Gemm.NR];
          float[] shares = new float[p.to() - p.from()];
          for (int pl = p0; pl < p1; pl++) {
            int b = pl / in.c();
            int c = pl % in.c();
            int planeBase = in.index(b, 0, 0, c);
            float[] sink = dx;
            int base = planeBase;
            if (phased) {
              Arrays.fill(acc, 0, l.phasedFloats(g), 0f);
              sink = acc;
              base = 0;
            }
            for (int oy = 0; oy < o.h(); oy++) {
              int from = o.index(b, oy, 0, c);
              if (!max) {
                avgRowGrad(p, sink, base, oy, dy, from, shares);
                continue;
              }
              for (int ox = p.from(); ox < p.to(); ox += Gemm.NR) {
                maxWindowsGrad(p, v, dx, base, oy, ox, dy, from + ox, lanes);
              }
            }
            if (phased) {
              l.phased().store(acc, in.h(), dx, planeBase);
            }
            // After the phased copy-out, which overwrites the plane.
            for (int oy = 0; oy < o.h(); oy++) {
              int from = o.index(b, oy, 0, c);
              scalarGrad(v, dx, planeBase, dy, from, g, oy, 0, p.from(), max);
              scalarGrad(v, dx, planeBase, dy, from, g, oy, p.to(), o.w(), max);
            }
          }
        });
  }

  /**
   * Adds the gradients {@code dy[at ..]} of 8 windows of output row oy from column ox at their
   * first maxima in {@code sink} (laid out like {@code src}): the maximum scan also keeps, per
   * lane, the tap that last replaced the maximum, and each lane then adds its gradient there.
   */
  private static void maxWindowsGrad(
      Plan p,
      float[] src,
      float[] sink,
      int base,
      int oy,
      int ox,
      float[] dy,
      int at,
      float[] lanes) {
    Layout l = p.read();
    int y0 = PoolWindows.y0(p.g(), oy);
    int y1 = PoolWindows.y1(p.g(), oy);
    int kw = p.g().spec().windowW();
    int row0 = base + y0 * l.rowStride() + ox * l.laneStep();
    FloatVector acc = lanes(src, row0 + l.tapOffset()[0], l.pairs());
    FloatVector tap = FloatVector.zero(Gemm.F);
    int t = 1;
    for (int iy = y0, row = row0; iy < y1; iy++, row += l.rowStride()) {
      for (int kx = iy == y0 ? 1 : 0; kx < kw; kx++, t++) {
        FloatVector q = lanes(src, row + l.tapOffset()[kx], l.pairs());
        VectorMask<Float> greater = q.compare(VectorOperators.GT, acc);
        acc = acc.blend(q, greater);
        tap = tap.blend(t, greater);
      }
    }
    tap.intoArray(lanes, 0);
    for (int lane = 0; lane < Gemm.NR; lane++) {
      sink[row0 + l.tapAddress()[(int) lanes[lane]] + lane * l.laneStep()] += dy[at + lane];
    }
  }

  /**
   * Adds an equal share of the gradients of output row oy's vector windows to each of their pixels,
   * tap by tap over the whole row: window by window, the 8-float stores of one tap would be
   * reloaded one column over by the next, which stalls store-to-load forwarding.
   */
  private static void avgRowGrad(
      Plan p, float[] sink, int base, int oy, float[] dy, int from, float[] shares) {
    Layout l = p.spread();
    int y0 = PoolWindows.y0(p.g(), oy);
    int y1 = PoolWindows.y1(p.g(), oy);
    int kw = p.g().spec().windowW();
    int count = (y1 - y0) * kw;
    int n = p.to() - p.from();
    for (int i = 0; i < n; i += Gemm.NR) {
      FloatVector.fromArray(Gemm.F, dy, from + p.from() + i).div(count).intoArray(shares, i);
    }
    for (int iy = y0, row = base + y0 * l.rowStride() + p.from(); iy < y1; iy++) {
      for (int kx = 0; kx < kw; kx++) {
        int at = row + l.tapOffset()[kx];
        for (int i = 0; i < n; i += Gemm.NR) {
          FloatVector.fromArray(Gemm.F, sink, at + i)
              .add(FloatVector.fromArray(Gemm.F, shares, i))
              .intoArray(sink, at + i);
        }
      }
      row += l.rowStride();
    }
  }
}
