package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.BatchNormGradients;
import dev.millrace.kernels.FusedBatchNormResult;
import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.internal.ChannelLayout;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

/**
 * Fused batch normalization: training reads x twice (one pass for the per-channel statistics, one
 * that writes {@code y = x * a[c] + b[c]} with {@code a = scale / sqrt(var + eps)}, {@code b =
 * offset - mean * a}); inference reads it once. The unfused chain of elementwise ops reads and
 * writes the tensor once per op.
 *
 * <p>The statistics are one-pass sums of {@code x - shift} and its square, the shift being each
 * channel's first value, which keeps the variance free of cancellation when the mean is large
 * relative to the spread; float lanes accumulate blocks of at most {@link #BLOCK} rows, added into
 * doubles. The tensor is seen as {@code [outer, channels, inner]} ({@link ChannelLayout}): channels
 * are vector lanes in NHWC (inner = 1), each channel's plane is a contiguous run in NCHW.
 */
public final class SimdNorm {
  /** Rows summed in float lanes before the partial sums are added into doubles. */
  static final int BLOCK = 256;

  private SimdNorm() {}

  public static FusedBatchNormResult fusedBatchNorm(
      Tensor x,
      float[] scale,
      float[] offset,
      float[] mean,
      float[] variance,
      double epsilon,
      ChannelLayout l,
      boolean training,
      KernelThreads threads) {
    float[] v = Floats.of(x);
    int channels = l.channels();
    double[] m = new double[channels];
    double[] var = new double[channels];
    double[] reported = new double[channels];
    if (training) {
      statistics(v, l, m, var, threads);
      long n = (long) l.outer() * l.inner();
      // TensorFlow's Bessel factor n / max(n - 1, 1).
      double bessel = (double) n / Math.max(n - 1, 1);
      for (int c = 0; c < channels; c++) {
        reported[c] = var[c] * bessel;
      }
    } else {
      for (int c = 0; c < channels; c++) {
        m[c] = mean[c];
        var[c] = variance[c];
        reported[c] = variance[c];
      }
    }
    double[] invStd = new double[channels];
    float[] a = new float[channels];
    float[] b = new float[channels];
    for (int c = 0; c < channels; c++) {
      invStd[c] = 1 / Math.sqrt(var[c] + epsilon);
      double ac = scale[c] * invStd[c];
      a[c] = (float) ac;
      b[c] = (float) (offset[c] - m[c] * ac);
    }
    Tensor y = Floats.toOverwrite(x.shape());
    scaleShift(v, Floats.array(y), a, b, l, threads);
    Shape stat = Shape.of(channels);
    return new FusedBatchNormResult(
        y, floats(stat, m), floats(stat, reported), floats(stat, m), floats(stat, invStd));
  }

  /** Per channel: the mean and the biased variance, in one pass over {@code v}. */
  static void statistics(float[] v, ChannelLayout l, double[] mean, double[] var, KernelThreads t) {
    int channels = l.channels();
    int outer = l.outer();
    int inner = l.inner();
    long n = (long) outer * inner;
    if (n == 0) {
      java.util.Arrays.fill(mean, Double.NaN);
      java.util.Arrays.fill(var, Double.NaN);
      return;
    }
    float[] shift = new float[channels];
    for (int c = 0; c < channels; c++) {
      shift[c] = v[l.index(0, c, 0)];
    }
    int tasks = outer * (long) channels * inner < 1 << 16 ? 1 : Math.min(t.parallelism(), outer);
    double[][] sums = new double[Math.max(1, tasks)][];
    IntRange.split(
        outer,
        tasks,
        t,
        (task, o0, o1) -> {
          double[] s = new double[2 * channels]; // the task's own thread allocates it
          if (inner == 1) {
            rowSums(v, o0, o1, channels, shift, s);
          } else {
            planeSums(v, o0, o1, channels, inner, shift, s);
          }
          sums[task] = s;
        });
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      double sq = 0;
      for (double[] s : sums) {
        if (s == null) {
          continue;
        }
        sum += s[c];
        sq += s[channels + c];
      }
      double d = sum / n;
      mean[c] = shift[c] + d;
      var[c] = Math.max(sq / n - d * d, 0);
    }
  }

  /** NHWC: rows {@code [o0, o1)} of {@code channels} floats; lanes are channels. */
  private static void rowSums(
      float[] v, int o0, int o1, int channels, float[] shift, double[] out) {
    int vc = channels / Gemm.NR * Gemm.NR;
    for (int c0 = 0; c0 < vc; c0 += Gemm.NR) {
      FloatVector sh = FloatVector.fromArray(Gemm.F, shift, c0);
      for (int b0 = o0; b0 < o1; b0 += BLOCK) {
        int b1 = Math.min(o1, b0 + BLOCK);
        FloatVector s = FloatVector.zero(Gemm.F);
        FloatVector q = s;
        for (int o = b0; o < b1; o++) {
          FloatVector d = FloatVector.fromArray(Gemm.F, v, o * channels + c0).sub(sh);
          s = s.add(d);
          q = d.fma(d, q);
        }
        for (int lane = 0; lane < Gemm.NR; lane++) {
          out[c0 + lane] += s.lane(lane);
          out[channels + c0 + lane] += q.lane(lane);
        }
      }
    }
    for (int c = vc; c < channels; c++) {
      double s = 0;
      double q = 0;
      for (int o = o0; o < o1; o++) {
        double d = v[o * channels + c] - shift[c];
        s += d;
        q += d * d;
      }
      out[c] += s;
      out[channels + c] += q;
    }
  }

  /** NCHW: planes of {@code inner} floats for images {@code [o0, o1)}. */
  private static void planeSums(
      float[] v, int o0, int o1, int channels, int inner, float[] shift, double[] out) {
    for (int o = o0; o < o1; o++) {
      for (int c = 0; c < channels; c++) {
        int base = (o * channels + c) * inner;
        float sh = shift[c];
        FloatVector shv = FloatVector.broadcast(Gemm.F, sh);
        double s = 0;
        double q = 0;
        for (int b0 = 0; b0 < inner; b0 += BLOCK * Gemm.NR) {
          int b1 = Math.min(inner, b0 + BLOCK * Gemm.NR);
          FloatVector vs = FloatVector.zero(Gemm.F);
          FloatVector vq = vs;
          int i = b0;
          for (; i <= b1 - Gemm.NR; i += Gemm.NR) {
            FloatVector d = FloatVector.fromArray(Gemm.F, v, base + i).sub(shv);
            vs = vs.add(d);
            vq = d.fma(d, vq);
          }
          s += LaneMath.sum(vs);
          q += LaneMath.sum(vq);
          for (; i < b1; i++) {
            double d = v[base + i] - sh;
            s += d;
            q += d * d;
          }
        }
        out[c] += s;
        out[channels + c] += q;
      }
    }
  }

  /** {@code y = v * a[c] + b[c]}. */
  static void scaleShift(
      float[] v, float[] y, float[] a, float[] b, ChannelLayout l, KernelThreads t) {
    int channels = l.channels();
    int inner = l.inner();
    int outer = l.outer();
    int tasks = (long) outer * channels * inner < 1 << 16 ? 1 : Math.min(t.parallelism(), outer);
    IntRange.split(
        outer,
        tasks,
        t,
        (task, o0, o1) -> {
          if (inner == 1) {
            int vc = channels / Gemm.NR * Gemm.NR;
            for (int o = o0; o < o1; o++) {
              int base = o * channels;
              int c = 0;
              for (; c < vc; c += Gemm.NR) {
                FloatVector.fromArray(Gemm.F, v, base + c)
                    .fma(FloatVector.fromArray(Gemm.F, a, c), FloatVector.fromArray(Gemm.F, b, c))
                    .intoArray(y, base + c);
              }
              for (; c < channels; c++) {
                y[base + c] = v[base + c] * a[c] + b[c];
              }
            }
            return;
          }
          for (int o = o0; o < o1; o++) {
            for (int c = 0; c < channels; c++) {
              int base = (o * channels + c) * inner;
              FloatVector va = FloatVector.broadcast(Gemm.F, a[c]);
              FloatVector vb = FloatVector.broadcast(Gemm.F, b[c]);
              int i = 0;
              for (; i <= inner - Gemm.NR; i += Gemm.NR) {
                FloatVector.fromArray(Gemm.F, v, base + i).fma(va, vb).intoArray(y, base + i);
              }
              for (; i < inner; i++) {
                y[base + i] = v[base + i] * a[c] + b[c];
              }
            }
          }
        });
  }

  /**
   * FusedBatchNormGrad in training mode: one pass for the per-channel sums of {@code dy} and {@code
   * dy * xhat}, one that writes {@code dx = scale * invStd / n * (n dy - sum(dy) - xhat sum(dy
   * xhat))}, rearranged as {@code dx = dy * k1[c] + x * k2[c] + k3[c]}.
   */
  public static BatchNormGradients fusedBatchNormGrad(
      Tensor outputGrad,
      Tensor x,
      float[] scale,
      float[] savedMean,
      float[] savedInvStd,
      ChannelLayout l,
      KernelThreads threads) {
    float[] dy = Floats.of(outputGrad);
    float[] v = Floats.of(x);
    int channels = l.channels();
    int outer = l.outer();
    int inner = l.inner();
    long n = (long) outer * inner;
    int tasks =
        (long) outer * channels * inner < 1 << 16 ? 1 : Math.min(threads.parallelism(), outer);
    double[][] sums = new double[Math.max(1, tasks)][];
    IntRange.split(
        outer,
        tasks,
        threads,
        (task, o0, o1) -> {
          // Allocated by the task's own thread: partial sums of two threads never share a line.
          double[] s = new double[2 * channels];
          gradSums(dy, v, savedMean, o0, o1, channels, inner, s);
          sums[task] = s;
        });
    double[] dOffset = new double[channels];
    double[] dScale = new double[channels];
    for (double[] s : sums) {
      if (s == null) {
        continue;
      }
      for (int c = 0; c < channels; c++) {
        dOffset[c] += s[c];
        dScale[c] += s[channels + c];
      }
    }
    float[] k1 = new float[channels];
    float[] k2 = new float[channels];
    float[] k3 = new float[channels];
    for (int c = 0; c < channels; c++) {
      dScale[c] *= savedInvStd[c];
      double inv = savedInvStd[c];
      double f = scale[c] * inv / n;
      // dx = f * (n dy - dOffset - xhat dScale), xhat = (x - mean) inv
      k1[c] = (float) (f * n);
      k2[c] = (float) (-f * inv * dScale[c]);
      k3[c] = (float) (-f * dOffset[c] + f * inv * dScale[c] * savedMean[c]);
    }
    Tensor dx = Floats.toOverwrite(x.shape());
    float[] out = Floats.array(dx);
    IntRange.split(
        outer,
        tasks,
        threads,
        (task, o0, o1) -> gradOutput(dy, v, out, k1, k2, k3, o0, o1, channels, inner));
    Shape stat = Shape.of(channels);
    return new BatchNormGradients(dx, floats(stat, dScale), floats(stat, dOffset));
  }

  /**
   * Per channel: {@code sum(dy)} into {@code s[c]}, {@code sum(dy * (x - mean))} into {@code s[C +
   * c]}.
   */
  private static void gradSums(
      float[] dy, float[] v, float[] mean, int o0, int o1, int channels, int inner, double[] s) {
    if (inner == 1) {
      int vc = channels / Gemm.NR * Gemm.NR;
      for (int c0 = 0; c0 < vc; c0 += Gemm.NR) {
        FloatVector m = FloatVector.fromArray(Gemm.F, mean, c0);
        for (int b0 = o0; b0 < o1; b0 += BLOCK) {
          int b1 = Math.min(o1, b0 + BLOCK);
          FloatVector sd = FloatVector.zero(Gemm.F);
          FloatVector sx = sd;
          for (int o = b0; o < b1; o++) {
            FloatVector g = FloatVector.fromArray(Gemm.F, dy, o * channels + c0);
            sd = sd.add(g);
            sx = g.fma(FloatVector.fromArray(Gemm.F, v, o * channels + c0).sub(m), sx);
          }
          for (int lane = 0; lane < Gemm.NR; lane++) {
            s[c0 + lane] += sd.lane(lane);
            s[channels + c0 + lane] += sx.lane(lane);
          }
        }
      }
      for (int c = vc; c < channels; c++) {
        double sd = 0;
        double sx = 0;
        for (int o = o0; o < o1; o++) {
          float g = dy[o * channels + c];
          sd += g;
          sx += g * (v[o * channels + c] - mean[c]);
        }
        s[c] += sd;
        s[channels + c] += sx;
      }
      return;
    }
    for (int o = o0; o < o1; o++) {
      for (int c = 0; c < channels; c++) {
        int base = (o * channels + c) * inner;
        FloatVector m = FloatVector.broadcast(Gemm.F, mean[c]);
        FloatVector sd = FloatVector.zero(Gemm.F);
        FloatVector sx = sd;
        int i = 0;
        for (; i <= inner - Gemm.NR; i += Gemm.NR) {
          FloatVector g = FloatVector.fromArray(Gemm.F, dy, base + i);
          sd = sd.add(g);
          sx = g.fma(FloatVector.fromArray(Gemm.F, v, base + i).sub(m), sx);
        }
        double d = LaneMath.sum(sd);
        double e = LaneMath.sum(sx);
        for (; i < inner; i++) {
          d += dy[base + i];
          e += dy[base + i] * (v[base + i] - mean[c]);
        }
        s[c] += d;
        s[channels + c] += e;
      }
    }
  }

  /** {@code dx = dy * k1[c] + x * k2[c] + k3[c]}. */
  private static void gradOutput(
      float[] dy,
      float[] v,
      float[] out,
      float[] k1,
      float[] k2,
      float[] k3,
      int o0,
      int o1,
      int channels,
      int inner) {
    if (inner == 1) {
      int vc = channels / Gemm.NR * Gemm.NR;
      for (int o = o0; o < o1; o++) {
        int base = o * channels;
        int c = 0;
        for (; c < vc; c += Gemm.NR) {
          FloatVector.fromArray(Gemm.F, dy, base + c)
              .fma(
                  FloatVector.fromArray(Gemm.F, k1, c),
                  FloatVector.fromArray(Gemm.F, v, base + c)
                      .fma(
                          FloatVector.fromArray(Gemm.F, k2, c),
                          FloatVector.fromArray(Gemm.F, k3, c)))
              .intoArray(out, base + c);
        }
        for (; c < channels; c++) {
          out[base + c] = dy[base + c] * k1[c] + v[base + c] * k2[c] + k3[c];
        }
      }
      return;
    }
    for (int o = o0; o < o1; o++) {
      for (int c = 0; c < channels; c++) {
        int base = (o * channels + c) * inner;
        FloatVector a = FloatVector.broadcast(Gemm.F, k1[c]);
        FloatVector b = FloatVector.broadcast(Gemm.F, k2[c]);
        FloatVector d = FloatVector.broadcast(Gemm.F, k3[c]);
        int i = 0;
        for (; i <= inner - Gemm.NR; i += Gemm.NR) {
          FloatVector.fromArray(Gemm.F, dy, base + i)
              .fma(a, FloatVector.fromArray(Gemm.F, v, base + i).fma(b, d))
              .intoArray(out, base + i);
        }
        for (; i < inner; i++) {
          out[base + i] = dy[base + i] * k1[c] + v[base + i] * k2[c] + k3[c];
        }
      }
    }
  }

  private static Tensor floats(Shape shape, double[] values) {
    Tensor t = Floats.zeros(shape);
    float[] a = Floats.array(t);
    for (int i = 0; i < values.length; i++) {
      a[i] = (float) values[i];
    }
    return t;
  }
}
