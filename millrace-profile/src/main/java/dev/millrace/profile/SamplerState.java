package dev.millrace.profile;

/** Where a background sampler stands; only {@link #RUNNING} takes new samples. */
public enum SamplerState {
  /** Sampling on its own thread. */
  RUNNING,
  /** Never started: what it reads does not exist here (no {@code /proc}, no {@code nvidia-smi}). */
  UNAVAILABLE,
  /** Stopped by an error it could not get past; the samples taken before it are kept. */
  FAILED,
  /** Stopped by {@code close()}; the samples are kept. */
  CLOSED
}
