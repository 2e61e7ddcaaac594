package dev.millrace.data;

import java.util.random.RandomGenerator;

/**
 * The random generator handed to a {@link SeededFunction}: SplitMix64, with every method defined
 * here (not inherited from the JDK's defaults) so that sequences are the same on every JDK.
 * Reseeded for each element; not thread-safe.
 */
public final class ElementRandom implements RandomGenerator {
  private long state;

  public ElementRandom(long seed) {
    this.state = seed;
  }

  /** Restarts the sequence from {@code seed}. */
  public void reset(long seed) {
    this.state = seed;
  }

  @Override
  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public int nextInt() {
    return (int) (nextLong() >>> 32);
  }

  /** Uniform in {@code [0, bound)}, by Lemire's multiply-shift (bias below 2^-32). */
  @Override
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  @Override
  public boolean nextBoolean() {
    return nextLong() < 0;
  }

  /** Uniform in {@code [0, 1)}. */
  @Override
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in {@code [0, 1)}. */
  @Override
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }
}
