package dev.millrace.profile.internal.trace;

import java.util.Map;

/**
 * One event of a Chrome trace before it is written: a complete slice ({@code ph: "X"}) on track
 * {@code tid}, or a counter value ({@code ph: "C"}, {@code durNanos} 0). Times are on the {@link
 * System#nanoTime()} clock; the writer makes them relative. Argument values are strings, longs or
 * finite doubles.
 */
public record TraceEvent(
    Phase phase,
    int tid,
    String name,
    String category,
    long startNanos,
    long durNanos,
    Map<String, Object> args) {
  /** The event kinds this writer emits. */
  public enum Phase {
    COMPLETE("X"),
    COUNTER("C");

    final String code;

    Phase(String code) {
      this.code = code;
    }
  }

  public TraceEvent {
    if (durNanos < 0) {
      throw new IllegalArgumentException("durNanos must be >= 0, got " + durNanos);
    }
    args = Map.copyOf(args);
  }

  public long endNanos() {
    return startNanos + durNanos;
  }

  TraceEvent withDuration(long nanos) {
    return new TraceEvent(phase, tid, name, category, startNanos, nanos, args);
  }

  /**
   * A generous estimate of the event's JSON size: a fixed part for the keys, numbers and
   * punctuation, plus the strings (which JSON escaping may lengthen, rarely for names like these).
   */
  public long estimatedBytes() {
    long n = 110 + name.length() + category.length();
    for (Map.Entry<String, Object> e : args.entrySet()) {
      n += e.getKey().length() + String.valueOf(e.getValue()).length() + 8;
    }
    return n;
  }
}
