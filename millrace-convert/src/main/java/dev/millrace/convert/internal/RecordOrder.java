package dev.millrace.convert.internal;

import java.util.Random;

/** The order in which a split's source records are written. */
public final class RecordOrder {
  private RecordOrder() {}

  /**
   * Source order, or a seeded permutation of it.
   *
   * <p>The permutation is a Fisher–Yates shuffle driven by {@link java.util.Random}, whose
   * algorithm the JDK specifies exactly: a seed gives the same order on every JVM and machine.
   *
   * @return {@code order[i]} = source index of the {@code i}-th record written
   */
  public static int[] of(int count, boolean shuffle, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("count: " + count + " (expected >= 0)");
    }
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    if (shuffle) {
      Random random = new Random(seed);
      for (int i = count - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }
}
