package dev.millrace.profile;

/**
 * The time the session spent in one op type over the sampled steps.
 *
 * @param type the op type, such as {@code Conv2DBackpropFilter}
 * @param calls kernel calls in the sampled steps
 * @param nanos their summed wall time
 * @param share the share of all sampled op time, in [0, 1]
 * @param nanosPerStep mean time per sampled step
 */
public record OpTime(String type, long calls, long nanos, double share, double nanosPerStep) {}
