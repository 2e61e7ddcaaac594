package dev.millrace.profile;

import java.util.Objects;

/**
 * One scalar read from an event file.
 *
 * @param tag the series it belongs to ({@code loss}, {@code accuracy})
 * @param step the training step it was logged at
 * @param wallTime when it was logged, in seconds since the epoch
 * @param value the value, in float32 as every TensorBoard scalar is stored
 */
public record ScalarEvent(String tag, long step, double wallTime, float value) {
  public ScalarEvent {
    Objects.requireNonNull(tag, "tag");
  }
}
