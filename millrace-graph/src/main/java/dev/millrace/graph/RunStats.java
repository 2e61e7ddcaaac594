package dev.millrace.graph;

import java.util.List;

/**
 * Statistics of one {@link Session} run, for profilers and the bottleneck doctor.
 *
 * @param wallNanos the run's wall time, from planning to the last kernel
 * @param peakLiveBytes the most bytes of intermediate tensors alive at once (feeds, constants and
 *     variables excluded; a tensor is alive from its kernel's return until its last consumer ran,
 *     or to the end of the run when fetched)
 * @param ops one entry per executed operation, in completion order
 * @param recycledBytes bytes of outputs written into arrays recycled from earlier outputs of the
 *     session instead of new ones (which the JVM must zero)
 */
public record RunStats(long wallNanos, long peakLiveBytes, List<OpStat> ops, long recycledBytes) {
  public RunStats {
    ops = List.copyOf(ops);
  }

  /** Statistics of a run that recycled nothing. */
  public RunStats(long wallNanos, long peakLiveBytes, List<OpStat> ops) {
    this(wallNanos, peakLiveBytes, ops, 0);
  }

  /**
   * One executed operation.
   *
   * @param name the operation's name
   * @param type its op type
   * @param startNanos start time relative to the run's start
   * @param durationNanos the kernel's wall time
   * @param thread the thread that ran it
   * @param outputBytes bytes of its outputs
   */
  public record OpStat(
      String name,
      String type,
      long startNanos,
      long durationNanos,
      String thread,
      long outputBytes) {}
}
