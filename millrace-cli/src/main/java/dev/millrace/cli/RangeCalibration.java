package dev.millrace.cli;

import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The range of one tensor over the calibration batches: its smallest and largest value, and a
 * uniform sample of its values (reservoir sampling, at most {@link #SAMPLE} of them, so memory is
 * bounded whatever the data) for a percentile range that ignores rare outliers.
 */
final class RangeCalibration {
  /** Values kept per tensor for percentiles: 64 Ki floats, 256 KiB. */
  static final int SAMPLE = 1 << 16;

  private final float[] sample = new float[SAMPLE];
  private final SplittableRandom random;
  private long seen;
  private float min = Float.POSITIVE_INFINITY;
  private float max = Float.NEGATIVE_INFINITY;

  RangeCalibration(long seed) {
    random = new SplittableRandom(seed);
  }

  void observe(Tensor t) {
    float[] v = t.toFloatArray();
    for (float x : v) {
      if (Float.isNaN(x)) {
        continue;
      }
      min = Math.min(min, x);
      max = Math.max(max, x);
      if (seen < SAMPLE) {
        sample[(int) seen] = x;
      } else {
        long j = random.nextLong(seen + 1);
        if (j < SAMPLE) {
          sample[(int) j] = x;
        }
      }
      seen++;
    }
  }

  /** {@code {min, max}} of every value seen. */
  float[] minMax() {
    requireSeen();
    return new float[] {min, max};
  }

  /**
   * {@code {low, high}}: the {@code (100 - p)}-th and {@code p}-th percentiles of the sample, for
   * {@code p} in (50, 100].
   */
  float[] percentile(double p) {
    requireSeen();
    int n = (int) Math.min(seen, SAMPLE);
    float[] sorted = Arrays.copyOf(sample, n);
    Arrays.sort(sorted);
    int hi = (int) Math.min(n - 1, Math.ceil(p / 100 * n) - 1);
    int lo = (int) Math.max(0, Math.floor((100 - p) / 100 * n));
    return new float[] {sorted[lo], sorted[Math.max(lo, hi)]};
  }

  private void requireSeen() {
    if (seen == 0) {
      throw new IllegalStateException("no values were observed");
    }
  }
}
