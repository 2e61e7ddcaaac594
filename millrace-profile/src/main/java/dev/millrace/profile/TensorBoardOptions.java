package dev.millrace.profile;

import dev.millrace.profile.internal.Hostname;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How a {@link TensorBoardWriter} writes.
 *
 * @param scalarForm how scalars are stored ({@link ScalarForm#TENSOR}, TensorFlow 2's form, by
 *     default)
 * @param flushInterval the longest time an event stays in the writer's buffer before the next write
 *     pushes it to the file; {@link Duration#ZERO} flushes after every event
 * @param clock the wall clock for the file name and for events written without a wall time
 * @param hostname the machine name in the file name (file-name safe; see {@link TensorBoardWriter})
 */
public record TensorBoardOptions(
    ScalarForm scalarForm, Duration flushInterval, InstantSource clock, String hostname) {
  /**
   * Under TensorBoard's 5-second reload interval, so a dashboard lags a run by little; one write
   * call per interval costs nothing next to a training step.
   */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(2);

  public TensorBoardOptions {
    Objects.requireNonNull(scalarForm, "scalarForm");
    Objects.requireNonNull(flushInterval, "flushInterval");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(hostname, "hostname");
    if (flushInterval.isNegative()) {
      throw new IllegalArgumentException(
          "flushInterval: " + flushInterval + " (expected zero or positive)");
    }
    if (!Hostname.sanitize(hostname).equals(hostname)) {
      throw new IllegalArgumentException(
          "hostname: '" + hostname + "' (expected a non-empty name without separators or spaces)");
    }
  }

  /** TensorFlow 2's scalar form, a 2-second flush interval, the system clock, this machine. */
  public static TensorBoardOptions defaults() {
    return new TensorBoardOptions(
        ScalarForm.TENSOR, DEFAULT_FLUSH_INTERVAL, InstantSource.system(), Hostname.local());
  }

  public TensorBoardOptions withScalarForm(ScalarForm form) {
    return new TensorBoardOptions(form, flushInterval, clock, hostname);
  }

  public TensorBoardOptions withFlushInterval(Duration interval) {
    return new TensorBoardOptions(scalarForm, interval, clock, hostname);
  }

  public TensorBoardOptions withClock(InstantSource source) {
    return new TensorBoardOptions(scalarForm, flushInterval, source, hostname);
  }

  public TensorBoardOptions withHostname(String name) {
    return new TensorBoardOptions(scalarForm, flushInterval, clock, name);
  }
}
