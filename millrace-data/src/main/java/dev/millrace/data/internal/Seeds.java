package dev.millrace.data.internal;

/** Seed arithmetic: SplitMix64's finaliser, so that nearby inputs give unrelated seeds. */
public final class Seeds {
  private Seeds() {}

  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The seed of element {@code index} of a stage with seed {@code stageSeed}. */
  public static long forElement(long stageSeed, long index) {
    return mix(stageSeed + 0x9E3779B97F4A7C15L * (index + 1));
  }
}
