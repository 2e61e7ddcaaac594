package dev.millrace.graph;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import java.util.List;
import java.util.Map;

/**
 * Variable initializers with Keras's definitions. Fans: a rank-2 shape {@code [in, out]} has {@code
 * fan_in = in, fan_out = out}; a convolution filter {@code [kh, kw, in, out]} multiplies both by
 * {@code kh * kw}; a rank-1 shape has both equal to its length. The random ones are seeded and
 * reproducible (the same seed gives the same values), but not TensorFlow's Philox streams.
 */
public final class Initializers {
  // Keras divides the normal stddev by the stddev of a unit normal truncated at ±2.
  private static final double TRUNCATED_STDDEV = 0.87962566103423978;

  private Initializers() {}

  public static Initializer zeros() {
    return constant(0);
  }

  public static Initializer ones() {
    return constant(1);
  }

  public static Initializer constant(double value) {
    return (tf, dtype, shape) -> tf.fillRaw(dtype, shape, value);
  }

  /** Uniform in {@code ±sqrt(6 / (fan_in + fan_out))}. */
  public static Initializer glorotUniform(long seed) {
    return (tf, dtype, shape) -> {
      long[] fans = fans(shape);
      return uniform(tf, dtype, shape, seed, Math.sqrt(6.0 / (fans[0] + fans[1])));
    };
  }

  /** Truncated normal (±2σ) with {@code σ = sqrt(2 / (fan_in + fan_out))}. */
  public static Initializer glorotNormal(long seed) {
    return (tf, dtype, shape) -> {
      long[] fans = fans(shape);
      return normal(tf, dtype, shape, seed, Math.sqrt(2.0 / (fans[0] + fans[1])));
    };
  }

  /** Uniform in {@code ±sqrt(6 / fan_in)}. */
  public static Initializer heUniform(long seed) {
    return (tf, dtype, shape) -> uniform(tf, dtype, shape, seed, Math.sqrt(6.0 / fans(shape)[0]));
  }

  /** Truncated normal (±2σ) with {@code σ = sqrt(2 / fan_in)}. */
  public static Initializer heNormal(long seed) {
    return (tf, dtype, shape) -> normal(tf, dtype, shape, seed, Math.sqrt(2.0 / fans(shape)[0]));
  }

  /** {@code {fan_in, fan_out}} of a weight of {@code shape}, as Keras computes them. */
  public static long[] fans(Shape shape) {
    long[] d = shape.dims();
    return switch (d.length) {
      case 0 -> new long[] {1, 1};
      case 1 -> new long[] {d[0], d[0]};
      case 2 -> new long[] {d[0], d[1]};
      default -> {
        long receptive = 1;
        for (int i = 0; i < d.length - 2; i++) {
          receptive *= d[i];
        }
        yield new long[] {d[d.length - 2] * receptive, d[d.length - 1] * receptive};
      }
    };
  }

  private static Output<?> uniform(Ops tf, DType dtype, Shape shape, long seed, double limit) {
    Output<?> u = tf.randomRaw("RandomUniform", dtype, shape, seed);
    // u in [0, 1) -> [-limit, limit)
    return tf.op(
            "Sub",
            List.of(
                tf.op("Mul", List.of(u, tf.scalarRaw(dtype, 2 * limit)), Map.of()).output(0),
                tf.scalarRaw(dtype, limit)),
            Map.of())
        .output(0);
  }

  private static Output<?> normal(Ops tf, DType dtype, Shape shape, long seed, double stddev) {
    Output<?> z = tf.randomRaw("TruncatedNormal", dtype, shape, seed);
    return tf.op("Mul", List.of(z, tf.scalarRaw(dtype, stddev / TRUNCATED_STDDEV)), Map.of())
        .output(0);
  }
}
