package dev.millrace.data;

import java.util.List;
import java.util.Locale;

/**
 * A snapshot of a pipeline's statistics: one {@link StageStats} per stage in data-flow order (the
 * source first, the stage the consumer pulls last), and what the consumer saw.
 *
 * @param stages every stage, in data-flow order
 * @param wallNanos time since the iterator was opened (until it was closed, once closed)
 * @param elementsDelivered elements returned to the consumer
 * @param consumerWaitNanos time the consumer spent inside {@code next()}/{@code hasNext()}
 * @param ramBudget the budget for buffered bytes ({@link Options#ramBudget()})
 * @param peakBufferedBytes the most bytes buffered by all stages together at any moment
 */
public record PipelineStats(
    List<StageStats> stages,
    long wallNanos,
    long elementsDelivered,
    long consumerWaitNanos,
    long ramBudget,
    long peakBufferedBytes) {

  public PipelineStats {
    stages = List.copyOf(stages);
  }

  /** The stage named {@code name}. */
  public StageStats stage(String name) {
    for (StageStats s : stages) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "no stage '" + name + "' (stages: " + stages.stream().map(StageStats::name).toList() + ")");
  }

  /**
   * Elements produced by all stages of {@code kind} ({@code "tfRecords"}: records read, in every
   * file an interleave opened).
   */
  public long elements(String kind) {
    return stages.stream().filter(s -> s.kind().equals(kind)).mapToLong(StageStats::elements).sum();
  }

  /** Bytes produced by all stages of {@code kind} ({@code "tfRecords"}: exact payload bytes). */
  public long bytes(String kind) {
    return stages.stream().filter(s -> s.kind().equals(kind)).mapToLong(StageStats::bytes).sum();
  }

  /** Elements delivered per second of wall time. */
  public double elementsPerSecond() {
    return wallNanos <= 0 ? 0 : elementsDelivered * 1e9 / wallNanos;
  }

  /**
   * The consumer-wait share from which the pipeline, not its consumer, is the limit: below it the
   * pipeline kept up, and its busiest stage is not a bottleneck.
   */
  public static final double INPUT_BOUND_WAIT = 0.10;

  /** True when the consumer waited {@link #INPUT_BOUND_WAIT} or more of the time. */
  public boolean inputBound() {
    return elementsDelivered > 0 && consumerWaitFraction() >= INPUT_BOUND_WAIT;
  }

  /** The fraction of wall time the consumer spent waiting for the pipeline. */
  public double consumerWaitFraction() {
    return wallNanos <= 0 ? 0 : Math.min(1, (double) consumerWaitNanos / wallNanos);
  }

  /** Elements dropped by all stages (filtered, skipped errors, corrupt records). */
  public long dropped() {
    return stages.stream().mapToLong(StageStats::dropped).sum();
  }

  /**
   * The stage whose threads were busiest relative to their number: the one to speed up (or give
   * more parallelism) when the consumer waits.
   */
  public StageStats bottleneck() {
    StageStats best = null;
    for (StageStats s : stages) {
      if (best == null || s.utilisation(wallNanos) > best.utilisation(wallNanos)) {
        best = s;
      }
    }
    return best;
  }

  /**
   * One line: whether the consumer or the input is the limit, and which stage is the bottleneck.
   * For example {@code input-bound: consumer waited 72% of 2.10 s; bottleneck map#2 (busy 97% of 2
   * threads, 3.10 µs/element); 512,000 elements/s}.
   */
  public String summary() {
    if (stages.isEmpty() || elementsDelivered == 0) {
      return String.format(
          Locale.ROOT, "no elements delivered yet (%.2f s since open)", wallNanos / 1e9);
    }
    StageStats b = bottleneck();
    String stage =
        String.format(
            Locale.ROOT,
            "%s (busy %.0f%% of %d thread%s, %.2f µs/element)",
            b.name(),
            100 * b.utilisation(wallNanos),
            Math.max(1, b.parallelism()),
            Math.max(1, b.parallelism()) == 1 ? "" : "s",
            b.nanosPerElement() / 1e3);
    double wait = consumerWaitFraction();
    String rate = String.format(Locale.ROOT, "%,.0f elements/s", elementsPerSecond());
    if (!inputBound()) {
      return String.format(
          Locale.ROOT,
          "consumer-bound: the pipeline kept up (consumer waited %.0f%% of %.2f s); busiest stage"
              + " %s; %s",
          100 * wait,
          wallNanos / 1e9,
          stage,
          rate);
    }
    return String.format(
        Locale.ROOT,
        "input-bound: consumer waited %.0f%% of %.2f s; bottleneck %s; %s",
        100 * wait,
        wallNanos / 1e9,
        stage,
        rate);
  }

  /** A table with one line per stage, for reports and the command line. */
  public String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-36s %12s %10s %9s %9s %9s %4s %10s %8s%n",
            "stage",
            "elements",
            "MB",
            "busy s",
            "in-wait s",
            "out-wait",
            "par",
            "peak buf",
            "dropped"));
    for (StageStats s : stages) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-36s %,12d %10.1f %9.3f %9.3f %9.3f %4d %10s %8d%n",
              s.name(),
              s.elements(),
              s.bytes() / 1e6,
              s.busyNanos() / 1e9,
              s.inputWaitNanos() / 1e9,
              s.outputWaitNanos() / 1e9,
              s.parallelism(),
              s.shareBytes() == 0
                  ? "-"
                  : String.format(Locale.ROOT, "%.1fMB", s.peakBufferedBytes() / 1e6),
              s.dropped()));
    }
    return sb.append(summary()).toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
