package dev.millrace.kernels;

import dev.millrace.kernels.internal.simd.SimdWidth;
import java.util.OptionalInt;

/**
 * The vector width the fast kernels use, chosen once per JVM. By default it is the widest that the
 * host's CPU and C2 compile to (the Vector API's preferred shape: 512 bits on AVX-512, 256 on AVX2,
 * 128 where only SSE or NEON is fast), capped at 512. The system property {@value #PROPERTY} or, if
 * it is unset, the environment variable {@value #ENV} forces 128, 256 or 512 bits, for tests and
 * for comparisons; a width the host lacks still gives the same results, slowly, through the Vector
 * API's portable code.
 *
 * @param bits the width in bits
 * @param source why this width: "host" or the setting that forced it
 */
public record VectorWidth(int bits, String source) {
  /** System property that forces a width. */
  public static final String PROPERTY = "millrace.vector.bits";

  /** Environment variable that forces a width when the property is unset. */
  public static final String ENV = "MILLRACE_VECTOR_BITS";

  /** The widest vectors the kernels use. */
  public static final int MAX_BITS = 512;

  /** The narrowest vectors the kernels use. */
  public static final int MIN_BITS = 128;

  /** Float lanes per vector. */
  public int floatLanes() {
    return bits / Float.SIZE;
  }

  /**
   * The width for a host whose preferred vectors are {@code hostBits} wide, unless {@code property}
   * or, when that is null, {@code env} forces one.
   *
   * @throws IllegalArgumentException if the forcing value is not 128, 256 or 512
   */
  public static VectorWidth choose(int hostBits, String property, String env) {
    if (property != null && !property.isBlank()) {
      return new VectorWidth(parse(property, "-D" + PROPERTY), PROPERTY + "=" + property.trim());
    }
    if (env != null && !env.isBlank()) {
      return new VectorWidth(parse(env, ENV), ENV + "=" + env.trim());
    }
    return new VectorWidth(Math.clamp(hostBits, MIN_BITS, MAX_BITS), "host");
  }

  /**
   * The width this JVM's settings force, or empty when the host decides.
   *
   * @throws IllegalArgumentException if the setting is not 128, 256 or 512
   */
  public static OptionalInt forced() {
    VectorWidth w = choose(MIN_BITS, System.getProperty(PROPERTY), System.getenv(ENV));
    return w.source().equals("host") ? OptionalInt.empty() : OptionalInt.of(w.bits());
  }

  /**
   * The width the fast kernels of this JVM use.
   *
   * @throws IllegalStateException if the Vector API module is not resolved
   * @throws IllegalArgumentException if a forcing setting is not 128, 256 or 512
   */
  public static VectorWidth inUse() {
    if (!KernelsProvider.vectorApiAvailable()) {
      throw new IllegalStateException(
          "the fast kernels need the Vector API: add the JVM option "
              + KernelsProvider.VECTOR_FLAG);
    }
    forced(); // a bad setting fails here, as an IllegalArgumentException, not in a class
    // initialiser
    return SimdWidth.CHOSEN;
  }

  private static int parse(String value, String setting) {
    String v = value.trim();
    if (v.equals("128") || v.equals("256") || v.equals("512")) {
      return Integer.parseInt(v);
    }
    throw new IllegalArgumentException(
        setting + "=" + v + ": expected a vector width in bits, 128, 256 or 512");
  }

  @Override
  public String toString() {
    return bits + "-bit (" + floatLanes() + " float lanes, " + source + ")";
  }
}
