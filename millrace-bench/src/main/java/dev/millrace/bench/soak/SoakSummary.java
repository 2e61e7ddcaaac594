package dev.millrace.bench.soak;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Whether a long job's counters grew: each counter in a window just after the warm-up (heap sized,
 * code compiled, pools started) against the same counter in the last window of the run, and the
 * resident memory's trend (least squares over every sample after the warm-up). Resident memory is
 * taken at its peak in the window: the heap's sawtooth moves single samples by hundreds of MiB, but
 * with a bounded heap the peak is stable, and memory that leaks adds to it. Threads and open file
 * handles are taken at their median: a file open for a moment (a checkpoint being written as the
 * sample is taken) moves one sample, while a leaked handle moves the median and stays.
 */
public record SoakSummary(
    double seconds,
    int samples,
    Window baseline,
    Window last,
    double rssSlopeBytesPerHour,
    long rssPeakBytes) {

  /** The growth each counter may show and still count as flat. */
  public static final double ALLOWED_GROWTH = 0.05;

  /** Each counter over a span of the run: peak resident memory, median threads and files. */
  public record Window(
      double fromSeconds, double toSeconds, long rssBytes, int threads, int files) {}

  /** A sample: seconds since the job started, and its counters then. */
  public record Sample(double seconds, ProcessCounters counters) {}

  /**
   * Summarises {@code samples} (in time order). The baseline window starts at {@code
   * warmupSeconds}; both windows last {@code windowSeconds}.
   *
   * @throws IllegalArgumentException if the run was too short for two windows after the warm-up
   */
  public static SoakSummary of(List<Sample> samples, double warmupSeconds, double windowSeconds) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    double end = samples.getLast().seconds();
    if (end < warmupSeconds + 2 * windowSeconds) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "the run lasted %.0f s: too short for a %.0f s warm-up and two %.0f s windows",
              end,
              warmupSeconds,
              windowSeconds));
    }
    Window baseline = window(samples, warmupSeconds, warmupSeconds + windowSeconds);
    Window last = window(samples, end - windowSeconds, end);
    long peak = 0;
    for (Sample s : samples) {
      peak = Math.max(peak, s.counters().rssBytes());
    }
    double slopePerSecond =
        slope(
            samples.stream().filter(s -> s.seconds() >= warmupSeconds).toList(),
            s -> s.counters().rssBytes());
    return new SoakSummary(end, samples.size(), baseline, last, slopePerSecond * 3600, peak);
  }

  public double rssGrowth() {
    return growth(baseline.rssBytes(), last.rssBytes());
  }

  public double threadGrowth() {
    return growth(baseline.threads(), last.threads());
  }

  public double fileGrowth() {
    return growth(baseline.files(), last.files());
  }

  /** True when no counter grew by more than {@link #ALLOWED_GROWTH}. */
  public boolean flat() {
    return rssGrowth() <= ALLOWED_GROWTH
        && threadGrowth() <= ALLOWED_GROWTH
        && fileGrowth() <= ALLOWED_GROWTH;
  }

  /** A Markdown table of the two windows and the growth, as recorded in docs/reliability.md. */
  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| | resident memory (peak) | threads (median) | open file handles (median) |\n");
    out.append("|---|---:|---:|---:|\n");
    row(out, span(baseline), baseline);
    row(out, span(last), last);
    out.append(
        String.format(
            Locale.ROOT,
            "| growth | %+.1f %% | %+.1f %% | %+.1f %% |%n",
            100 * rssGrowth(),
            100 * threadGrowth(),
            100 * fileGrowth()));
    out.append(
        String.format(
            Locale.ROOT,
            "%nResident memory trend after the warm-up: %+.1f MiB/hour; peak %.1f MiB; %d samples"
                + " over %.0f min. Verdict: %s.%n",
            rssSlopeBytesPerHour / (1 << 20),
            rssPeakBytes / (double) (1 << 20),
            samples,
            seconds / 60,
            flat()
                ? "flat (every counter within 5 %)"
                : "GROWTH (a counter grew by more than 5 %)"));
    return out.toString();
  }

  private static void row(StringBuilder out, String label, Window w) {
    out.append(
        String.format(
            Locale.ROOT,
            "| %s | %.1f MiB | %d | %d |%n",
            label,
            w.rssBytes() / (double) (1 << 20),
            w.threads(),
            w.files()));
  }

  private static String span(Window w) {
    return String.format(Locale.ROOT, "min %.0f-%.0f", w.fromSeconds() / 60, w.toSeconds() / 60);
  }

  private static Window window(List<Sample> samples, double from, double to) {
    List<ProcessCounters> in =
        samples.stream()
            .filter(s -> s.seconds() >= from && s.seconds() <= to)
            .map(Sample::counters)
            .toList();
    long rss = in.stream().mapToLong(ProcessCounters::rssBytes).max().orElse(0);
    return new Window(
        from,
        to,
        rss,
        median(in.stream().mapToInt(ProcessCounters::threads).toArray()),
        median(in.stream().mapToInt(ProcessCounters::openFiles).toArray()));
  }

  /** The lower median, so that the value is one a sample really had. */
  private static int median(int[] values) {
    if (values.length == 0) {
      return 0;
    }
    java.util.Arrays.sort(values);
    return values[(values.length - 1) / 2];
  }

  private static double growth(double before, double after) {
    return before == 0 ? (after == 0 ? 0 : Double.POSITIVE_INFINITY) : after / before - 1;
  }

  /** Least-squares slope of {@code value} against seconds; 0 for fewer than two samples. */
  private static double slope(List<Sample> samples, ToDoubleFunction<Sample> value) {
    int n = samples.size();
    if (n < 2) {
      return 0;
    }
    double meanT = 0;
    double meanV = 0;
    for (Sample s : samples) {
      meanT += s.seconds() / n;
      meanV += value.applyAsDouble(s) / n;
    }
    double num = 0;
    double den = 0;
    for (Sample s : samples) {
      double dt = s.seconds() - meanT;
      num += dt * (value.applyAsDouble(s) - meanV);
      den += dt * dt;
    }
    return den == 0 ? 0 : num / den;
  }
}
