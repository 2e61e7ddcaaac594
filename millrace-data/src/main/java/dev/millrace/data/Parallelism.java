package dev.millrace.data;

/**
 * How many threads a stage uses, or how deep a prefetch buffer is: a fixed number or {@link
 * #AUTOTUNE}, which lets the pipeline adjust it at run time from measured stage latencies and the
 * consumer's wait time (up to {@link Options#maxParallelism()}, within {@link
 * Options#ramBudget()}).
 */
public final class Parallelism {
  /** Chosen and adjusted by the pipeline while it runs. */
  public static final Parallelism AUTOTUNE = new Parallelism(-1);

  private final int value;

  private Parallelism(int value) {
    this.value = value;
  }

  /** Exactly {@code n} (threads, or elements of prefetch buffer). */
  public static Parallelism of(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1 or AUTOTUNE, got " + n);
    }
    return new Parallelism(n);
  }

  public boolean isAutotune() {
    return value < 0;
  }

  /** The fixed value; fails for {@link #AUTOTUNE}. */
  public int value() {
    if (value < 0) {
      throw new IllegalStateException("AUTOTUNE has no fixed value");
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Parallelism p && p.value == value;
  }

  @Override
  public int hashCode() {
    return value;
  }

  @Override
  public String toString() {
    return value < 0 ? "AUTOTUNE" : Integer.toString(value);
  }
}
