package dev.millrace.cli;

import java.util.Locale;

/** Durations for people: {@code 4.2s}, {@code 3m05s}, {@code 1h02m}. */
final class Durations {
  private Durations() {}

  static String of(double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      return "?";
    }
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1fs", seconds);
    }
    long s = Math.round(seconds);
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
