package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.KernelThreads;
import dev.millrace.tensor.Tensor;

/**
 * Softmax and log-softmax over the last axis of a FLOAT32 tensor, row by row in three vector passes
 * ({@link SoftmaxRows}): the maximum, then the sum of {@code exp(v - max)} (softmax keeps the exps
 * in the output and scales them by {@code 1 / sum} in the third pass; log-softmax writes {@code v -
 * max - log(sum)}). A row stays in L1 between its passes. Rows are split over the threads.
 */
public final class SimdSoftmax {
  private SimdSoftmax() {}

  /** Softmax ({@code log} false) or log-softmax of {@code logits}, of rank at least 1. */
  public static Tensor softmax(Tensor logits, boolean log, KernelThreads threads) {
    float[] v = Floats.of(logits);
    Tensor out = Floats.zeros(logits.shape());
    float[] y = Floats.array(out);
    int classes = Math.toIntExact(logits.shape().dim(-1));
    int rows = classes == 0 ? 0 : v.length / classes;
    IntRange.split(
        rows,
        IntRange.tasksFor(v.length, threads),
        threads,
        (task, r0, r1) -> {
          for (int r = r0; r < r1; r++) {
            row(v, y, r * classes, classes, log);
          }
        });
    return out;
  }

  private static void row(float[] v, float[] y, int base, int n, boolean log) {
    float max = SoftmaxRows.max(v, base, n);
    if (!Float.isFinite(max)) {
      for (int j = 0; j < n; j++) {
        y[base + j] = SoftmaxRows.nonFinite(v[base + j], max, log);
      }
    } else if (log) {
      double sum = SoftmaxRows.expSum(v, base, n, max, null, 0);
      SoftmaxRows.logShift(v, y, base, n, max, (float) Math.log(sum));
    } else {
      double sum = SoftmaxRows.expSum(v, base, n, max, y, base);
      SoftmaxRows.scale(y, base, n, (float) (1 / sum));
    }
  }
}
