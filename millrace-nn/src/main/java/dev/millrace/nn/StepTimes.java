package dev.millrace.nn;

import java.util.Arrays;

/**
 * The durations of the most recent steps in a fixed ring (memory does not grow with the run), for
 * medians and percentiles.
 */
public final class StepTimes {
  private final long[] ring;
  private long count;

  public StepTimes(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    ring = new long[capacity];
  }

  public void add(long nanos) {
    ring[(int) (count++ % ring.length)] = nanos;
  }

  /** Steps recorded in all (including those the ring no longer holds). */
  public long count() {
    return count;
  }

  /** The {@code q}-quantile (0.5 for the median) of the kept steps, in nanoseconds; 0 if none. */
  public double quantileNanos(double q) {
    int n = (int) Math.min(count, ring.length);
    if (n == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(ring, n);
    Arrays.sort(sorted);
    double pos = q * (n - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(n - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
}
