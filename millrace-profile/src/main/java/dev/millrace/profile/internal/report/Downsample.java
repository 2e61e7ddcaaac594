package dev.millrace.profile.internal.report;

/**
 * Cuts a long series down to a bounded number of points, each the mean of a run of consecutive
 * inputs. Means rather than picks, so that a chart of the points shows the same totals as the data:
 * the count-weighted mean of the points equals the mean of the inputs.
 *
 * <p>Every bucket but the last holds the same number of inputs, so every point stands for an equal
 * stretch of the run: buckets of unequal sizes (say one and two inputs alternating) would make a
 * noisy series look jagged where it is not.
 */
public final class Downsample {
  private Downsample() {}

  /**
   * The bucket boundaries for {@code n} inputs and at most {@code maxPoints} points: bucket {@code
   * i} holds inputs {@code [bounds[i], bounds[i + 1])}, each {@link #perPoint} inputs but the last,
   * which holds what is left. One bucket per input when {@code n <= maxPoints}.
   */
  public static int[] buckets(int n, int maxPoints) {
    int size = perPoint(n, maxPoints);
    int points = size == 0 ? 0 : (n + size - 1) / size;
    int[] bounds = new int[points + 1];
    for (int i = 0; i < points; i++) {
      bounds[i] = i * size;
    }
    bounds[points] = n;
    return bounds;
  }

  /** How many inputs each point stands for: the fewest that keep within {@code maxPoints}. */
  public static int perPoint(int n, int maxPoints) {
    if (n < 0 || maxPoints < 1) {
      throw new IllegalArgumentException(
          "n " + n + ", maxPoints " + maxPoints + " (expected: n >= 0, maxPoints >= 1)");
    }
    return n == 0 ? 0 : (int) (((long) n + maxPoints - 1) / maxPoints);
  }

  /**
   * The mean of each bucket of {@code values}; {@code NaN} inputs (a measurement that is absent)
   * are left out of their bucket's mean, and a bucket of only {@code NaN} has mean {@code NaN}.
   */
  public static double[] means(double[] values, int[] bounds) {
    int points = bounds.length - 1;
    if (points < 0 || bounds[points] != values.length) {
      throw new IllegalArgumentException(
          "bounds end at "
              + (points < 0 ? "nothing" : bounds[points])
              + " but there are "
              + values.length
              + " values");
    }
    double[] means = new double[points];
    for (int b = 0; b < points; b++) {
      double sum = 0;
      int count = 0;
      for (int i = bounds[b]; i < bounds[b + 1]; i++) {
        if (!Double.isNaN(values[i])) {
          sum += values[i];
          count++;
        }
      }
      means[b] = count == 0 ? Double.NaN : sum / count;
    }
    return means;
  }

  /** How many inputs each bucket holds. */
  public static int[] counts(int[] bounds) {
    int[] counts = new int[Math.max(0, bounds.length - 1)];
    for (int b = 0; b < counts.length; b++) {
      counts[b] = bounds[b + 1] - bounds[b];
    }
    return counts;
  }
}
