package dev.millrace.convert;

/**
 * Hears how far a conversion is. A conversion is a sequence of tasks (one per split, named after
 * it); each is {@code begin}, any number of {@code advance}, then {@code end} — {@code end} also
 * when the task fails. All calls come from the thread that called {@link Converters#convert}.
 */
public interface ProgressListener {
  /**
   * A task starts.
   *
   * @param task its name (the split's name)
   * @param totalUnits how many units (records) it will take
   */
  void begin(String task, long totalUnits);

  /**
   * A task that started {@code elapsedNanos} ago starts being reported, so that a listener showing
   * a rate counts the units done so far against the time they really took.
   */
  default void begin(String task, long totalUnits, long elapsedNanos) {
    begin(task, totalUnits);
  }

  /** {@code units} more units of the current task are done. */
  void advance(long units);

  /** The current task is over. */
  void end();

  /** A listener that ignores everything. */
  static ProgressListener none() {
    return NoProgress.INSTANCE;
  }
}
