package dev.millrace.profile;

/**
 * CPU and read activity over one sampling interval, ending at {@code nanoTime}. Times are on the
 * {@link System#nanoTime()} clock, so samples line up with {@link StepRecord#startNanos()}; rates
 * are averages over the interval. A value the machine does not report is {@code NaN} (a share) or
 * {@code -1} (a byte count).
 *
 * @param nanoTime the end of the interval, on the {@link System#nanoTime()} clock
 * @param wallMillis the end of the interval, in milliseconds since the epoch
 * @param intervalNanos the interval's length
 * @param processCpu the share of the CPUs available to the JVM that this process used, normally in
 *     [0, 1] (clock ticks are 10 ms, so a short interval can read a little above 1)
 * @param processCores the CPUs this process kept busy on average (user plus system time)
 * @param machineCpu the share of the whole machine's CPU time that was busy (not idle or waiting
 *     for I/O), all processes together, in [0, 1]
 * @param diskReadBytes bytes this process caused to be read from storage
 * @param readBytes bytes this process read through read calls, page-cache hits included
 */
public record UtilisationSample(
    long nanoTime,
    long wallMillis,
    long intervalNanos,
    double processCpu,
    double processCores,
    double machineCpu,
    long diskReadBytes,
    long readBytes) {
  public UtilisationSample {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("intervalNanos must be positive, got " + intervalNanos);
    }
  }

  /** When the interval began, on the {@link System#nanoTime()} clock. */
  public long startNanos() {
    return nanoTime - intervalNanos;
  }

  /** Storage read rate over the interval ({@code NaN} if unknown). */
  public double diskReadBytesPerSecond() {
    return diskReadBytes < 0 ? Double.NaN : diskReadBytes * 1e9 / intervalNanos;
  }

  /** Read rate over the interval, page-cache hits included ({@code NaN} if unknown). */
  public double readBytesPerSecond() {
    return readBytes < 0 ? Double.NaN : readBytes * 1e9 / intervalNanos;
  }
}
