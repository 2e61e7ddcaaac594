package dev.millrace.profile;

/**
 * Which steps a {@link TraceRecorder} records and how large its trace may grow: traces of hundreds
 * of megabytes do not open in Perfetto or {@code chrome://tracing}, so recording stops at the first
 * limit reached.
 *
 * @param warmupSteps steps left out first (compilation, autotuning and caches settle in them),
 *     counted from the first step the recorder sees, so a resumed run is traced the same way
 * @param steps steps recorded after the warm-up
 * @param maxEvents the most events in the trace (slices and counter values; a tenth is kept for
 *     counters)
 * @param maxBytes the most bytes of JSON the events may take, estimated as they come
 */
public record TraceLimits(int warmupSteps, int steps, int maxEvents, long maxBytes) {
  public TraceLimits {
    if (warmupSteps < 0 || steps < 1 || maxEvents < 10 || maxBytes < 1024) {
      throw new IllegalArgumentException(
          "warmupSteps "
              + warmupSteps
              + " (expected >= 0), steps "
              + steps
              + " (>= 1), maxEvents "
              + maxEvents
              + " (>= 10), maxBytes "
              + maxBytes
              + " (>= 1024)");
    }
  }

  /** Steps 10 to 29 of the run, at most 100,000 events and about 8 MiB. */
  public static TraceLimits defaults() {
    return new TraceLimits(10, 20, 100_000, 8L << 20);
  }

  /** These limits recording {@code steps} steps after {@code warmupSteps}. */
  public TraceLimits withSteps(int warmupSteps, int steps) {
    return new TraceLimits(warmupSteps, steps, maxEvents, maxBytes);
  }

  /** These limits with other caps on the trace's size. */
  public TraceLimits withCaps(int maxEvents, long maxBytes) {
    return new TraceLimits(warmupSteps, steps, maxEvents, maxBytes);
  }
}
