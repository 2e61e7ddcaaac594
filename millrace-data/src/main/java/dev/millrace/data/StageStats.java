package dev.millrace.data;

/**
 * What one stage of a running pipeline has done so far. Stages are named {@code kind#n}, numbered
 * in data-flow order from the source ({@code tfRecords#0}, {@code map#1}, ...); stages of the
 * datasets an interleave opens are prefixed with its name ({@code interleave#1/tfRecordFile#0}) and
 * summed over all the datasets it opened.
 *
 * <p>Times are summed over the stage's threads. For a stage that runs in its caller's thread,
 * {@code busyNanos} is its own work and {@code inputWaitNanos} the time spent getting its inputs
 * (upstream work done in the same thread included); both are estimated from a random sample of
 * calls, as are its {@code bytes} (a TFRecord source counts its payload bytes exactly). For an
 * asynchronous stage (prefetch, parallel map, interleave) they are measured per chunk by its
 * workers, and {@code outputWaitNanos} is the time its workers were blocked on a full buffer.
 *
 * @param name the stage's name, such as {@code map#2}
 * @param kind the transformation, such as {@code map}
 * @param elements elements produced
 * @param bytes bytes of the elements produced
 * @param busyNanos time spent on the stage's own work
 * @param inputWaitNanos time spent waiting for or computing inputs
 * @param outputWaitNanos time blocked because the output buffer was full
 * @param parallelism worker threads in use (1 for a stage without workers; the current autotuned
 *     value for {@code AUTOTUNE})
 * @param bufferLimit elements the stage may buffer now (0 for no buffer)
 * @param shareBytes the stage's share of the RAM budget (0 for no buffer)
 * @param bufferedBytes bytes buffered now
 * @param peakBufferedBytes the most bytes ever buffered at once
 * @param dropped elements dropped: filtered out, skipped as errors or corrupt records
 */
public record StageStats(
    String name,
    String kind,
    long elements,
    long bytes,
    long busyNanos,
    long inputWaitNanos,
    long outputWaitNanos,
    int parallelism,
    long bufferLimit,
    long shareBytes,
    long bufferedBytes,
    long peakBufferedBytes,
    long dropped) {

  /** Busy time per element produced, in nanoseconds (0 before the first element). */
  public double nanosPerElement() {
    return elements == 0 ? 0 : (double) busyNanos / elements;
  }

  /** The fraction of {@code wallNanos × parallelism} that the stage was busy. */
  public double utilisation(long wallNanos) {
    return wallNanos <= 0
        ? 0
        : (double) busyNanos / ((double) wallNanos * Math.max(1, parallelism));
  }
}
