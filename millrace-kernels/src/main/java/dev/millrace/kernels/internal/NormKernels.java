package dev.millrace.kernels.internal;

import dev.millrace.kernels.BatchNormGradients;
import dev.millrace.kernels.CrossEntropyResult;
import dev.millrace.kernels.FusedBatchNormResult;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/** Fused batch normalization, softmax and sparse softmax cross-entropy. */
public final class NormKernels {
  private NormKernels() {}

  public static FusedBatchNormResult fusedBatchNorm(
      Tensor x,
      Tensor scale,
      Tensor offset,
      Tensor mean,
      Tensor variance,
      double epsilon,
      DataFormat format,
      boolean training) {
    String op = "fusedBatchNorm";
    Checks.requireFloating(op, "x", x);
    Checks.requireNonNull(op, "format", format);
    ChannelLayout l = ChannelLayout.of(op, x.shape(), format);
    requireChannelVector(op, "scale", scale, x, l, format);
    requireChannelVector(op, "offset", offset, x, l, format);
    if (!training) {
      requireChannelVector(op, "mean", mean, x, l, format);
      requireChannelVector(op, "variance", variance, x, l, format);
    }
    double[] v = Buffers.doubles(x);
    int channels = l.channels();
    double[] m = new double[channels];
    double[] var = new double[channels];
    double[] reported = new double[channels];
    if (training) {
      batchStatistics(l, v, m, var, reported);
    } else {
      System.arraycopy(Buffers.doubles(mean), 0, m, 0, channels);
      System.arraycopy(Buffers.doubles(variance), 0, var, 0, channels);
      System.arraycopy(var, 0, reported, 0, channels);
    }
    double[] invStd = new double[channels];
    for (int c = 0; c < channels; c++) {
      invStd[c] = 1 / Math.sqrt(var[c] + epsilon);
    }
    double[] s = Buffers.doubles(scale);
    double[] b = Buffers.doubles(offset);
    double[] y = new double[v.length];
    LinearKernels.forEach(l, (i, c) -> y[i] = s[c] * (v[i] - m[c]) * invStd[c] + b[c]);
    DType statType = scale.dtype();
    Shape statShape = Shape.of(channels);
    return new FusedBatchNormResult(
        Buffers.fromDoubles(x.dtype(), x.shape(), y),
        Buffers.fromDoubles(statType, statShape, m),
        Buffers.fromDoubles(statType, statShape, reported),
        Buffers.fromDoubles(statType, statShape, m),
        Buffers.fromDoubles(statType, statShape, invStd));
  }

  /** Per channel: the mean, the biased variance and the reported (Bessel-corrected) variance. */
  private static void batchStatistics(
      ChannelLayout l, double[] v, double[] mean, double[] biased, double[] reported) {
    int n = l.perChannel();
    LinearKernels.forEach(l, (i, c) -> mean[c] += v[i]);
    for (int c = 0; c < l.channels(); c++) {
      mean[c] /= n;
    }
    LinearKernels.forEach(l, (i, c) -> biased[c] += (v[i] - mean[c]) * (v[i] - mean[c]));
    // TensorFlow's Bessel factor n / max(n - 1, 1): a single pixel per channel reports the
    // biased variance rather than dividing by zero.
    double bessel = (double) n / Math.max(n - 1, 1);
    for (int c = 0; c < l.channels(); c++) {
      biased[c] /= n;
      reported[c] = biased[c] * bessel;
    }
  }

  public static BatchNormGradients fusedBatchNormGrad(
      Tensor outputGrad,
      Tensor x,
      Tensor scale,
      Tensor savedMean,
      Tensor savedInvStd,
      DataFormat format) {
    String op = "fusedBatchNormGrad";
    Checks.requireFloating(op, "outputGrad", outputGrad);
    Checks.requireFloating(op, "x", x);
    Checks.requireLike(op, "outputGrad", outputGrad, "x", x);
    Checks.requireNonNull(op, "format", format);
    ChannelLayout l = ChannelLayout.of(op, x.shape(), format);
    requireChannelVector(op, "scale", scale, x, l, format);
    requireChannelVector(op, "savedMean", savedMean, x, l, format);
    requireChannelVector(op, "savedInvStd", savedInvStd, x, l, format);
    double[] dy = Buffers.doubles(outputGrad);
    double[] v = Buffers.doubles(x);
    double[] s = Buffers.doubles(scale);
    double[] m = Buffers.doubles(savedMean);
    double[] inv = Buffers.doubles(savedInvStd);
    int channels = l.channels();
    double n = l.perChannel();
    double[] dOffset = new double[channels];
    double[] dScale = new double[channels];
    LinearKernels.forEach(
        l,
        (i, c) -> {
          dOffset[c] += dy[i];
          dScale[c] += dy[i] * (v[i] - m[c]) * inv[c];
        });
    // The batch statistics depend on x too: dx = scale * invStd / n * (n dy - sum(dy) - xhat
    // sum(dy xhat)).
    double[] dx = new double[v.length];
    LinearKernels.forEach(
        l,
        (i, c) -> {
          double xhat = (v[i] - m[c]) * inv[c];
          dx[i] = s[c] * inv[c] / n * (n * dy[i] - dOffset[c] - xhat * dScale[c]);
        });
    Shape statShape = Shape.of(channels);
    return new BatchNormGradients(
        Buffers.fromDoubles(x.dtype(), x.shape(), dx),
        Buffers.fromDoubles(scale.dtype(), statShape, dScale),
        Buffers.fromDoubles(scale.dtype(), statShape, dOffset));
  }

  private static void requireChannelVector(
      String op, String role, Tensor t, Tensor x, ChannelLayout l, DataFormat format) {
    Checks.requireFloating(op, role, t);
    if (t.shape().rank() != 1 || t.shape().dim(0) != l.channels()) {
      throw new IllegalArgumentException(
          op
              + ": "
              + role
              + " "
              + t.shape()
              + " must be rank 1 with the "
              + l.channels()
              + " channels of x "
              + x.shape()
              + " ("
              + format
              + ")");
    }
  }

  /** Softmax or log-softmax over the last axis, the row maximum subtracted first. */
  public static Tensor softmax(Tensor logits, boolean log) {
    String op = log ? "logSoftmax" : "softmax";
    Checks.requireFloating(op, "logits", logits);
    if (logits.shape().rank() < 1) {
      throw new IllegalArgumentException(
          op + ": logits must have rank >= 1, got shape " + logits.shape());
    }
    int classes = Math.toIntExact(logits.shape().dim(-1));
    double[] v = Buffers.doubles(logits);
    int rows = classes == 0 ? 0 : v.length / classes;
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      double lse = logSumExp(v, base, classes);
      for (int j = 0; j < classes; j++) {
        v[base + j] = log ? v[base + j] - lse : Math.exp(v[base + j] - lse);
      }
    }
    return Buffers.fromDoubles(logits.dtype(), logits.shape(), v);
  }

  public static CrossEntropyResult sparseSoftmaxCrossEntropy(Tensor logits, Tensor labels) {
    String op = "sparseSoftmaxCrossEntropy";
    Checks.requireFloating(op, "logits", logits);
    Checks.requireRank(op, "logits", logits, 2);
    Checks.requireNonNull(op, "labels", labels);
    if (labels.dtype() != DType.INT32 && labels.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          op + ": labels must be INT32 or INT64, got " + Checks.describe(labels));
    }
    int batch = Math.toIntExact(logits.shape().dim(0));
    int classes = Math.toIntExact(logits.shape().dim(1));
    if (labels.shape().rank() != 1 || labels.shape().dim(0) != batch) {
      throw new IllegalArgumentException(
          op
              + ": labels "
              + labels.shape()
              + " must be [batch] for logits "
              + logits.shape()
              + " [batch, classes]");
    }
    long[] y = Buffers.longs(labels);
    for (int b = 0; b < batch; b++) {
      if (y[b] < 0 || y[b] >= classes) {
        throw new IllegalArgumentException(
            op
                + ": label "
                + y[b]
                + " at index "
                + b
                + " is outside the valid range [0, "
                + classes
                + ") of logits "
                + logits.shape());
      }
    }
    double[] v = Buffers.doubles(logits);
    double[] loss = new double[batch];
    double[] backprop = new double[v.length];
    for (int b = 0; b < batch; b++) {
      int base = b * classes;
      double lse = logSumExp(v, base, classes);
      loss[b] = lse - v[base + (int) y[b]];
      for (int j = 0; j < classes; j++) {
        backprop[base + j] = Math.exp(v[base + j] - lse) - (j == y[b] ? 1 : 0);
      }
    }
    return new CrossEntropyResult(
        Buffers.fromDoubles(logits.dtype(), Shape.of(batch), loss),
        Buffers.fromDoubles(logits.dtype(), logits.shape(), backprop));
  }

  /** {@code log(sum(exp(v[base .. base + n))))}, stable for large magnitudes. */
  private static double logSumExp(double[] v, int base, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      max = Math.max(max, v[base + j]);
    }
    if (Double.isInfinite(max)) {
      return max; // all -inf (or some +inf): avoid inf - inf
    }
    double sum = 0;
    for (int j = 0; j < n; j++) {
      sum += Math.exp(v[base + j] - max);
    }
    return max + Math.log(sum);
  }
}
