package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.CrossEntropyResult;
import dev.millrace.kernels.KernelThreads;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * SparseSoftmaxCrossEntropyWithLogits on FLOAT32 {@code [batch, classes]} logits, row by row with
 * the softmax passes of {@link SoftmaxRows}: the exps go straight into the backprop row, which is
 * then scaled by {@code 1 / sum} and has 1 taken from its label's element; the loss is {@code max +
 * log(sum) - logits[label]} in double. Rows are split over the threads.
 */
public final class SimdCrossEntropy {
  private SimdCrossEntropy() {}

  /**
   * The labels as longs if {@code logits} is FLOAT32 {@code [batch, classes]} and {@code labels} an
   * INT32 or INT64 {@code [batch]} with every label in {@code [0, classes)}; otherwise null, and
   * the caller leaves the call to the reference kernels, which name what is wrong.
   */
  public static long[] validLabels(Tensor logits, Tensor labels) {
    if (logits == null
        || labels == null
        || logits.dtype() != DType.FLOAT32
        || logits.shape().rank() != 2
        || (labels.dtype() != DType.INT32 && labels.dtype() != DType.INT64)
        || labels.shape().rank() != 1
        || labels.shape().dim(0) != logits.shape().dim(0)) {
      return null;
    }
    long classes = logits.shape().dim(1);
    long[] y = labels.dtype() == DType.INT64 ? labels.toLongArray() : widen(labels.toIntArray());
    for (long label : y) {
      if (label < 0 || label >= classes) {
        return null;
      }
    }
    return y;
  }

  private static long[] widen(int[] v) {
    long[] w = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      w[i] = v[i];
    }
    return w;
  }

  /** The loss and backprop of {@code logits} against {@link #validLabels valid} labels. */
  public static CrossEntropyResult sparse(Tensor logits, long[] labels, KernelThreads threads) {
    float[] v = Floats.of(logits);
    int batch = labels.length;
    int classes = Math.toIntExact(logits.shape().dim(1));
    Tensor loss = Floats.zeros(Shape.of(batch));
    Tensor backprop = Floats.zeros(logits.shape());
    float[] l = Floats.array(loss);
    float[] g = Floats.array(backprop);
    IntRange.split(
        batch,
        IntRange.tasksFor(v.length, threads),
        threads,
        (task, b0, b1) -> {
          for (int b = b0; b < b1; b++) {
            l[b] = row(v, g, b * classes, classes, (int) labels[b]);
          }
        });
    return new CrossEntropyResult(loss, backprop);
  }

  /** Writes the row's backprop and returns its loss. */
  private static float row(float[] v, float[] g, int base, int n, int label) {
    float max = SoftmaxRows.max(v, base, n);
    if (!Float.isFinite(max)) {
      for (int j = 0; j < n; j++) {
        g[base + j] = SoftmaxRows.nonFinite(v[base + j], max, false) - (j == label ? 1 : 0);
      }
      return (float) ((double) max - v[base + label]);
    }
    double sum = SoftmaxRows.expSum(v, base, n, max, g, base);
    SoftmaxRows.scale(g, base, n, (float) (1 / sum));
    g[base + label] -= 1;
    return (float) (max + Math.log(sum) - v[base + label]);
  }
}
